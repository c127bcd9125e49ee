import type { Labels, Task } from './types';

/**
 * Task templates (spec §12): the subset of Go text/template that swarmkit's
 * worker expands in Env values, Hostname and mount source/target, with
 * `missingkey=error` — an unknown field is an error, never an empty string.
 *
 * Supported: literal text, `{{.A.B}}` field chains, `{{index .Map "k"}}`,
 * `{{join "sep" .A .B}}`, string literals, `{{/* comments *\/}}` and the
 * `{{-` / `-}}` whitespace trims. Pipelines, variables and control actions
 * (`if`, `range`, …) are rejected with a parse error.
 */

/** A Go map (printed as `map[k:v]`; a missing key is an error). Structs are plain objects. */
export type TemplateValue = string | ReadonlyMap<string, string> | TemplateStruct;
export interface TemplateStruct {
  readonly [field: string]: TemplateValue;
}

export interface TemplateContext extends TemplateStruct {
  Service: { ID: string; Name: string; Labels: ReadonlyMap<string, string> };
  Node: { ID: string; Hostname: string; Platform: { OS: string; Architecture: string } };
  Task: { ID: string; Name: string; Slot: string };
}

/** What the worker knows about itself; a full `Node` fits. */
export interface TemplateNode {
  ID: string;
  Description?: { Hostname?: string; Platform?: { OS?: string; Architecture?: string } };
}

/** swarmkit naming.Task: `<svc>.<slot>.<id>`, or `<svc>.<nodeID>.<id>` for slot 0. */
export function taskName(task: Pick<Task, 'ID' | 'Slot' | 'NodeID' | 'ServiceAnnotations'>): string {
  const slot = task.Slot === 0 ? task.NodeID : String(task.Slot);
  return `${task.ServiceAnnotations?.Name ?? ''}.${slot}.${task.ID}`;
}

export function taskTemplateContext(
  task: Pick<Task, 'ID' | 'Slot' | 'NodeID' | 'ServiceID' | 'ServiceAnnotations'>,
  node: TemplateNode,
): TemplateContext {
  const labels: Labels = task.ServiceAnnotations?.Labels ?? {};
  return {
    Service: { ID: task.ServiceID, Name: task.ServiceAnnotations?.Name ?? '', Labels: new Map(Object.entries(labels)) },
    Node: {
      ID: node.ID,
      Hostname: node.Description?.Hostname ?? '',
      Platform: {
        OS: node.Description?.Platform?.OS ?? '',
        Architecture: node.Description?.Platform?.Architecture ?? '',
      },
    },
    Task: { ID: task.ID, Name: taskName(task), Slot: task.Slot === 0 ? task.NodeID : String(task.Slot) },
  };
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(`template: expansion: ${message}`);
    this.name = 'TemplateError';
  }
}

type Arg = { kind: 'field'; path: string[]; text: string } | { kind: 'string'; value: string };
type Node = { kind: 'text'; text: string } | { kind: 'action'; fn?: string; args: Arg[]; text: string };

const TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(\.(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?)|([A-Za-z_][A-Za-z0-9_]*))/y;

/** Extra functions a caller allows (a secret or config payload's `secret`, `config`, `env`). */
export type TemplateFuncs = Readonly<Record<string, (...args: string[]) => string>>;

function parseAction(body: string, funcs?: TemplateFuncs): Node | undefined {
  const src = body.trim();
  if (src.startsWith('/*')) {
    if (!src.endsWith('*/')) throw new TemplateError('unclosed comment');
    return undefined;
  }
  const words: (Arg | { kind: 'ident'; name: string })[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new TemplateError(`unexpected ${JSON.stringify(src.slice(pos).trim()[0])} in command <${src}>`);
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined) words.push({ kind: 'string', value: JSON.parse(m[1]) as string });
    else if (m[2] !== undefined) words.push({ kind: 'string', value: m[2].slice(1, -1) });
    else if (m[3] !== undefined) {
      if (m[3] === '.') throw new TemplateError(`printing the whole context <.> is not supported`);
      words.push({ kind: 'field', path: m[3].slice(1).split('.'), text: m[3] });
    } else words.push({ kind: 'ident', name: m[4]! });
    // Words must be separated by spaces (`.A"x"` is not two words).
    if (pos < src.length && !/\s/.test(src[pos]!))
      throw new TemplateError(`unexpected ${JSON.stringify(src[pos])} in <${src}>`);
  }
  if (words.length === 0) throw new TemplateError('missing value for command');
  const [head, ...rest] = words;
  const args = (ws: typeof words): Arg[] =>
    ws.map((w) => {
      if (w.kind === 'ident') throw new TemplateError(`function "${w.name}" not defined or not allowed here`);
      return w;
    });
  if (head!.kind === 'ident') {
    if (head!.name !== 'index' && head!.name !== 'join' && !(funcs && Object.hasOwn(funcs, head!.name))) {
      throw new TemplateError(`function "${head!.name}" not defined`);
    }
    return { kind: 'action', fn: head!.name, args: args(rest), text: src };
  }
  if (rest.length > 0) throw new TemplateError(`can't give argument to non-function ${describe(head!)}`);
  return { kind: 'action', args: args([head!]), text: src };
}

function describe(a: Arg | { kind: 'ident'; name: string }): string {
  return a.kind === 'field' ? a.text : a.kind === 'string' ? JSON.stringify(a.value) : a.name;
}

