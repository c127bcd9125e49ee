import type { Metadata } from 'next';
import { WallPage } from '@/components/wall/wall-page';
import '@/components/updates/updates.css';
import '@/components/wall/wall.css';

export const metadata: Metadata = { title: 'Wall' };

export default function Page() {
  return <WallPage />;
}
