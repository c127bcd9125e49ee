import type { Metadata } from 'next';
import { AccountsPage } from '@/components/access/accounts-page';
import '@/components/access/access.css';

export const metadata: Metadata = { title: 'Accounts' };

export default function Page() {
  return <AccountsPage />;
}
