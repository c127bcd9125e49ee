// Swarmdeck's own Engine API extensions, under /swarmdeck so they never meet a
// Docker path (like every route, also reachable with a /v1.NN prefix).
import { SETTING_NAMES, labelsWithSettings, settingsOf } from '../../../api/cluster-settings';
import { SequenceConflict, SwarmError } from '../../../api/errors';
import { parseConsoleBody, swarmSettingsBodySchema } from '../../../api/schemas/console-bodies';
import type { ManagerContext } from '../../../manager/context';
import { readJSON } from '../request';
import { sendError, sendJSON } from '../respond';
import type { Route } from '../router';

/** Attempts at a settings write that loses the race with another cluster update (a fresh read each time). */
const SETTINGS_ATTEMPTS = 5;

async function writeSettings(ctx: ManagerContext, body: unknown): Promise<void> {
  // a typo must not pass for "nothing to change"
  if (body && typeof body === 'object' && !Array.isArray(body))
    for (const key of Object.keys(body))
      if (!Object.hasOwn(SETTING_NAMES, key))
        throw new SwarmError(
          'InvalidArgument',
          `unknown setting ${JSON.stringify(key)}: the settings are ${Object.keys(SETTING_NAMES).join(', ')}`,
        );
  const settings = parseConsoleBody(swarmSettingsBodySchema, body);
  for (let attempt = 1; ; attempt++) {
    const cur = ctx.control.getCluster();
    try {
      await ctx.control.updateCluster(cur.Version.Index, {
        ...cur.Spec,
        Labels: labelsWithSettings(cur.Spec.Labels, settings),
      });
      return;
    } catch (err) {
      if (!(err instanceof SequenceConflict) || attempt >= SETTINGS_ATTEMPTS) throw err;
    }
  }
}

export const swarmdeckRoutes: Route[] = [
  {
    // this manager's raft member in numbers (RaftHealth): tests, benchmarks, operators
    method: 'GET',
    pattern: /^\/swarmdeck\/raft$/,
    handle: ({ ctx, res }) => {
      if (!ctx.raftHealth) return sendError(res, 404, 'this manager runs no raft member');
      sendJSON(res, 200, ctx.raftHealth());
    },
  },
  {
    // the settings no docker CLI flag sets (kept as cluster labels), by name
    method: 'GET',
    pattern: /^\/swarmdeck\/settings$/,
    handle: ({ ctx, res }) => sendJSON(res, 200, settingsOf(ctx.control.getCluster().Spec.Labels)),
  },
  {
    // `curl -X POST 127.0.0.1:2375/swarmdeck/settings -d '{"specHistoryLimit": 50}'`: checked, then one swarm update
    method: 'POST',
    pattern: /^\/swarmdeck\/settings$/,
    handle: async ({ ctx, req, res }) => {
      await writeSettings(ctx, await readJSON(req));
      sendJSON(res, 200, settingsOf(ctx.control.getCluster().Spec.Labels));
    },
  },
];
