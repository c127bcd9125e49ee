// What files a task gets from its secrets and configs (PROCESS.md, "Secrets and
// configs"): where each one appears in the task's view, with what mode and
// owner, and its bytes, rendered per task when it is a template. Pure: the
// executor writes and mounts them (task-files-dir.ts, netns/task-net.ts).
import { posix } from 'node:path';
import type { Config, ConfigReference, Secret, SecretReference, Task } from '../../api/types';
import { expandTemplate, type TemplateContext, type TemplateFuncs } from '../../api/templates';
import type { DependencyGetter } from './executor';

/** Where a secret with a relative target appears (Docker's containerSecretMountPath). */
export const SECRETS_MOUNT = '/run/secrets';
/** Docker's default file mode for both kinds. */
const DEFAULT_MODE = 0o444;

export interface TaskFile {
  kind: 'secret' | 'config';
  /** The secret's or config's name, for messages (never its value). */
  name: string;
  /** Where the task sees it: an absolute, normalised path. */
  path: string;
  data: Buffer;
  mode: number;
  uid: number;
  gid: number;
}

/**
 * The absolute path a reference's file takes: a secret's target (default its name) under /run/secrets,
 * a config's (default its name) under /, as Docker resolves them; an absolute target is kept.
 */
export function fileTargetPath(kind: 'secret' | 'config', target: string): string {
  if (!target || target.includes('\0')) throw new Error(`${kind} target ${JSON.stringify(target)} is not a file path`);
  const path = posix.normalize(
    posix.isAbsolute(target) ? target : posix.join(kind === 'secret' ? SECRETS_MOUNT : '/', target),
  );
  // a target must name a file inside its tree, never climb out of it or name a directory
  if (target.split('/').includes('..') || path === '/' || path.endsWith('/'))
    throw new Error(`${kind} target ${JSON.stringify(target)} is not a file path`);
  return path;
}

function owner(v: string | undefined, what: string): number {
  if (v === undefined || v === '') return 0;
  if (!/^\d+$/.test(v)) throw new Error(`${what} ${JSON.stringify(v)} is not a numeric ID`);
  return Number(v);
}

function decode(data: string | undefined): Buffer {
  return Buffer.from(data ?? '', 'base64');
}

/**
 * The template functions of a secret or config payload (swarmkit's PayloadContext): `secret` and
 * `config` give the data of another of the task's own references, by target; `env` a variable of the
 * spec's Env ('' when unset).
 */
function payloadFuncs(task: Task, deps: DependencyGetter): TemplateFuncs {
  const spec = task.Spec.ContainerSpec;
  return {
    secret: (target) => {
      const ref = (spec.Secrets ?? []).find((r) => r.File?.Name === target);
      const s = ref?.SecretID ? deps.secret(ref.SecretID) : undefined;
      if (!s) throw new Error(`secret target ${target} not found`);
      return decode(s.Spec.Data).toString('utf8');
    },
    config: (target) => {
      const ref = (spec.Configs ?? []).find((r) => r.File?.Name === target);
      const c = ref?.ConfigID ? deps.config(ref.ConfigID) : undefined;
      if (!c) throw new Error(`config target ${target} not found`);
      return decode(c.Spec.Data).toString('utf8');
    },
    env: (name) => {
      for (const e of spec.Env ?? []) {
        const i = e.indexOf('=');
        if (i > 0 && e.slice(0, i) === name) return e.slice(i + 1);
      }
      return '';
    },
  };
}

/**
 * Every file the task gets. A reference whose secret or config the node does not hold fails (the task
 * is REJECTED, as swarmkit's "secret … not found"), and so does a bad target or two files on one path.
 */
export function planTaskFiles(task: Task, deps: DependencyGetter | undefined, ctx: TemplateContext): TaskFile[] {
  const spec = task.Spec.ContainerSpec;
  const secrets: SecretReference[] = spec.Secrets ?? [];
  const configs: ConfigReference[] = (spec.Configs ?? []).filter((r) => !r.Runtime || r.File);
  if (secrets.length === 0 && configs.length === 0) return [];
  let funcs: TemplateFuncs | undefined;
  const render = (kind: 'secret' | 'config', name: string, obj: Secret | Config) => {
    const data = decode(obj.Spec.Data);
    if (obj.Spec.Templating?.Name !== 'golang') return data;
    funcs ??= payloadFuncs(task, deps!);
    try {
      return Buffer.from(expandTemplate(data.toString('utf8'), ctx, funcs), 'utf8');
    } catch (err) {
      throw new Error(`${kind} ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  const out: TaskFile[] = [];
  const seen = new Map<string, string>();
  const add = (f: TaskFile) => {
    const other = seen.get(f.path);
    if (other) throw new Error(`${f.kind} ${f.name} and ${other} both target ${f.path}`);
    seen.set(f.path, `${f.kind} ${f.name}`);
    out.push(f);
  };
  for (const r of secrets) {
    const name = r.SecretName ?? r.SecretID ?? '';
    const s = r.SecretID ? deps?.secret(r.SecretID) : undefined;
    if (!s) throw new Error(`secret ${name} not found`);
    const target = r.File?.Name || r.SecretName || s.Spec.Name;
    add({
      kind: 'secret',
      name,
      path: fileTargetPath('secret', target),
      data: render('secret', name, s),
      mode: r.File?.Mode ?? DEFAULT_MODE,
      uid: owner(r.File?.UID, 'secret UID'),
      gid: owner(r.File?.GID, 'secret GID'),
    });
  }
  for (const r of configs) {
    const name = r.ConfigName ?? r.ConfigID ?? '';
    const c = r.ConfigID ? deps?.config(r.ConfigID) : undefined;
    if (!c) throw new Error(`config ${name} not found`);
    const target = r.File?.Name || r.ConfigName || c.Spec.Name;
    add({
      kind: 'config',
      name,
      path: fileTargetPath('config', target),
      data: render('config', name, c),
      mode: r.File?.Mode ?? DEFAULT_MODE,
      uid: owner(r.File?.UID, 'config UID'),
      gid: owner(r.File?.GID, 'config GID'),
    });
  }
  return out;
}

/**
 * Netns mode: the directories the files are merged into (netns/task-net.ts), given which paths exist
 * as directories: the deepest existing one above each file, shallowest first (a merge binds the
 * host's entries back in, so a deeper one is merged on top of that). `/` comes first when some file
 * has no other existing directory above it: the task then gets a new root.
 */
export function mergeDirs(paths: readonly string[], isDir: (p: string) => boolean): string[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    // the set-up shell's arguments are plain words; the tree is copied by name
    if (/[\\\s]/.test(p)) throw new Error(`${p}: in netns mode a target may not hold '\\' or white space`);
    let d = posix.dirname(p);
    while (d !== '/' && !isDir(d)) d = posix.dirname(d);
    dirs.add(d);
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

/**
 * Netns mode: what is bound read-only once the files are in place: the secrets directory as a whole
 * (as Docker's read-only /run/secrets), and every other file on its own.
 */
export function readOnlyPaths(files: readonly TaskFile[]): string[] {
  const out = new Set<string>();
  for (const f of files) out.add(f.path.startsWith(`${SECRETS_MOUNT}/`) ? SECRETS_MOUNT : f.path);
  return [...out];
}
