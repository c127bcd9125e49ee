// The leader's chores for the console's accounts: on a first start (no
// account), create the admin from SWARMDECK_ADMIN_PASSWORD or print the
// one-time setup link; then, every minute, remove expired sessions and share
// links (and sessions whose account is gone) in one write. Followers only watch.

import { accountNameProblem, passwordProblem } from '../api/auth';
import type { ManagerContext } from '../manager/context';
import type { ConsoleAuth } from './console-auth';
import { PURGE_INTERVAL_MS } from './lifetimes';
import type { SetupToken } from './setup-token';
import { runAs } from '../store/audit-context';

export interface HousekeepingOptions {
  /** `http://127.0.0.1:<consolePort>`: where the printed setup link points */
  consoleUrl: string;
  adminName?: string;
  adminPassword?: string;
  log?: (line: string) => void;
  /** How often leadership is looked at (the purge runs every PURGE_INTERVAL_MS). */
  checkMs?: number;
}

export function startAuthHousekeeping(
  ctx: Pick<ManagerContext, 'store' | 'control' | 'clock'>,
  auth: ConsoleAuth,
  setup: SetupToken,
  o: HousekeepingOptions,
): { stop(): void; firstTick: Promise<void> } {
  const log = o.log ?? ((line: string) => console.log(line));
  const checkMs = o.checkMs ?? 500;
  let stopped = false;
  let printed = false;
  let lastPurge = 0;
  let cancel: (() => void) | undefined;
  let busy = false;

  const firstStart = async () => {
    const view = ctx.store.view;
    if (view.count('account') > 0) {
      setup.remove(); // set up elsewhere (another manager's link, or the environment)
      return;
    }
    const name = o.adminName || 'admin';
    if (o.adminPassword) {
      const problem = accountNameProblem(name) ?? passwordProblem(o.adminPassword);
      if (!problem) {
        if (await auth.createFirstAdmin(name, o.adminPassword))
          log(`swarmdeck: created the console's admin account ${name} from SWARMDECK_ADMIN_PASSWORD`);
        setup.remove();
        return;
      }
      if (!printed) log(`swarmdeck: SWARMDECK_ADMIN_PASSWORD/SWARMDECK_ADMIN_NAME not used: ${problem}`);
    }
    if (!printed) {
      printed = true;
      log(`Open ${o.consoleUrl}/setup?token=${setup.ensure()} to create the first admin account`);
    }
  };

  const purge = async () => {
    const now = ctx.clock.now();
    const view = ctx.store.view;
    const due =
      view.list('session').some((s) => Date.parse(s.ExpiresAt) <= now || !view.get('account', s.AccountID)) ||
      view.list('shareLink').some((l) => Date.parse(l.ExpiresAt) <= now);
    if (due) await ctx.control.authWrite({ op: 'purgeExpired', now: new Date(now).toISOString() });
  };

  const tick = async () => {
    if (!ctx.store.isLeader()) return;
    await runAs(
      { actor: { kind: 'system', name: 'console first start' }, action: 'create the first admin' },
      firstStart,
    );
    if (ctx.clock.now() - lastPurge >= PURGE_INTERVAL_MS) {
      lastPurge = ctx.clock.now();
      await runAs(
        {
          actor: { kind: 'control-loop', name: 'console session reaper' },
          action: 'remove expired sessions and links',
        },
        purge,
      );
    }
  };

  const loop = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    cancel = ctx.clock.setTimeout(() => void loop(), checkMs);
    if (busy) return Promise.resolve();
    busy = true;
    return tick()
      .catch((err: unknown) => console.warn(`swarmdeck: console accounts housekeeping: ${(err as Error).message}`))
      .finally(() => (busy = false));
  };
  // the first look happens now: a leader that starts its console has its admin (or link) before it serves
  const firstTick = loop();
  return {
    firstTick,
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}
