'use client';

import Link from 'next/link';
import { ServicesTable } from './services-table';

export function ServicesPage() {
  return (
    <div className="page">
      <div className="page-head">
        <h1>Services</h1>
        <Link href="/services/new" className="btn btn-primary">
          Create service
        </Link>
      </div>
      <ServicesTable />
    </div>
  );
}
