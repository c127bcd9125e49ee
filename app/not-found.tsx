import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="page">
      <div className="page-head">
        <h1>Page not found</h1>
      </div>
      <p className="card empty-card">
        Nothing lives at this address. <Link href="/">Back to the overview</Link>
      </p>
    </div>
  );
}
