import type { Metadata } from 'next';
import { RaftPage } from '@/components/raft/raft-page';

export const metadata: Metadata = { title: 'Raft' };

export default function Page() {
  return <RaftPage />;
}
