/**
 * Docker's HumanDuration (go-units), lower-cased as the CLI prints it:
 * "less than a second", "12 seconds", "about a minute", "3 hours", ...
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'about a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'about an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** "12 seconds ago"; empty when either time is unknown (before the clock starts). */
export function ago(iso: string | undefined, now: number): string {
  if (!iso || !now) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t) || t <= 0) return '';
  return `${humanDuration(Math.max(0, now - t))} ago`;
}

export const capitalize = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** Engine API units → human: NanoCPUs and bytes. */
export function formatCpus(nano: number | undefined): string {
  if (!nano) return '0';
  const cpus = nano / 1e9;
  return Number.isInteger(cpus) ? String(cpus) : cpus.toFixed(2).replace(/0+$/, '');
}

export function formatBytes(bytes: number | undefined): string {
  if (!bytes) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 10 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

export const shortID = (id: string): string => id.slice(0, 12);
