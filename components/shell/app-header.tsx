'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { QuorumBadge, QuorumBanner } from '../raft/quorum-badge';
import { ConnectionIndicator } from '../realtime/connection-indicator';
import { ThemeToggle } from '../theme/theme-toggle';
import { useClusterView } from '../realtime/use-cluster';
import { useMay } from '../session/session-provider';
import { UserMenu } from './user-menu';

interface NavItem {
  href: string;
  label: string;
  /** other paths that belong to this section */
  also?: readonly string[];
}

/**
 * The sections a role may open. A viewer sees no secrets (not even their names): its payload
 * section holds the configs only. Admins also get Access (accounts, share links) and the audit log.
 */
export function navFor(mayReadSecrets: boolean, admin: boolean): NavItem[] {
  return [
    { href: '/', label: 'Overview' },
    { href: '/nodes', label: 'Nodes' },
    { href: '/services', label: 'Services' },
    { href: '/topology', label: 'Topology' },
    mayReadSecrets
      ? { href: '/secrets', label: 'Secrets', also: ['/configs'] }
      : { href: '/configs', label: 'Configs' },
    { href: '/raft', label: 'Raft' },
    ...(admin
      ? [
          { href: '/accounts', label: 'Access', also: ['/share-links'] },
          { href: '/audit', label: 'Audit' },
        ]
      : []),
    { href: '/wall', label: 'Wall' },
  ];
}

export function AppHeader() {
  const path = usePathname();
  const view = useClusterView();
  const cluster = view.tables.cluster.values().next().value;
  const nav = navFor(useMay('secrets'), useMay('accounts'));
  return (
    <>
      <header className="app-header">
        <Link href="/" className="brand" aria-label="Swarmdeck overview">
          <span className="brand-mark" aria-hidden="true" />
          Swarmdeck
        </Link>
        <nav aria-label="Main" className="main-nav">
          {nav.map((n) => {
            const active =
              n.href === '/' ? path === '/' : path.startsWith(n.href) || !!n.also?.some((a) => path.startsWith(a));
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
        <UserMenu />
      </header>
      <QuorumBanner />
    </>
  );
}
