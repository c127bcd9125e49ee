import Link from 'next/link';

const TABS = [
  { href: '/accounts', label: 'Accounts' },
  { href: '/share-links', label: 'Share links' },
  { href: '/audit', label: 'Audit log' },
] as const;

/** Who may use the console: the admin's pages, one heading and a tab each. */
export function AccessHead({ current }: { current: (typeof TABS)[number]['href'] }) {
  return (
    <>
      <div className="page-head">
        <h1>Access</h1>
      </div>
      <nav className="access-tabs" aria-label="Access">
        {TABS.map((t) => (
          <Link
            key={t.href}
            href={t.href}
            className="access-tab"
            aria-current={t.href === current ? 'page' : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
    </>
  );
}
