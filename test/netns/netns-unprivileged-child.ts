// Run by netns.test.ts as an unprivileged user (setpriv --reuid=65534): opens a
// router in <dir>/net (detection included), runs the scenario in durable mode
// and prints its result as one JSON line.
import { join } from 'node:path';
import { startTaskNetworking } from '../../server/agent/executor/netns/detect';
import { runScenario } from './netns-scenario';

const dir = process.argv[2]!;
const net = await startTaskNetworking(join(dir, 'net'));
if (!net.router) {
  console.log(JSON.stringify({ mode: net.mode, reason: net.reason, uid: process.getuid?.() }));
  process.exit(0);
}
try {
  const result = await runScenario(net.router, { stateDir: join(dir, 'state'), workRoot: join(dir, 'work') });
  console.log(JSON.stringify({ mode: net.mode, uid: process.getuid?.(), ...result }));
} finally {
  await net.router.stop();
}
