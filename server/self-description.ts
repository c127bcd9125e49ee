// What this process reports about its host when it becomes a node.
import { arch, cpus, hostname, totalmem } from 'node:os';
import { EXECUTOR_LABEL, type ExecutorKind } from './api/node-labels';
import type { NodeDescription } from './api/types';
import { NETWORK_MODE_LABEL, type NodeNetworkMode } from './api/network-view';

export function selfDescription(executor: ExecutorKind, networkMode: NodeNetworkMode = 'host'): NodeDescription {
  return {
    Hostname: hostname(),
    Platform: { Architecture: arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch(), OS: 'linux' },
    Resources: { NanoCPUs: cpus().length * 1e9, MemoryBytes: totalmem() },
    Engine: {
      EngineVersion: 'swarmdeck-0.1.0',
      Labels: { [EXECUTOR_LABEL]: executor, [NETWORK_MODE_LABEL]: networkMode },
      Plugins: [{ Type: 'Network', Name: 'overlay' }],
    },
  };
}
