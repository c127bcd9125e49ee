import type { Metadata } from 'next';
import { LogsPage } from '@/components/logs/logs-page';
import '@/components/logs/logs.css';

export const metadata: Metadata = { title: 'Logs' };

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ task?: string | string[] }>;
}) {
  const { id } = await params;
  const { task } = await searchParams;
  return <LogsPage id={id} taskID={typeof task === 'string' && task ? task : undefined} />;
}
