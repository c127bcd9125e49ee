'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { QuorumBadge, QuorumBanner } from '../raft/quorum-badge';
import { ConnectionIndicator } from '../realtime/connection-indicator';
import { ThemeToggle } from '../theme/theme-toggle';
import { useClusterView } from '../realtime/use-cluster';

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/services', label: 'Services' },
  { href: '/topology', label: 'Topology' },
  // a config's page (/configs/…) belongs to this section too
  { href: '/secrets', label: 'Secrets', also: '/configs' },
  { href: '/raft', label: 'Raft' },
  { href: '/audit', label: 'Audit' },
];

export function AppHeader() {
  const path = usePathname();
  const view = useClusterView();
  const cluster = view.tables.cluster.values().next().value;
  return (
    <>
      <header className="app-header">
        <Link href="/" className="brand" aria-label="Swarmdeck overview">
          <span className="brand-mark" aria-hidden="true" />
          Swarmdeck
        </Link>
        <nav aria-label="Main" className="main-nav">
          {NAV.map((n) => {
            const active =
              n.href === '/' ? path === '/' : path.startsWith(n.href) || (!!n.also && path.startsWith(n.also));
            return (
              <Link key={n.href} href={n.href} className="nav-link" aria-current={active ? 'page' : undefined}>
                {n.label}
              </Link>
            );
          })}
        </nav>
        <div className="header-spacer" />
        <span className="header-meta num" title="Raft log index of the last change shown">
          {cluster ? <span className="muted">{cluster.Spec.Name} · </span> : null}
          <span className="muted">index</span> {view.loaded ? view.index : '—'}
        </span>
        <QuorumBadge />
        <ConnectionIndicator />
        <ThemeToggle />
      </header>
      <QuorumBanner />
    </>
  );
}
