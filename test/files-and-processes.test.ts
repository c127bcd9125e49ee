// Files and processes (issue 9, §6) against real processes: a manager that runs
// process tasks itself and a `swarmdeck agent`, driven by the docker CLI. Their
// data dirs hold nothing anyone else may read (0700/0600) while tasks run, after
// tasks ended and after a restart on an older version's modes; no join token
// shows in `ps`, the logs or a task's environment; the cluster port tells an
// unauthenticated caller nothing that identifies the swarm. Once as the runner's
// user and, when that is root (CI, where root hides permission problems), once as
// an unprivileged user through setpriv.

import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Task } from '../server/api/types';
import { killTaskProcesses, startAgent, taskProcesses, type RunningAgent } from './agents/agent-harness';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  waitFor,
  type RunningServer,
  type ServerPorts,
} from './integration/harness';
import { clusterPortGet, engineRequest, fetchRaftHealth } from './manager-http';

if (!dockerBinary()) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

const IS_ROOT = process.getuid?.() === 0;
/** nobody:nogroup on Debian. */
const UNPRIVILEGED = 65534;

interface Entry {
  path: string;
  mode: number;
  uid: number;
  kind: 'dir' | 'file' | 'socket' | 'other';
}

/** Everything under `root`, root included, without following links. */
function walk(root: string): Entry[] {
  const out: Entry[] = [];
  const visit = (path: string) => {
    const st = lstatSync(path);
    const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSocket() ? 'socket' : 'other';
    out.push({ path, mode: st.mode & 0o777, uid: st.uid, kind });
    if (kind === 'dir') for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return out;
}

/**
 * Asserts every entry is a 0700 directory, or a 0600 file or socket (the manager's admin socket), owned by
 * `uid`; returns the relative paths.
 */
function expectPrivate(root: string, uid: number): string[] {
  const entries = walk(root);
  const wrong = entries
    .filter((e) => e.kind === 'other' || e.mode !== (e.kind === 'dir' ? 0o700 : 0o600) || e.uid !== uid)
    .map((e) => `${e.path} ${e.kind} ${e.mode.toString(8)} uid ${e.uid}`);
  expect(wrong, `entries of ${root} that are not private`).toEqual([]);
  return entries.map((e) => e.path.slice(root.length + 1).replace(/tasks\/\w+\//, 'tasks/<task>/'));
}

/** What an older version left: 0755 directories and 0644 files. */
function widenModes(root: string): void {
  for (const e of walk(root)) chmodSync(e.path, e.kind === 'dir' ? 0o755 : 0o644);
}

const running = (ts: Task[]) => ts.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running');

function scenario(who: string, uid: number | undefined): void {
  describe(`as ${who}`, () => {
    const owner = uid ?? process.getuid!();
    let root: ReturnType<typeof tempDir>;
    let config: ReturnType<typeof tempDir>;
    let managerDir: string;
    let agentDir: string;
    const hostname = uid === undefined ? 'files-agent' : 'files-agent-nobody';
    let ports: ServerPorts;
    let server: RunningServer;
    let agent: RunningAgent;
    let engine: string;
    let docker: ReturnType<typeof dockerCli>;
    let tokens: { Worker: string; Manager: string };
    const nodeIDs = new Set<string>();

    const api = async <T>(path: string): Promise<T> => {
      const r = await engineRequest(engine, 'GET', path);
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json as T;
    };
    const tasksOf = (service: string) =>
      api<Task[]>(`/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [service] }))}`);
    const as = (env: Record<string, string> = {}) => ({ uid, env: { HOME: root.path, ...env } });
    const startManager = async () => {
      server = await startServer({
        dataDir: managerDir,
        ports,
        simWorkers: 0,
        extraArgs: ['--executor', 'process', '--dispatcher-heartbeat', '1s'],
        as: as(),
      });
    };
    const startTheAgent = async (token: string) => {
      // the token from the environment, the way `ps` does not show it
      agent = await startAgent({
        join: `127.0.0.1:${ports.cluster}`,
        token: '',
        dataDir: agentDir,
        hostname,
        as: as(token ? { SWARMDECK_AGENT_TOKEN: token } : {}),
      });
      nodeIDs.add(agent.nodeID());
    };
    const createService = async (name: string, flags: string[], command: string) => {
      const r = await docker(['service', 'create', '-d', '--name', name, ...flags, 'alpine', 'sh', '-c', command]);
      expect(r.code, r.stderr).toBe(0);
    };

    beforeAll(async () => {
      root = tempDir('swarmdeck-files-');
      config = tempDir('swarmdeck-files-config-');
      managerDir = join(root.path, 'manager');
      agentDir = join(root.path, 'agent');
      // the unprivileged user owns the directory its data dirs are created in, and nothing else
      if (uid !== undefined) chownSync(root.path, uid, uid);
      ports = await freePorts();
      await startManager();
      engine = `http://127.0.0.1:${ports.engine}`;
      docker = dockerCli(ports.engine, config.path);
      tokens = (await api<{ JoinTokens: { Worker: string; Manager: string } }>('/swarm')).JoinTokens;
      nodeIDs.add((await api<{ ID: string }>('/info')).ID);
      await startTheAgent(tokens.Worker);

      // tasks running on both nodes and one that ended, with their output on disk;
      // `--env SWARMDECK_AGENT_TOKEN` asks for the agent's own value of it: there must be none left
      await createService(
        'worker-job',
        ['--constraint', 'node.role==worker', '--env', 'SECRET_VALUE=s3cr3t', '--env', 'SWARMDECK_AGENT_TOKEN'],
        'echo "$SECRET_VALUE"; echo to-stderr >&2; sleep 600',
      );
      await createService('manager-long', ['--constraint', 'node.role==manager'], 'echo up; sleep 600');
      await createService(
        'manager-done',
        ['--constraint', 'node.role==manager', '--restart-condition', 'none'],
        'echo finished',
      );
      await waitFor('the tasks to run and end', async () => {
        const [w, l, d] = await Promise.all(['worker-job', 'manager-long', 'manager-done'].map(tasksOf));
        return running(w!).length === 1 && running(l!).length === 1 && d![0]?.Status.State === 'complete';
      });
      await waitFor('the task output on disk', () =>
        walk(agentDir).some((e) => e.path.endsWith('stdout.log') && readFileSync(e.path, 'utf8').includes('s3cr3t')),
      );
    }, 180_000);

    afterAll(async () => {
      await agent?.stop(5_000);
      await server?.stop();
      killTaskProcesses([...nodeIDs]);
      root?.remove();
      config?.remove();
    });

    it('keeps both data dirs private while tasks run and after they ended', async () => {
      const manager = expectPrivate(managerDir, owner);
      for (const name of [
        'swarmdeck.db',
        'swarmdeck.db-wal',
        'swarmdeck.db-shm',
        'node.json',
        'certificates',
        'certificates/swarm-node.key',
        'certificates/swarm-node.crt',
        'certificates/swarm-root-ca.crt',
        'tasks',
        'tasks/<task>/state.json',
        'tasks/<task>/stdout.log',
        'tasks/<task>/stderr.log',
        'tasks/<task>/exit',
        'tasks/<task>/work',
      ])
        expect(manager, `manager data dir: ${name}`).toContain(name);
      const worker = expectPrivate(agentDir, owner);
      for (const name of [
        'node.json',
        'agent-credentials.json',
        'certificates/swarm-node.key',
        'tasks/<task>/stdout.log',
        'tasks/<task>/state.json',
      ])
        expect(worker, `agent data dir: ${name}`).toContain(name);
    }, 90_000);

    it('shows no join token in ps, the logs or a task environment', async () => {
      const cmdline = readFileSync(`/proc/${agent.proc.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain('--data-dir');
      for (const token of [tokens.Worker, tokens.Manager]) {
        expect(cmdline).not.toContain(token);
        expect(agent.output()).not.toContain(token);
        expect(server.output()).not.toContain(token);
      }
      const [pid] = taskProcesses(agent.nodeID()).keys();
      expect(pid, 'the worker task process').toBeDefined();
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(env).toContain('SECRET_VALUE=s3cr3t');
      expect(env.filter((v) => v.startsWith('SWARMDECK_AGENT_TOKEN') || v.includes(tokens.Worker))).toEqual([]);
      // and it runs as the agent's user
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      expect(status).toMatch(new RegExp(`^Uid:\\s+${owner}\\s`, 'm'));
    });

    it('tells an unauthenticated caller of the cluster port nothing that identifies the swarm', async () => {
      const self = (await api<{ ID: string }>('/info')).ID;
      const ids = [(await api<{ ID: string }>('/swarm')).ID, ...(await api<Node[]>('/nodes')).map((n) => n.ID)];
      expect(ids).toContain(agent.nodeID());
      const clusterAddr = `127.0.0.1:${ports.cluster}`;
      expect((await clusterPortGet(clusterAddr, '/healthz')).body).toBe('{"status":"ok"}');
      const other = (await clusterPortGet(clusterAddr, '/raft')).body;
      for (const id of ids) expect(other).not.toContain(id);
      // the raft detail is on the Engine API, the local admin interface
      expect((await fetchRaftHealth(engine))?.id).toBe(self);
    });

    it.skipIf(uid === undefined)('refuses to start on a data dir it does not own and cannot make private', async () => {
      // a directory anyone may write to, owned by root: the unprivileged user cannot chmod it
      const outer = tempDir('swarmdeck-files-shared-');
      try {
        chmodSync(outer.path, 0o755);
        const shared = join(outer.path, 'shared');
        mkdirSync(shared);
        chmodSync(shared, 0o777);
        const failed = await startServer({ dataDir: shared, ports: await freePorts(), simWorkers: 0, as: as() }).then(
          async (s) => {
            await s.stop();
            return 'started';
          },
          (err: Error) => err.message,
        );
        expect(failed).toContain(`data dir ${shared} cannot be made private to this user`);
        expect(walk(shared)).toHaveLength(1);
      } finally {
        outer.remove();
      }
    });

    it('repairs the modes an older version left, at the next start', async () => {
      await agent.stop(10_000);
      await server.stop();
      widenModes(managerDir);
      widenModes(agentDir);
      await startManager();
      await startTheAgent('');
      // the agent adopted its task, the manager's node runs a new one
      await waitFor('the tasks running again', async () => {
        const [w, l] = await Promise.all(['worker-job', 'manager-long'].map(tasksOf));
        return running(w!).length === 1 && running(l!).length === 1;
      });
      expect(expectPrivate(managerDir, owner)).toContain('swarmdeck.db-wal');
      expect(expectPrivate(agentDir, owner)).toContain('agent-credentials.json');
    }, 120_000);
  });
}

scenario('the runner', undefined);
// Without root there is no other user to become: the runner is already unprivileged.
describe.skipIf(!IS_ROOT)('unprivileged', () => scenario(`uid ${UNPRIVILEGED}`, UNPRIVILEGED));
