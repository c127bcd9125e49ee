// `swarmdeck cert`: certificates for the Engine API's TLS from the swarm CA,
// asked of the manager running on a data dir through its admin socket (the
// data dir's owner only). Written as the docker CLI reads DOCKER_CERT_PATH
// (ca.pem, cert.pem, key.pem) and as --tlscacert/--tlscert/--tlskey take them.
//
//   swarmdeck cert issue --name alice --role operator --out DIR [--expiry-hours N] [--data-dir D]
//   swarmdeck cert engine --host 127.0.0.1 [--host name …] --out DIR [--expiry-hours N] [--data-dir D]

import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { issuedCertificateSchema, type IssuedCertificateAnswer } from './api/schemas/certificate-request';
import { adminSocketPath } from './http/admin/admin-socket';
import { ensurePrivateDir, writePrivateFile } from './util/private-files';

export const CERT_USAGE =
  'usage: swarmdeck cert issue --name NAME --role viewer|operator|admin --out DIR [--expiry-hours N] [--data-dir DIR]\n' +
  '       swarmdeck cert engine --host HOST [--host HOST …] --out DIR [--expiry-hours N] [--data-dir DIR]\n\n' +
  'Issues a certificate from the swarm CA through the admin socket of the manager running on --data-dir\n' +
  '(default ./data). `issue` writes a client certificate for a person and a role as DOCKER_CERT_PATH\n' +
  "expects it (ca.pem, cert.pem, key.pem); `engine` writes the Engine API's own certificate for\n" +
  '--tlscacert ca.pem --tlscert server-cert.pem --tlskey server-key.pem.\n';

export interface CertArgs {
  kind: 'issue' | 'engine';
  dataDir: string;
  out: string;
  body: Record<string, unknown>;
}

/** Reads the command's flags; throws with a message naming the flag. */
export function parseCertArgs(argv: readonly string[]): CertArgs {
  const [kind, ...rest] = argv;
  if (kind !== 'issue' && kind !== 'engine') throw new Error(`unknown command "cert ${kind ?? ''}"`);
  const flags: Record<string, string[]> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? rest[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    (flags[name] ??= []).push(value);
  }
  const allowed = ['out', 'data-dir', 'expiry-hours', ...(kind === 'issue' ? ['name', 'role'] : ['host'])];
  for (const name of Object.keys(flags)) if (!allowed.includes(name)) throw new Error(`unknown flag --${name}`);
  const last = (name: string) => flags[name]?.at(-1);
  const out = last('out');
  if (!out) throw new Error('--out DIR is required');
  const body: Record<string, unknown> = {};
  const expiry = last('expiry-hours');
  if (expiry !== undefined) {
    if (!/^\d+$/.test(expiry)) throw new Error(`--expiry-hours: "${expiry}" is not a whole number of hours`);
    body.expiryHours = Number(expiry);
  }
  if (kind === 'issue') {
    if (!last('name')) throw new Error('--name is required (who the certificate is for)');
    if (!last('role')) throw new Error('--role is required: viewer, operator or admin');
    Object.assign(body, { name: last('name'), role: last('role') });
  } else {
    if (!flags.host?.length)
      throw new Error('--host is required (a name or IP address clients use to reach the Engine API)');
    body.hosts = flags.host.flatMap((h) => h.split(',')).filter(Boolean);
  }
  return { kind, dataDir: last('data-dir') ?? './data', out, body };
}

function ask(socketPath: string, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path, method: 'POST', headers: { 'Content-Type': 'application/json' }, timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown });
          } catch (err) {
            reject(new Error(`the manager's answer is not JSON: ${text.slice(0, 200)}`, { cause: err }));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('the manager did not answer within 30 s')));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Writes the files; the key is private to the user (as the CLI's own --tlskey files should be). */
function writeFiles(out: string, names: [string, string, string], issued: IssuedCertificateAnswer): void {
  ensurePrivateDir(out);
  for (const name of names)
    if (existsSync(join(out, name))) throw new Error(`${join(out, name)} exists: choose another --out or remove it`);
  writePrivateFile(join(out, names[0]), issued.ca);
  writePrivateFile(join(out, names[1]), issued.cert);
  writePrivateFile(join(out, names[2]), issued.key);
}

/** Runs `swarmdeck cert …`; the exit code. */
export async function runCertCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    process.stdout.write(CERT_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  let args: CertArgs;
  try {
    args = parseCertArgs(argv);
  } catch (err) {
    process.stderr.write(`swarmdeck cert: ${(err as Error).message}\n${CERT_USAGE}`);
    return 2;
  }
  const socket = adminSocketPath(args.dataDir);
  if (!existsSync(socket)) {
    process.stderr.write(`swarmdeck cert: no manager runs on ${args.dataDir} (no ${socket}): start it first\n`);
    return 1;
  }
  try {
    const { status, json } = await ask(
      socket,
      `/certificates/${args.kind === 'issue' ? 'client' : 'engine'}`,
      args.body,
    );
    if (status !== 200) {
      const message = (json as { message?: unknown }).message;
      process.stderr.write(`swarmdeck cert: ${typeof message === 'string' ? message : `status ${status}`}\n`);
      return 1;
    }
    const issued = issuedCertificateSchema.parse(json);
    const names: [string, string, string] =
      args.kind === 'issue' ? ['ca.pem', 'cert.pem', 'key.pem'] : ['ca.pem', 'server-cert.pem', 'server-key.pem'];
    writeFiles(args.out, names, issued);
    process.stdout.write(
      args.kind === 'issue'
        ? `wrote ${names.join(', ')} to ${args.out}: DOCKER_CERT_PATH=${args.out} DOCKER_TLS_VERIFY=1\n`
        : `wrote ${names.join(', ')} to ${args.out}: --tlsverify --tlscacert ${join(args.out, 'ca.pem')} ` +
            `--tlscert ${join(args.out, 'server-cert.pem')} --tlskey ${join(args.out, 'server-key.pem')}\n`,
    );
    return 0;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'ECONNREFUSED' || code === 'ENOENT'
        ? `swarmdeck cert: no manager answers on ${socket}: start the manager of ${args.dataDir} first\n`
        : `swarmdeck cert: ${(err as Error).message}\n`,
    );
    return 1;
  }
}
