import { describe, expect, it } from 'vitest';
import { AgentConfigError, parseAgentConfig } from './config';

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
      genericResources: [],
    });
  });

  it('reads generic resources as dockerd reads node-generic-resources', () => {
    expect(
      parseAgentConfig(['--generic-resource', 'gpu=2', '--generic-resource=fpga=F1'], {}).genericResources,
    ).toEqual([
      { DiscreteResourceSpec: { Kind: 'gpu', Value: 2 } },
      { NamedResourceSpec: { Kind: 'fpga', Value: 'F1' } },
    ]);
    expect(parseAgentConfig([], { SWARMDECK_AGENT_GENERIC_RESOURCE: 'gpu=1' }).genericResources).toEqual([
      { DiscreteResourceSpec: { Kind: 'gpu', Value: 1 } },
    ]);
    expect(() => parseAgentConfig(['--generic-resource', 'gpu'], {})).toThrow(/--generic-resource: .*incorrect term/);
  });

  it('refuses what it cannot use', () => {
    expect(() => parseAgentConfig(['--join', 'nohost'], {})).toThrow(/HOST:PORT/);
    expect(() => parseAgentConfig(['--executor', 'docker'], {})).toThrow(/not an executor/);
    expect(() => parseAgentConfig(['--label', '=x'], {})).toThrow(/KEY=VALUE/);
    expect(() => parseAgentConfig(['--bogus', '1'], {})).toThrow(/unknown flag/);
    expect(() => parseAgentConfig(['--hostname', 'bad name'], {})).toThrow(/host name/);
    expect(() => parseAgentConfig(['--token'], {})).toThrow(/needs a value/);
  });

  it('never echoes a join token in an error (it goes to the logs)', () => {
    const token = 'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx';
    const errorOf = (argv: string[], env: Record<string, string> = {}) => {
      try {
        parseAgentConfig(argv, env);
      } catch (err) {
        expect(err).toBeInstanceOf(AgentConfigError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    for (const message of [
      errorOf(['--join', '127.0.0.1:2377', token]),
      errorOf(['--join', token]),
      errorOf(['--hostname', token]),
      errorOf([], { SWARMDECK_AGENT_JOIN: token, SWARMDECK_AGENT_TOKEN: token }),
    ]) {
      expect(message).toContain('SWMTKN-…');
      expect(message).not.toContain('1awxwuwd3z9j1z3puu7rcgdbx');
    }
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

  it('reads the mesh flags: data path port (default 4789, 0 = no mesh) and drain delay (default 1s)', () => {
    expect(parseAgentConfig([], {}, 'host')).toMatchObject({ dataPathPort: 4789, drainDelayMs: 1000 });
    expect(parseAgentConfig(['--data-path-port', '0', '--drain-delay', '250ms'], {}, 'host')).toMatchObject({
      dataPathPort: 0,
      drainDelayMs: 250,
    });
    expect(parseAgentConfig([], { SWARMDECK_AGENT_DATA_PATH_PORT: '7946' }, 'host').dataPathPort).toBe(7946);
    expect(() => parseAgentConfig(['--data-path-port', '70000'], {}, 'host')).toThrow(
      '--data-path-port: "70000" is not a port (0-65535)',
    );
    expect(() => parseAgentConfig(['--drain-delay', 'soon'], {}, 'host')).toThrow(
      '--drain-delay: "soon" is not a duration up to 1m (e.g. 1s, 500ms)',
    );
  });
});
