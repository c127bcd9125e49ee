// UpdateConfig and RollbackConfig (moby api/types/swarm/service.go): moby's
// updateConfigToGRPC (enum defaults, "unrecognized …") and swarmkit's
// validateUpdate. swarmkit checks only the update config; the rollback config
// gets the same bounds here (worded for it), so a rollback never runs with a
// negative delay or monitor or a ratio outside [0,1].

import { goEnum, goFloat32, goInt, goStruct } from './go-json';
import { rpcText, rules } from './issues';

const decoded = goStruct('UpdateConfig', {
  Parallelism: goInt('uint64').optional(),
  Delay: goInt('time.Duration').optional(),
  FailureAction: goEnum('string', ['pause', 'continue', 'rollback'], {
    empty: 'pause',
    exactCase: true,
    refusal: (v) => `unrecognized update failure action ${v}`,
  }).optional(),
  Monitor: goInt('time.Duration').optional(),
  MaxFailureRatio: goFloat32().optional(),
  Order: goEnum('string', ['stop-first', 'start-first'], {
    empty: 'stop-first',
    exactCase: true,
    refusal: (v) => `unrecognized update order ${v}`,
  }).optional(),
});

function updateConfig(what: 'update' | 'rollback') {
  return decoded.transform(
    rules((uc, no) => {
      const delay = uc.Delay ?? 0;
      const monitor = uc.Monitor ?? 0;
      const ratio = uc.MaxFailureRatio ?? 0;
      if (delay < 0) no(rpcText(`TaskSpec: ${what}-delay cannot be negative`));
      if (monitor < 0) no(rpcText(`TaskSpec: ${what}-monitor cannot be negative`));
      if (ratio < 0 || ratio > 1)
        no(rpcText(`TaskSpec: ${what}-maxfailureratio cannot be less than 0 or bigger than 1`));
      const out = {
        Parallelism: uc.Parallelism ?? 0,
        Delay: delay,
        FailureAction: uc.FailureAction ?? 'pause',
        Monitor: monitor,
        MaxFailureRatio: ratio,
        Order: uc.Order ?? 'stop-first',
      };
      // zero durations are omitted on output (omitempty); Monitor 0 then reads as the 5 s default
      const { Delay, Monitor, ...always } = out;
      return { ...always, ...(Delay ? { Delay } : {}), ...(Monitor ? { Monitor } : {}) };
    }),
  );
}

export const updateConfigSchema = updateConfig('update');
export const rollbackConfigSchema = updateConfig('rollback');
