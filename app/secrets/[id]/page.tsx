import type { Metadata } from 'next';
import { PayloadDetailPage } from '@/components/secrets/payload-detail-page';
import '@/components/secrets/secrets.css';

export const metadata: Metadata = { title: 'Secret' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PayloadDetailPage kind="secret" id={id} />;
}
