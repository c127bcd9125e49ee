import Link from 'next/link';

/** A detail page whose object is gone (removed, or a stale link): say which, and where to go instead. */
export function NotFoundPage({
  kind,
  id,
  back,
}: {
  kind: 'service' | 'node' | 'network' | 'secret' | 'config';
  id: string;
  back: { href: string; label: string };
}) {
  return (
    <div className="page">
      <div className="page-head">
        <h1>{kind.charAt(0).toUpperCase() + kind.slice(1)} not found</h1>
      </div>
      <p className="card empty-card">
        There is no {kind} <span className="mono">{id}</span>. It may have been removed.{' '}
        <Link href={back.href}>{back.label}</Link>
      </p>
    </div>
  );
}
