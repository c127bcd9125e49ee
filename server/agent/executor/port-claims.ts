// Host-wide claims on host ports, so that two executors on one host (several
// agents of one user) never hand the same port to two tasks. A probe that binds
// and releases a port proves it free only for that instant; the claim covers
// the gap until the task has bound it, and stays while the task runs.
//
// A claim is a file `<proto>-<port>`, created with O_EXCL in a private per-user
// directory under tmp, holding the claimer's pid, its start time (PID reuse) and
// a token per allocator (several may share a process). A claim whose process is
// gone is stale and taken over; a durable agent re-claims its adopted tasks'
// ports at recovery.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../util/private-files';
import { processAlive, processStartTime } from './proc';

interface Claim {
  pid: number;
  start?: string;
  token: string;
}

/** A claim file still empty or torn after this long was left by a claimer that died while writing it. */
const TORN_CLAIM_MS = 10_000;

export const defaultClaimDir = (): string => join(tmpdir(), `swarmdeck-ports-${process.getuid?.() ?? 0}`);

export class PortClaims {
  private readonly token = randomBytes(8).toString('hex');
  private me?: Promise<Claim>;
  private ready?: Promise<void>;
  /** Claims and releases of one port run in order (a release in flight must not undo a new claim). */
  private readonly queue = new Map<string, Promise<unknown>>();

  constructor(private readonly dir: string = defaultClaimDir()) {}

  /** Claims the port for this allocator; false when a live claimer holds it. `force` takes it over (adoption). */
  claim(proto: string, port: number, force = false): Promise<boolean> {
    return this.inOrder(proto, port, (file) => this.create(file, force));
  }

  /** Drops this allocator's claim (never another's). */
  release(proto: string, port: number): Promise<void> {
    return this.inOrder(proto, port, async (file) => {
      const held = await readClaim(file);
      if (held.claim?.token === this.token) await unlink(file).catch(() => {});
    });
  }

  private inOrder<T>(proto: string, port: number, op: (file: string) => Promise<T>): Promise<T> {
    const k = `${proto}-${port}`;
    const run = (this.queue.get(k) ?? Promise.resolve()).then(
      () => this.file(k).then(op),
      () => this.file(k).then(op),
    );
    const tail = run.catch(() => {});
    this.queue.set(k, tail);
    void tail.then(() => {
      if (this.queue.get(k) === tail) this.queue.delete(k);
    });
    return run;
  }

  private async create(file: string, force: boolean): Promise<boolean> {
    this.me ??= processStartTime(process.pid).then((start) => ({ pid: process.pid, start, token: this.token }));
    const me = JSON.stringify(await this.me);
    for (let i = 0; i < 3; i++) {
      try {
        const fh = await open(file, 'wx', PRIVATE_FILE_MODE);
        try {
          await fh.writeFile(me);
        } finally {
          await fh.close();
        }
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = await readClaim(file);
      if (held.claim?.token === this.token) return true;
      if (!force && (await held.live())) return false;
      await unlink(file).catch(() => {}); // someone else may have taken it over first: create again
    }
    return false;
  }

  private async file(name: string): Promise<string> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      // in a shared tmp: only a directory of our own that nobody else can write
      const st = await lstat(this.dir);
      if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0)
        throw new Error(`port claims: ${this.dir} is not a private directory of this user`);
    })();
    await this.ready;
    return join(this.dir, name);
  }
}

async function readClaim(file: string): Promise<{ claim?: Claim; live(): Promise<boolean> }> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return { live: async () => false };
  let claim: Claim | undefined;
  try {
    const c = JSON.parse(text) as Claim;
    if (typeof c.pid === 'number' && typeof c.token === 'string') claim = c;
  } catch {
    /* being written, or torn */
  }
  if (claim) return { claim, live: () => processAlive(claim.pid, claim.start) };
  return {
    live: async () => {
      const st = await stat(file).catch(() => undefined);
      return !!st && Date.now() - st.mtimeMs < TORN_CLAIM_MS;
    },
  };
}
