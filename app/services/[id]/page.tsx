import type { Metadata } from 'next';
import { ServiceDetailPage } from '@/components/service-detail/service-detail-page';
import '@/components/logs/logs.css';
import '@/components/updates/updates.css';

export const metadata: Metadata = { title: 'Service' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ServiceDetailPage id={id} />;
}
