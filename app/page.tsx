import type { Metadata } from 'next';
import { OverviewPage } from '@/components/overview/overview-page';
import '@/components/overview/overview.css';
import '@/components/updates/updates.css';

export const metadata: Metadata = { title: 'Overview' };

export default function Page() {
  return <OverviewPage />;
}
