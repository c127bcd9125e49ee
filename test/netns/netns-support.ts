// Tasks with network attachments for the netns tests (until the allocator fills
// NetworksAttachments on main), and HTTP over a dialled stream.
import type { Duplex } from 'node:stream';
import type { Network, Task } from '../../server/api/types';

export interface TestNet {
  id: string;
  subnet: string;
  ingress?: boolean;
}

export const NET_A: TestNet = { id: 'netaaaaaaaaaaaaaaaaaaaaa', subnet: '10.0.1.0/24' };
export const NET_B: TestNet = { id: 'netbbbbbbbbbbbbbbbbbbbbb', subnet: '10.0.2.0/24' };

function network(n: TestNet): Network {
  const gw = n.subnet.replace(/\.0\/\d+$/, '.1');
  return {
    ID: n.id,
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Spec: { Name: n.id, Labels: {}, Ingress: n.ingress, DriverConfiguration: { Name: 'overlay' } },
    IPAMOptions: { Configs: [{ Subnet: n.subnet, Gateway: gw }] },
  };
}

let seq = 0;

/** A task of service `service` on the given networks with the given addresses (CIDR), publishing target port 80. */
export function netTask(
  o: {
    service?: string;
    image?: string;
    args?: string[];
    nets?: [TestNet, string][];
    labels?: Record<string, string>;
    hostname?: string;
  } = {},
): Task {
  return {
    ID: `nstask${process.pid}x${++seq}`,
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Labels: {},
    Spec: {
      ContainerSpec: { Image: o.image ?? 'nginx', ...(o.args ? { Args: o.args } : {}), Hostname: o.hostname },
      ForceUpdate: 0,
    },
    ServiceID: `svc-${o.service ?? 'web'}`,
    Slot: seq,
    NodeID: 'node1',
    Status: { Timestamp: '', State: 'assigned', Message: '' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: o.service ?? 'web', Labels: o.labels ?? {} },
    Endpoint: { Spec: { Ports: [{ Protocol: 'tcp', TargetPort: 80 }] } },
    NetworksAttachments: (o.nets ?? []).map(([n, addr]) => ({ Network: network(n), Addresses: [addr] })),
  };
}

/** GET / with the JSON answer of the built-in HTTP server, over an already open stream. */
export function httpJsonOver(sock: Duplex): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    sock.setEncoding('utf8');
    sock.on('data', (c: string) => (text += c));
    sock.on('error', reject);
    sock.on('end', () => {
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      try {
        resolve(JSON.parse(body) as Record<string, unknown>);
      } catch {
        reject(new Error(`not JSON: ${text}`));
      }
    });
    sock.resume();
    sock.write('GET /?format=json HTTP/1.0\r\nHost: t\r\nConnection: close\r\n\r\n');
  });
}

/** A node one-liner run inside a task (exec): GET url, print the JSON body, exit 1 on failure. */
export function fetchScript(url: string, timeoutMs = 1_500): string[] {
  return [
    process.execPath,
    '-e',
    `const r=require('http').get(${JSON.stringify(url)},{timeout:${timeoutMs}},(s)=>{let b='';s.on('data',(c)=>b+=c);s.on('end',()=>{console.log(b);process.exit(0)})});` +
      `r.on('timeout',()=>{console.log('timeout');process.exit(1)});r.on('error',(e)=>{console.log(e.code);process.exit(1)})`,
  ];
}
