import type { Metadata } from 'next';
import { CreateServiceFormView } from '@/components/services/create-service-form';

export const metadata: Metadata = { title: 'Create service' };

export default function Page() {
  return <CreateServiceFormView />;
}
