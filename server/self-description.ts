// What this process reports about its host when it becomes a node.
import { arch, cpus, hostname, totalmem } from 'node:os';
import type { NodeDescription } from './api/types';

export function selfDescription(executor: 'sim' | 'process'): NodeDescription {
  return {
    Hostname: hostname(),
    Platform: { Architecture: arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch(), OS: 'linux' },
    Resources: { NanoCPUs: cpus().length * 1e9, MemoryBytes: totalmem() },
    Engine: {
      EngineVersion: 'swarmdeck-0.1.0',
      Labels: { 'swarmdeck.executor': executor },
      Plugins: [{ Type: 'Network', Name: 'overlay' }],
    },
  };
}
