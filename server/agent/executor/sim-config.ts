import type { Task } from '../../api/types';

/** How a simulated task misbehaves, read from its container spec (see SIM.md). */
export interface SimBehaviour {
  /** Exit code once the task exits; set alone, the task exits right after starting. */
  exitCode?: number;
  /** Run this long after starting, then exit (with exitCode, default 0). */
  exitAfterMs?: number;
  /** Fail this step: prepare → REJECTED, start → FAILED. */
  fail?: 'prepare' | 'start';
  /** Health probes fail from this long after starting on (0: always). */
  unhealthyAfterMs?: number;
}

export const SIM_ENV = {
  exitCode: 'SWARMDECK_SIM_EXIT_CODE',
  exitAfter: 'SWARMDECK_SIM_EXIT_AFTER',
  fail: 'SWARMDECK_SIM_FAIL',
  unhealthy: 'SWARMDECK_SIM_UNHEALTHY',
} as const;
export const SIM_LABEL = {
  exitCode: 'swarmdeck.sim.exit-code',
  exitAfter: 'swarmdeck.sim.exit-after',
  fail: 'swarmdeck.sim.fail',
  unhealthy: 'swarmdeck.sim.unhealthy',
} as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `3s`, `1.5s`, `500ms`, `2m`, `1h`, `1m30s`, or a plain number of milliseconds. */
export function parseDurationMs(v: string): number | undefined {
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
  }
  return end > 0 && end === s.length ? total : undefined;
}

function envMap(env: string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) out.set(e.slice(0, i), e.slice(i + 1));
  }
  return out;
}

/** Env wins over labels when both are given. Unparseable values are ignored. */
export function simBehaviour(task: Pick<Task, 'Spec'>): SimBehaviour {
  const cs = task.Spec.ContainerSpec;
  const env = envMap(cs?.Env);
  const labels = cs?.Labels ?? {};
  const pick = (k: keyof typeof SIM_ENV) => env.get(SIM_ENV[k]) ?? labels[SIM_LABEL[k]];
  const out: SimBehaviour = {};
  const code = pick('exitCode');
  if (code !== undefined && /^-?\d+$/.test(code.trim())) out.exitCode = Number(code.trim());
  const after = pick('exitAfter');
  if (after !== undefined) {
    const ms = parseDurationMs(after);
    if (ms !== undefined) out.exitAfterMs = ms;
  }
  const fail = pick('fail')?.trim().toLowerCase();
  if (fail === 'prepare' || fail === 'start') out.fail = fail;
  // `true` fails every probe; a duration fails them from then on.
  const unhealthy = pick('unhealthy')?.trim().toLowerCase();
  if (unhealthy === 'true') out.unhealthyAfterMs = 0;
  else if (unhealthy !== undefined && unhealthy !== 'false') {
    const ms = parseDurationMs(unhealthy);
    if (ms !== undefined) out.unhealthyAfterMs = ms;
  }
  return out;
}
