// A task's environment and working directory, as prepare() builds them
// (PROCESS.md, "Environment, directory, templates").
import { mkdir, mkdtemp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Task } from '../../api/types';
import { taskName, type TemplateContext } from '../../api/templates';
import { PRIVATE_DIR_MODE } from '../../util/private-files';
import { taskDir, taskFiles } from './process-state';
import { DEFAULT_PATH } from './task-process';
import type { AssignedPort } from './task-ports';

export const DEFAULT_INHERIT = ['PATH', 'HOME', 'LANG', 'TZ'];

/**
 * The host's inherited variables, then HOSTNAME, then the spec's Env (templated),
 * then the executor's own identity and port variables, which win.
 */
export function taskEnvironment(o: {
  task: Task;
  ctx: TemplateContext;
  specEnv: readonly string[];
  hostname: string;
  inherit: readonly string[];
  ports: readonly AssignedPort[];
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of o.inherit) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  env.PATH ??= DEFAULT_PATH;
  env.HOSTNAME = o.hostname;
  for (const e of o.specEnv) {
    const i = e.indexOf('=');
    if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
    else if (i < 0 && process.env[e] !== undefined) env[e] = process.env[e]!; // `--env NAME` passes the host's value
  }
  // The executor's own variables win over the spec's: the routing and the built-in server rely on them.
  Object.assign(env, {
    SWARMDECK_SERVICE_ID: o.ctx.Service.ID,
    SWARMDECK_SERVICE_NAME: o.ctx.Service.Name,
    SWARMDECK_TASK_ID: o.task.ID,
    SWARMDECK_TASK_NAME: taskName(o.task),
    SWARMDECK_TASK_SLOT: o.ctx.Task.Slot,
    SWARMDECK_NODE_ID: o.ctx.Node.ID,
    SWARMDECK_NODE_HOSTNAME: o.ctx.Node.Hostname,
    SWARMDECK_IMAGE: o.task.Spec.ContainerSpec.Image,
  });
  for (const p of o.ports) env[`SWARMDECK_PORT_${p.TargetPort}_${p.Protocol.toUpperCase()}`] = String(p.HostPort);
  if (o.ports[0]) env.PORT = String(o.ports[0].HostPort);
  return env;
}

/**
 * The task's working directory: the spec's Dir (which must exist), else a
 * fresh scratch directory (inside the task's state directory in durable mode,
 * so that it survives a restart and goes with remove()).
 */
export async function taskWorkDir(o: {
  dir?: string;
  taskID: string;
  containerID: string;
  stateDir?: string;
  workRoot: string;
}): Promise<{ cwd: string; scratch?: string }> {
  if (o.dir) {
    const st = await stat(o.dir).catch(() => undefined);
    if (!st?.isDirectory()) throw new Error(`working directory "${o.dir}" does not exist on this host`);
    return { cwd: o.dir };
  }
  if (o.stateDir) {
    const scratch = taskFiles(taskDir(o.stateDir, o.taskID)).work;
    await mkdir(scratch, { recursive: true, mode: PRIVATE_DIR_MODE });
    return { cwd: scratch, scratch };
  }
  await mkdir(o.workRoot, { recursive: true, mode: PRIVATE_DIR_MODE });
  const scratch = await mkdtemp(join(o.workRoot, `${o.containerID.slice(0, 12)}-`));
  return { cwd: scratch, scratch };
}
