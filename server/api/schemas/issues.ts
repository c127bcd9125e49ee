// From a refused input to the error dockerd would give for it: a decode
// error in Go's words (`invalid JSON: json: cannot unmarshal string into Go
// struct field ContainerSpec.TaskTemplate.ContainerSpec.Env of type
// []string`), or the rule's own message (swarmkit's `rpc error: code =
// InvalidArgument desc = …`, moby's converter texts, or ours where Docker has
// none). The first issue wins, as in Go's decoder and swarmkit's validators.

import type { z } from 'zod';
import { SwarmError, type ErrorCode } from '../errors';
import { goLeafOf, goStructOf, jsonTypeName, type GoStruct } from './go-json';

type Def = z.core.$ZodTypeDef & Record<string, unknown>;
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** moby's ReadJSON wraps every decode error in this. */
export const DECODE_PREFIX = 'invalid JSON: ';
/** What moby's ReadJSON says for an empty body. */
export const EMPTY_BODY = 'invalid JSON: got EOF while reading request body';

/** A rule refusal: the message as the user sees it, and the SwarmError code (so the status) it carries. */
export function refuse(
  ctx: z.core.ParsePayload<unknown>,
  message: string,
  opts: { path?: PropertyKey[]; code?: ErrorCode } = {},
): void {
  ctx.issues.push({
    code: 'custom',
    message,
    input: ctx.value,
    path: opts.path ?? [],
    params: { rule: true, code: opts.code ?? 'InvalidArgument' },
  });
}

/** swarmkit's gRPC-wrapped wording. */
export const rpcText = (desc: string, code: ErrorCode = 'InvalidArgument'): string =>
  `rpc error: code = ${code} desc = ${desc}`;

/** Where a path leads in the schema: the innermost struct, the Go field path and the leaf's Go type. */
interface Located {
  struct?: GoStruct;
  fields: string[];
  node: unknown;
}

/** Steps through wrappers (optional, default, pipes…) to the schema that decodes the value. */
function unwrap(s: unknown): { node: unknown; struct?: GoStruct } {
  let node = s;
  let struct: GoStruct | undefined;
  for (let guard = 0; guard < 50; guard++) {
    const def = defOf(node);
    if (def.type === 'pipe') {
      const input = def.in;
      struct ??= goStructOf(input);
      // a preprocess step runs before the real schema; a transform after it
      node = defOf(input).type === 'transform' ? def.out : input;
    } else if (def.innerType !== undefined) node = def.innerType;
    else if (def.type === 'lazy') node = (def.getter as () => unknown)();
    else break;
  }
  return { node, struct };
}

function locate(root: unknown, path: readonly PropertyKey[]): Located {
  let node = root;
  let struct: GoStruct | undefined;
  const fields: string[] = [];
  for (const key of path) {
    const u = unwrap(node);
    const def = defOf(u.node);
    if (def.type === 'object') {
      struct = u.struct ?? struct;
      const name = String(key);
      const embedded = u.struct?.embedded[name];
      if (embedded) fields.push(embedded);
      fields.push(name);
      node = (def.shape as Record<string, unknown>)[name];
    } else if (def.type === 'array') node = def.element;
    else if (def.type === 'record') node = def.valueType;
    else break;
    if (node === undefined) break;
  }
  return { struct, fields, node };
}

/** The Go type a schema decodes into, as reflect prints it. */
export function goTypeName(schema: unknown): string {
  const leaf = goLeafOf(schema);
  if (leaf) return leaf.type;
  const u = unwrap(schema);
  const inner = goLeafOf(u.node);
  if (inner) return inner.type;
  if (u.struct) return u.struct.type;
  const def = defOf(u.node);
  switch (def.type) {
    case 'array':
      return `[]${goTypeName(def.element)}`;
    case 'record':
      return `map[string]${goTypeName(def.valueType)}`;
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    default:
      return 'interface {}';
  }
}

