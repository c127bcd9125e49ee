import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from './config';

describe('swarmdeck agent flags', () => {
  it('reads the join command, repeatable labels and defaults', () => {
    const cfg = parseAgentConfig(
      [
        '--join',
        '127.0.0.1:2377',
        '--token',
        'SWMTKN-1-x',
        '--label',
        'zone=a',
        '--label=disk=ssd',
        '--hostname',
        'w1',
      ],
      {},
      'host',
    );
    expect(cfg).toMatchObject({
      join: '127.0.0.1:2377',
      token: 'SWMTKN-1-x',
      hostname: 'w1',
      labels: { zone: 'a', disk: 'ssd' },
      executor: 'process',
      dataDir: './data-agent',
    });
    expect(parseAgentConfig([], { SWARMDECK_AGENT_EXECUTOR: 'sim' }, 'host')).toMatchObject({
      executor: 'sim',
      hostname: 'host',
    });
  });

  it('refuses what it cannot use', () => {
    expect(() => parseAgentConfig(['--join', 'nohost'], {})).toThrow(/HOST:PORT/);
    expect(() => parseAgentConfig(['--executor', 'docker'], {})).toThrow(/not an executor/);
    expect(() => parseAgentConfig(['--label', '=x'], {})).toThrow(/KEY=VALUE/);
    expect(() => parseAgentConfig(['--bogus', '1'], {})).toThrow(/unknown flag/);
    expect(() => parseAgentConfig(['--hostname', 'bad name'], {})).toThrow(/host name/);
    expect(() => parseAgentConfig(['--token'], {})).toThrow(/needs a value/);
  });
  it('reads the token from --token-file or SWARMDECK_AGENT_TOKEN, never both from flags', () => {
    const read = (p: string) => {
      if (p !== '/t') throw new Error('no such file');
      return 'SWMTKN-1-file';
    };
    expect(parseAgentConfig(['--token-file', '/t'], {}, 'h', read).token).toBe('SWMTKN-1-file');
    expect(parseAgentConfig([], { SWARMDECK_AGENT_TOKEN: 'SWMTKN-1-env' }, 'h', read).token).toBe('SWMTKN-1-env');
    expect(parseAgentConfig([], { SWARMDECK_AGENT_TOKEN_FILE: '/t' }, 'h', read).token).toBe('SWMTKN-1-file');
    expect(() => parseAgentConfig(['--token', 'a', '--token-file', '/t'], {}, 'h', read)).toThrow(/give one/);
    expect(() => parseAgentConfig(['--token-file', '/x'], {}, 'h', read)).toThrow(/--token-file: no such file/);
  });
});
