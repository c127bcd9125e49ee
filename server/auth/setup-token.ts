// The one-time setup link's token, for a first start without
// SWARMDECK_ADMIN_PASSWORD. It sits in the private data dir (0600) so the
// same link still works after a restart, and is removed once the first admin
// exists; the door also refuses it whenever any account exists, so it works once.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { writePrivateFile } from '../util/private-files';
import { hashSecret } from './tokens';

export const SETUP_TOKEN_FILE = 'console-setup-token';

export class SetupToken {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, SETUP_TOKEN_FILE);
  }

  /** The token on disk, if any. */
  current(): string | undefined {
    try {
      const t = readFileSync(this.file, 'utf8').trim();
      return /^[A-Za-z0-9_-]{43}$/.test(t) ? t : undefined;
    } catch {
      return undefined;
    }
  }

  /** The token, made (and kept) now if there is none. */
  ensure(): string {
    const cur = this.current();
    if (cur) return cur;
    const token = randomBytes(32).toString('base64url');
    writePrivateFile(this.file, token + '\n');
    return token;
  }

  matches(token: string): boolean {
    const cur = this.current();
    if (!cur) return false;
    // hashes of equal length: the comparison takes the same time whatever was sent
    return timingSafeEqual(Buffer.from(hashSecret(cur), 'hex'), Buffer.from(hashSecret(token), 'hex'));
  }

  remove(): void {
    if (existsSync(this.file)) rmSync(this.file, { force: true });
  }
}