function goValue(issue: z.core.$ZodIssue): string {
  const params = (issue as { params?: Record<string, unknown> }).params;
  // Go quotes the literal; JS kept only the value, which prints the same for every plain number
  if (params?.goNumber) return `number ${String(issue.input)}`;
  return jsonTypeName(issue.input);
}

/**
 * The message and code for the first issue of a refused input. `rootType` is
 * the Go type of the whole body (`swarm.ServiceSpec`), for a body of the
 * wrong JSON type.
 */
export function describeIssue(
  root: unknown,
  issue: z.core.$ZodIssue,
  rootType: string,
): { code: ErrorCode; message: string } {
  const params = (issue as { params?: Record<string, unknown> }).params;
  if (params?.rule) return { code: (params.code as ErrorCode) ?? 'InvalidArgument', message: issue.message };
  const at = locate(root, issue.path);
  if (params?.goBase64)
    return { code: 'InvalidArgument', message: `${DECODE_PREFIX}illegal base64 data in ${at.fields.join('.')}` };
  if (issue.code === 'invalid_type' || params?.goNumber) {
    if (issue.path.length === 0 || !at.struct)
      return {
        code: 'InvalidArgument',
        message: `${DECODE_PREFIX}json: cannot unmarshal ${goValue(issue)} into Go value of type ${rootType}`,
      };
    return {
      code: 'InvalidArgument',
      message: `${DECODE_PREFIX}json: cannot unmarshal ${goValue(issue)} into Go struct field ${at.struct.name}.${at.fields.join('.')} of type ${goTypeName(at.node)}`,
    };
  }
  // no schema here raises other kinds; if one does, it still names the field
  const where = issue.path.map(String).join('.');
  return { code: 'InvalidArgument', message: where ? `${where}: ${issue.message}` : issue.message };
}

/** The first issue of a failed parse as a SwarmError (400 unless the rule says otherwise). */
export function issueError(root: unknown, error: z.core.$ZodError, rootType: string): SwarmError {
  const first = error.issues[0];
  if (!first) return new SwarmError('InvalidArgument', `${DECODE_PREFIX}invalid ${rootType}`);
  const { code, message } = describeIssue(root, first, rootType);
  return new SwarmError(code, message);
}

/**
 * Parses `input` with `schema`, throwing the SwarmError dockerd would give.
 * `undefined` is an empty body: moby's `got EOF` unless `emptyAs` says what
 * an absent body means.
 */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  input: unknown,
  rootType: string,
  opts: { emptyAs?: unknown } = {},
): z.output<T> {
  if (input === undefined) {
    if (!('emptyAs' in opts)) throw new SwarmError('InvalidArgument', EMPTY_BODY);
    input = opts.emptyAs;
  }
  // Go decodes a top-level null into a struct as nothing at all
  if (input === null) input = {};
  const r = schema.safeParse(input, { reportInput: true });
  if (!r.success) throw issueError(schema, r.error, rootType);
  return r.data;
}

/** Thrown by a rule to refuse (see `rules`). */
class Refusal {
  constructor(
    readonly message: string,
    readonly code: ErrorCode,
  ) {}
}

/** Refuses the value being checked: `no(rpcText('…'))`, or with another code (so status). */
export type Refuse = (message: string, code?: ErrorCode) => never;
const no: Refuse = (message, code = 'InvalidArgument') => {
  throw new Refusal(message, code);
};

/**
 * A schema's rules and normalisation as one `.transform` step, written as
 * straight-line code: `fn` returns the normalised value or calls `no(...)`
 * with the first problem, in the order Docker checks them.
 */
export function rules<I, O>(fn: (v: I, no: Refuse) => O): (v: I, ctx: z.core.ParsePayload<unknown>) => O {
  return (v, ctx) => {
    try {
      return fn(v, no);
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      refuse(ctx, e.message, { code: e.code });
      return undefined as never;
    }
  };
}
