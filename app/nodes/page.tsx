import type { Metadata } from 'next';
import { NodesPage } from '@/components/nodes/nodes-page';
import '@/components/overview/overview.css';

export const metadata: Metadata = { title: 'Nodes' };

export default function Page() {
  return <NodesPage />;
}
