import type { Metadata } from 'next';
import { TopologyPage } from '@/components/topology/topology-page';
import '@xyflow/react/dist/style.css';
import '@/components/topology/topology.css';

export const metadata: Metadata = { title: 'Topology' };

type Param = string | string[] | undefined;
const one = (v: Param) => (typeof v === 'string' && v ? v : undefined);

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<{ network?: Param; stack?: Param; service?: Param }>;
}) {
  const q = await searchParams;
  const filter = { network: one(q.network), stack: one(q.stack), service: one(q.service) };
  return <TopologyPage initialFilter={filter} />;
}
