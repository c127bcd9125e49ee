'use client';

import Link from 'next/link';
import { NEEDS, type ConsoleAction } from './permissions';
import { useSession } from './session-provider';

/** A page the signed-in role may not use: says whose it is, instead of showing controls that would be refused. */
export function NotAllowedPage({ action, what }: { action: ConsoleAction; what: string }) {
  const role = useSession().session?.principal.role ?? 'viewer';
  return (
    <div className="page">
      <div className="page-head">
        <h1>Not available to a {role}</h1>
      </div>
      <p className="card empty-card" data-testid="not-allowed">
        {what.charAt(0).toUpperCase() + what.slice(1)} needs the {NEEDS[action]} role. Ask an admin of this swarm if you
        need it. <Link href="/">Back to the overview</Link>
      </p>
    </div>
  );
}
