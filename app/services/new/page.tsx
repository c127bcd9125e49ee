import type { Metadata } from 'next';
import { CreateServiceFormView } from '@/components/services/create-service-form';
import '@/components/services/create-service.css';

export const metadata: Metadata = { title: 'Create service' };

export default function Page() {
  return <CreateServiceFormView />;
}
