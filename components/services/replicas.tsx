import { CountOf, ShareBar } from '../ui/share-bar';

/** "2/3" with a bar; fixed width so it never reflows as counts change. */
export function Replicas({ running, desired }: { running: number; desired: number }) {
  const share = desired > 0 ? running / desired : running > 0 ? 1 : 0;
  const tone = running >= desired ? 'ok' : running === 0 && desired > 0 ? 'bad' : 'warn';
  return (
    <span className="replicas" data-tone={tone} aria-label={`${running} of ${desired} replicas running`}>
      <CountOf n={running} of={desired} />
      <ShareBar share={share} />
    </span>
  );
}
