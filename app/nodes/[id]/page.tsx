import type { Metadata } from 'next';
import { NodeDetailPage } from '@/components/nodes/node-detail-page';
import '@/components/overview/overview.css';

export const metadata: Metadata = { title: 'Node' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <NodeDetailPage id={id} />;
}
