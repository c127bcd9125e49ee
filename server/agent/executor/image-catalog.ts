/**
 * How the process executor turns an image reference into something to run on
 * the host (PROCESS.md). Pure: no file or process access here.
 *
 * - `builtin` entries (web images) always run the built-in HTTP server; the
 *   service's command is ignored, since `nginx -g …` cannot run on the host.
 * - `command` entries give the image's default command: the service's
 *   Command + Args run as given when it has any (Args alone replace the
 *   default, like a container's CMD), else the entry's command.
 * - An image in no entry runs the service's Command + Args as given, and
 *   cannot run at all without them.
 *
 * Patterns are globs (`*` matches anything, `?` one character) tested against
 * the normalized repository name (`nginx`, `traefik/whoami`, `team/app`) and
 * against the repository as written (`registry.example.com/team/app`).
 */

export type BuiltinName = 'http';

export interface CatalogEntry {
  match: string;
  /** The image's default command (argv). */
  command?: string[];
  /** Run a built-in program instead of a command. */
  builtin?: BuiltinName;
}

export type ImageRun =
  { kind: 'exec'; argv: string[]; image: string } | { kind: 'builtin'; builtin: BuiltinName; image: string };

/** Shell images: their default command is a shell that exits at once without a TTY, like `docker run ubuntu`. */
export const DEFAULT_CATALOG: readonly CatalogEntry[] = [
  { match: 'ubuntu', command: ['/bin/sh'] },
  { match: 'debian', command: ['/bin/sh'] },
  { match: 'alpine', command: ['/bin/sh'] },
  { match: 'busybox', command: ['/bin/sh'] },
  { match: 'nginx*', builtin: 'http' },
  { match: 'httpd*', builtin: 'http' },
  { match: 'caddy*', builtin: 'http' },
  { match: 'traefik/whoami', builtin: 'http' },
  { match: 'containous/whoami', builtin: 'http' },
];

/** Repository parts of a reference: `docker.io/library/nginx:1.25@sha256:…` → name `nginx`. */
export function parseImageRef(ref: string): { repository: string; name: string } {
  let s = ref.trim();
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) s = s.slice(0, colon);
  const repository = s;
  const parts = s.split('/');
  // A first component with a dot or port, or `localhost`, is a registry host.
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift();
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  return { repository, name: parts.join('/').toLowerCase() };
}

export function globMatch(pattern: string, text: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(text);
}

/** The first matching entry; user entries are searched before the defaults. */
export function findCatalogEntry(
  image: string,
  extra: readonly CatalogEntry[] = [],
  defaults: readonly CatalogEntry[] = DEFAULT_CATALOG,
): CatalogEntry | undefined {
  const { repository, name } = parseImageRef(image);
  return [...extra, ...defaults].find((e) => globMatch(e.match, name) || globMatch(e.match, repository));
}

export class ImageNotRunnableError extends Error {
  constructor(readonly image: string) {
    super(
      `image "${image}" has no command and is not in the image catalog ` +
        `(the process executor runs only catalog images, or a service command such as /bin/sh -c "…")`,
    );
    this.name = 'ImageNotRunnableError';
  }
}

/** What to run for a container spec; throws `ImageNotRunnableError` when there is nothing to run. */
export function resolveImage(
  spec: { Image: string; Command?: string[]; Args?: string[] },
  extra: readonly CatalogEntry[] = [],
): ImageRun {
  const image = spec.Image;
  const entry = findCatalogEntry(image, extra);
  if (entry?.builtin) return { kind: 'builtin', builtin: entry.builtin, image };
  const given = [...(spec.Command ?? []), ...(spec.Args ?? [])];
  if (given.length > 0) return { kind: 'exec', argv: given, image };
  if (entry?.command && entry.command.length > 0) return { kind: 'exec', argv: [...entry.command], image };
  throw new ImageNotRunnableError(image);
}

/**
 * Validates a catalog file's parsed JSON: an array of entries, or
 * `{ "images": [...] }`. Each entry is `{ "match": "redis*", "command": ["redis-server"] }`
 * or `{ "match": "my/web*", "builtin": "http" }`.
 */
export function parseCatalog(json: unknown, source = 'image catalog'): CatalogEntry[] {
  const list = Array.isArray(json) ? json : (json as { images?: unknown } | null)?.images;
  if (!Array.isArray(list)) throw new Error(`${source}: expected an array of { match, command | builtin } entries`);
  return list.map((raw, i) => {
    const e = raw as Partial<Record<keyof CatalogEntry, unknown>> | null;
    const where = `${source}: entry ${i}`;
    if (!e || typeof e.match !== 'string' || e.match === '')
      throw new Error(`${where}: "match" must be a non-empty string`);
    if (e.builtin !== undefined) {
      if (e.builtin !== 'http')
        throw new Error(`${where}: unknown builtin ${JSON.stringify(e.builtin)} (known: "http")`);
      return { match: e.match, builtin: 'http' };
    }
    if (!Array.isArray(e.command) || e.command.length === 0 || !e.command.every((c) => typeof c === 'string')) {
      throw new Error(`${where}: "command" must be a non-empty array of strings (or give "builtin")`);
    }
    return { match: e.match, command: [...(e.command as string[])] };
  });
}
