'use client';

import Link from 'next/link';
import { Allowed } from '../session/session-provider';
import { ServicesTable } from './services-table';

export function ServicesPage() {
  return (
    <div className="page">
      <div className="page-head">
        <h1>Services</h1>
        <Allowed to="createService">
          <Link href="/services/new" className="btn btn-primary">
            Create service
          </Link>
        </Allowed>
      </div>
      <ServicesTable />
    </div>
  );
}
