import type { Metadata } from 'next';
import { ShareLinksPage } from '@/components/access/share-links-page';
import '@/components/access/access.css';

export const metadata: Metadata = { title: 'Share links' };

export default function Page() {
  return <ShareLinksPage />;
}
