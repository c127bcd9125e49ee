import type { Metadata } from 'next';
import { NetworkDetailPage } from '@/components/networks/network-detail-page';
import '@/components/networks/networks.css';

export const metadata: Metadata = { title: 'Network' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <NetworkDetailPage id={id} />;
}
