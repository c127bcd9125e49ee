import type { Metadata } from 'next';
import { SecretsPage } from '@/components/secrets/secrets-page';
import '@/components/secrets/secrets.css';

export const metadata: Metadata = { title: 'Configs' };

export default function Page() {
  return <SecretsPage configsOnly />;
}