/** Parses the template into text and actions, applying `{{-`/`-}}` trims. */
export function parseTemplate(text: string, funcs?: TemplateFuncs): Node[] {
  const out: Node[] = [];
  let pos = 0;
  let trimNext = false;
  for (;;) {
    const open = text.indexOf('{{', pos);
    let lit = open < 0 ? text.slice(pos) : text.slice(pos, open);
    if (trimNext) lit = lit.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (lit) out.push({ kind: 'text', text: lit });
      return out;
    }
    let bodyStart = open + 2;
    // `{{- ` trims the space before the action (the dash must be followed by a space).
    if (/^-\s/.test(text.slice(bodyStart, bodyStart + 2))) {
      lit = lit.replace(/\s+$/, '');
      bodyStart += 1;
    }
    if (lit) out.push({ kind: 'text', text: lit });
    const close = findClose(text, bodyStart);
    if (close < 0) throw new TemplateError('unclosed action');
    let body = text.slice(bodyStart, close);
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    const node = parseAction(body, funcs);
    if (node) out.push(node);
    pos = close + 2;
  }
}

/** The `}}` that ends an action, skipping quoted strings. */
function findClose(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '`') {
      i = text.indexOf('`', i + 1);
      if (i < 0) return -1;
    } else if (c === '}' && text[i + 1] === '}') return i;
  }
  return -1;
}

function isMap(v: TemplateValue): v is ReadonlyMap<string, string> {
  return v instanceof Map;
}

function resolve(ctx: TemplateStruct, arg: Arg): TemplateValue {
  if (arg.kind === 'string') return arg.value;
  let cur: TemplateValue = ctx;
  let typeName = 'Context';
  for (const name of arg.path) {
    if (typeof cur === 'string')
      throw new TemplateError(`executing at <${arg.text}>: can't evaluate field ${name} in type string`);
    if (isMap(cur)) {
      const v = cur.get(name);
      if (v === undefined) throw new TemplateError(`executing at <${arg.text}>: map has no entry for key "${name}"`);
      cur = v;
    } else {
      if (!Object.hasOwn(cur, name)) {
        throw new TemplateError(`executing at <${arg.text}>: can't evaluate field ${name} in type ${typeName}`);
      }
      cur = cur[name]!;
    }
    typeName = name;
  }
  return cur;
}

/** Go's fmt of the values templates can hold: maps print as `map[k:v ...]` sorted by key. */
function print(v: TemplateValue): string {
  if (typeof v === 'string') return v;
  if (isMap(v)) {
    const keys = [...v.keys()].sort();
    return `map[${keys.map((k) => `${k}:${v.get(k)}`).join(' ')}]`;
  }
  return `{${Object.values(v).map(print).join(' ')}}`;
}

function run(ctx: TemplateStruct, node: Extract<Node, { kind: 'action' }>, funcs?: TemplateFuncs): string {
  const vals = node.args.map((a) => resolve(ctx, a));
  const fn = node.fn && funcs && Object.hasOwn(funcs, node.fn) ? funcs[node.fn] : undefined;
  if (fn) {
    try {
      return fn(...vals.map(print));
    } catch (err) {
      throw new TemplateError(`error calling ${node.fn}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (node.fn === 'index') {
    if (vals.length < 1) throw new TemplateError(`wrong number of args for index: want at least 1 got 0`);
    let cur = vals[0]!;
    for (const key of vals.slice(1)) {
      if (!isMap(cur)) throw new TemplateError(`error calling index: can't index item of type ${typeof cur}`);
      if (typeof key !== 'string')
        throw new TemplateError(`error calling index: value has type ${typeof key}; should be string`);
      // index on a missing map key yields the zero value, as in Go.
      cur = cur.get(key) ?? '';
    }
    return print(cur);
  }
  if (node.fn === 'join') {
    if (vals.length < 1) throw new TemplateError(`wrong number of args for join: want at least 1 got 0`);
    return vals.slice(1).map(print).join(print(vals[0]!));
  }
  return print(vals[0]!);
}

/** Expands one template string; throws `TemplateError` on a parse error or a missing field. */
export function expandTemplate(text: string, ctx: TemplateStruct, funcs?: TemplateFuncs): string {
  if (!text.includes('{{')) return text;
  return parseTemplate(text, funcs)
    .map((n) => (n.kind === 'text' ? n.text : run(ctx, n, funcs)))
    .join('');
}

/** `NAME=value` with only the value expanded; names are never templated. */
export function expandEnv(env: readonly string[] | undefined, ctx: TemplateStruct): string[] {
  return (env ?? []).map((e) => {
    const i = e.indexOf('=');
    return i < 0 ? e : `${e.slice(0, i)}=${expandTemplate(e.slice(i + 1), ctx)}`;
  });
}

export interface TemplatedMount {
  Source?: string;
  Target?: string;
  [extra: string]: unknown;
}

/** The templated fields of a container spec (§12): Env values, Hostname, mount Source/Target. */
export function expandContainerFields(
  spec: { Env?: string[]; Hostname?: string; Mounts?: unknown },
  ctx: TemplateStruct,
): { Env: string[]; Hostname?: string; Mounts: TemplatedMount[] } {
  const mounts = Array.isArray(spec.Mounts) ? (spec.Mounts as TemplatedMount[]) : [];
  return {
    Env: expandEnv(spec.Env, ctx),
    Hostname: spec.Hostname === undefined ? undefined : expandTemplate(spec.Hostname, ctx),
    Mounts: mounts.map((m) => ({
      ...m,
      ...(m.Source !== undefined ? { Source: expandTemplate(m.Source, ctx) } : {}),
      ...(m.Target !== undefined ? { Target: expandTemplate(m.Target, ctx) } : {}),
    })),
  };
}
