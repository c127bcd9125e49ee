import type { Metadata } from 'next';
import { AuditPage } from '@/components/audit/audit-page';
import '@/components/audit/audit.css';

export const metadata: Metadata = { title: 'Audit log' };

export default function Page() {
  return <AuditPage />;
}
