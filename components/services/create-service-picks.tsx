'use client';

import { useClusterView } from '../realtime/use-cluster';

// `--network`, `--secret` and `--config` as pick lists of what the swarm has,
// live from the cluster view. The boxes carry the names (as the CLI takes
// them); the server looks secret and config IDs up itself.

/** Names in order; overlay networks only, and not the ingress (swarmkit refuses a service attached to it). */
export function pickableNetworks(
  networks: Iterable<{ Spec: { Name: string; Ingress?: boolean; DriverConfiguration?: { Name: string } } }>,
) {
  return [...networks]
    .filter((n) => !n.Spec.Ingress && (n.Spec.DriverConfiguration?.Name ?? 'overlay') === 'overlay')
    .map((n) => n.Spec.Name)
    .sort();
}

function Pick({ name, label, values, empty }: { name: string; label: string; values: string[]; empty: string }) {
  return (
    <fieldset className="create-pick">
      <legend>{label}</legend>
      {values.length === 0 ? <p className="muted create-pick-empty">{empty}</p> : null}
      <div className="create-pick-list">
        {values.map((v) => (
          <label key={v} className="create-pick-item">
            <input type="checkbox" name={name} value={v} />
            <span className="mono">{v}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function ServicePicks() {
  const { network, secret, config } = useClusterView().tables;
  const names = (m: ReadonlyMap<string, { Spec: { Name: string } }>) => [...m.values()].map((o) => o.Spec.Name).sort();
  return (
    <div className="create-picks">
      <Pick
        name="networks"
        label="Networks"
        values={pickableNetworks(network.values())}
        empty="No overlay networks yet."
      />
      <Pick name="secrets" label="Secrets" values={names(secret)} empty="No secrets yet." />
      <Pick name="configs" label="Configs" values={names(config)} empty="No configs yet." />
    </div>
  );
}
