// The placement constraint grammar (`node.labels.zone==eu`), as swarmkit
// parses it (manager/constraint/constraint.go): split at the first operator,
// `==` checked before `!=`. Pure, so the control API, the scheduler and the
// console's form all read constraints the same way.

export type ConstraintOp = '==' | '!=';

export interface Constraint {
  key: string;
  op: ConstraintOp;
  exp: string;
}

const OPERATORS: ConstraintOp[] = ['==', '!='];
const KEY_RE = /^[a-z_][a-z0-9\-_.]+$/i;
// `<`, `>` and `~` are kept out so they stay free for future operators.
const VALUE_RE = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;

/** Parse one expression; returns the error text swarmkit gives for a bad one. */
export function parseConstraint(expr: string): Constraint | string {
  for (const op of OPERATORS) {
    const at = expr.indexOf(op);
    if (at < 0) continue;
    const key = expr.slice(0, at).trim();
    if (!KEY_RE.test(key)) return `key '${key}' is invalid`;
    const exp = expr.slice(at + op.length).trim();
    if (!VALUE_RE.test(exp)) return `value '${exp}' is invalid`;
    return { key, op, exp };
  }
  return `constraint expected one operator from ${OPERATORS.join(', ')}`;
}
