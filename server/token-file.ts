// `--token-file PATH`: a join token read from a file, so it never shows in
// `ps` or the shell history. Surrounding whitespace (a trailing newline) is
// dropped; anything else that is not a token is the caller's to refuse.
import { readFileSync, statSync } from 'node:fs';

const MAX_TOKEN_FILE_BYTES = 4096;

export function readTokenFile(path: string): string {
  const st = statSync(path);
  if (!st.isFile()) throw new Error(`${path} is not a file`);
  if (st.size > MAX_TOKEN_FILE_BYTES) throw new Error(`${path} is too large to hold a join token`);
  const token = readFileSync(path, 'utf8').trim();
  if (!token) throw new Error(`${path} is empty`);
  return token;
}
