// What the built-in HTTP server (image nginx and friends) answers about itself,
// asked through a published port or a VIP: which task, on which node, from which
// image. Shared by the routing-mesh and overlay tests.
import { request } from 'node:http';
import { until } from '../until';

export interface TaskIdentity {
  task: string;
  nodeID: string;
  image: string;
}

/** One GET on a fresh connection (so every request is routed anew); rejects on any failure or a non-200. */
export function getIdentity(host: string, port: number, timeoutMs = 5_000): Promise<TaskIdentity> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/?format=json', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
        try {
          resolve(JSON.parse(body) as TaskIdentity);
        } catch (err) {
          reject(err as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Once the node's listener on `addr:port` answers (its view has arrived), `n` identities through it. */
export async function sampleThrough(addr: string, port: number, n = 12): Promise<TaskIdentity[]> {
  await until(`mesh on ${addr}:${port}`, () => getIdentity(addr, port, 2_000).then(Boolean), 30_000, 200);
  const seen: TaskIdentity[] = [];
  for (let i = 0; i < n; i++) seen.push(await getIdentity(addr, port));
  return seen;
}
