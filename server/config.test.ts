import { describe, expect, it } from 'vitest';
import { ConfigError, insecureEngineWarning, isLoopbackHost, nodeGenericResources, parseConfig } from './config';

describe('parseConfig', () => {
  it('uses the documented defaults', () => {
    const c = parseConfig([], {});
    expect(c).toMatchObject({
      consolePort: 3000,
      enginePort: 2375,
      clusterPort: 2377,
      listenHost: '127.0.0.1',
      advertiseAddr: '127.0.0.1',
      dataDir: './data',
      simWorkers: 0,
      console: true,
    });
  });
  it('reads SWARMDECK_ variables and lets flags win', () => {
    const c = parseConfig(['--engine-port', '2400', '--sim-workers=4'], {
      SWARMDECK_ENGINE_PORT: '2385',
      SWARMDECK_CONSOLE_PORT: '3100',
      SWARMDECK_DATA_DIR: '/tmp/x',
    });
    expect(c.enginePort).toBe(2400);
    expect(c.consolePort).toBe(3100);
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.simWorkers).toBe(4);
  });
  it("takes this node's generic resources as dockerd's node-generic-resources", () => {
    expect(nodeGenericResources(parseConfig([], {}))).toBeUndefined();
    expect(nodeGenericResources(parseConfig(['--generic-resource', 'gpu=U1,gpu=U2, ssd=1'], {}))).toEqual([
      { NamedResourceSpec: { Kind: 'gpu', Value: 'U1' } },
      { NamedResourceSpec: { Kind: 'gpu', Value: 'U2' } },
      { DiscreteResourceSpec: { Kind: 'ssd', Value: 1 } },
    ]);
    expect(nodeGenericResources(parseConfig([], { SWARMDECK_GENERIC_RESOURCE: 'gpu=2' }))).toEqual([
      { DiscreteResourceSpec: { Kind: 'gpu', Value: 2 } },
    ]);
    expect(() => parseConfig(['--generic-resource', 'gpu=1,gpu=U'], {})).toThrow(
      /--generic-resource: .*mixed discrete and named/,
    );
  });

  it('turns --no-console off the console', () => {
    expect(parseConfig(['--no-console'], {}).console).toBe(false);
  });
  it('takes the executor of this node: process (real tasks) by default, or sim', () => {
    expect(parseConfig([], {}).executor).toBe('process');
    expect(parseConfig(['--executor', 'sim'], {}).executor).toBe('sim');
    expect(parseConfig([], { SWARMDECK_EXECUTOR: 'sim' }).executor).toBe('sim');
    expect(parseConfig(['--sim-workers', '3', '--demo'], {}).executor).toBe('process');
    expect(() => parseConfig(['--executor', 'docker'], {})).toThrow(/not an executor/);
  });
  it('rejects bad values with a clear message', () => {
    expect(() => parseConfig(['--engine-port', 'x'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--engine-port', '70000'], {})).toThrow(/not a port/);
    expect(() => parseConfig(['--bogus'], {})).toThrow(/unknown flag --bogus/);
    expect(() => parseConfig(['--data-dir'], {})).toThrow(/needs a value/);
    expect(() => parseConfig(['--engine-port', '3000'], {})).toThrow(/must differ/);
  });

  it('joins with --join HOST:PORT --token T; --no-init waits uninitialised', () => {
    expect(parseConfig([], {})).toMatchObject({ join: '', token: '', init: true });
    expect(parseConfig(['--join', '127.0.0.1:2377', '--token', 'SWMTKN-1-x'], {})).toMatchObject({
      join: '127.0.0.1:2377',
      token: 'SWMTKN-1-x',
    });
    expect(parseConfig(['--no-init'], {}).init).toBe(false);
    expect(parseConfig([], { SWARMDECK_INIT: 'false' }).init).toBe(false);
    expect(() => parseConfig(['--join', '127.0.0.1:2377'], {})).toThrow(/needs --token/);
    expect(() => parseConfig(['--join', 'nohost', '--token', 't'], {})).toThrow(/HOST:PORT/);
  });

  it('never echoes a join token in an error (it goes to the logs)', () => {
    const token = 'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx';
    const errorOf = (argv: string[], env: Record<string, string> = {}) => {
      try {
        parseConfig(argv, env);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    // the token as the wrong argument, a stray one, a mistyped flag's value, a bad variable
    for (const message of [
      errorOf(['--join', '127.0.0.1:2377', token]),
      errorOf(['--join', token, '--token', '127.0.0.1:2377']),
      errorOf(['--engine-port', token]),
      errorOf([], { SWARMDECK_JOIN: token, SWARMDECK_TOKEN: token }),
    ]) {
      expect(message).toContain('SWMTKN-…');
      expect(message).not.toContain('1awxwuwd3z9j1z3puu7rcgdbx');
    }
  });
});

describe('--dispatcher-heartbeat', () => {
  it('takes a duration for a new swarm and refuses nonsense', () => {
    expect(parseConfig(['--dispatcher-heartbeat', '1s'], {}).dispatcherHeartbeatMs).toBe(1_000);
    expect(parseConfig(['--dispatcher-heartbeat=500ms'], {}).dispatcherHeartbeatMs).toBe(500);
    expect(parseConfig([], { SWARMDECK_DISPATCHER_HEARTBEAT: '2s' }).dispatcherHeartbeatMs).toBe(2_000);
    expect(parseConfig([], {}).dispatcherHeartbeatMs).toBe(0);
    expect(() => parseConfig(['--dispatcher-heartbeat', '5'], {})).toThrow(/not a duration/);
    expect(() => parseConfig(['--dispatcher-heartbeat', '10ms'], {})).toThrow(/not a duration/);
  });
  it('takes the join token from a file or the environment, so it need not show in ps', () => {
    const files: Record<string, string> = { '/run/token': 'SWMTKN-1-fromfile\n' };
    const read = (p: string) => {
      if (!(p in files)) throw new Error(`ENOENT: no such file, open '${p}'`);
      return files[p]!.trim();
    };
    expect(parseConfig(['--join', 'h:2377', '--token-file', '/run/token'], {}, read).token).toBe('SWMTKN-1-fromfile');
    expect(parseConfig(['--join', 'h:2377'], { SWARMDECK_TOKEN: 'SWMTKN-1-env' }, read).token).toBe('SWMTKN-1-env');
    // a file given as a flag wins over the environment's token
    expect(parseConfig(['--token-file', '/run/token'], { SWARMDECK_TOKEN: 'SWMTKN-1-env' }, read).token).toBe(
      'SWMTKN-1-fromfile',
    );
    expect(() => parseConfig(['--token', 'x', '--token-file', '/run/token'], {}, read)).toThrow(/give one of them/);
    expect(() => parseConfig(['--token-file', '/nope'], {}, read)).toThrow(/--token-file: ENOENT/);
    expect(() => parseConfig(['--join', 'h:2377'], {}, read)).toThrow(/--token or --token-file/);
  });
});

describe('Engine API TLS flags', () => {
  const files = ['--tlscacert', 'ca.pem', '--tlscert', 'cert.pem', '--tlskey', 'key.pem'];
  it('--tlsverify implies --tls and needs the CA, certificate and key', () => {
    const c = parseConfig(['--tlsverify', ...files], {});
    expect([c.tls, c.tlsVerify, c.tlsCACert, c.tlsCert, c.tlsKey]).toEqual([
      true,
      true,
      'ca.pem',
      'cert.pem',
      'key.pem',
    ]);
    expect(() => parseConfig(['--tlsverify', '--tlscert', 'c', '--tlskey', 'k'], {})).toThrow(
      /--tlsverify needs --tlscacert/,
    );
    expect(() => parseConfig(['--tls', '--tlscert', 'c'], {})).toThrow(/need --tlscert and --tlskey/);
    expect(parseConfig(['--tls', '--tlscert', 'c', '--tlskey', 'k'], {}).tlsVerify).toBe(false);
    expect(() => parseConfig(['--tlscert', 'c', '--tlskey', 'k'], {})).toThrow(/only with --tls or --tlsverify/);
    expect(
      parseConfig([], {
        SWARMDECK_TLSVERIFY: '1',
        SWARMDECK_TLSCACERT: 'a',
        SWARMDECK_TLSCERT: 'b',
        SWARMDECK_TLSKEY: 'c',
      }).tls,
    ).toBe(true);
  });

  it('refuses a non-loopback Engine API without --tlsverify unless --engine-insecure-bind', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1'])
      expect(parseConfig(['--listen-host', host], {}).listenHost).toBe(host);
    expect(() => parseConfig(['--listen-host', '0.0.0.0'], {})).toThrow(/without --tlsverify.*--engine-insecure-bind/);
    expect(() => parseConfig(['--listen-host', '10.0.0.5', '--tls', '--tlscert', 'c', '--tlskey', 'k'], {})).toThrow(
      /without --tlsverify/,
    );
    expect(parseConfig(['--listen-host', '0.0.0.0', '--tlsverify', ...files], {}).listenHost).toBe('0.0.0.0');
    const insecure = parseConfig(['--listen-host', '0.0.0.0', '--engine-insecure-bind'], {});
    expect(insecureEngineWarning(insecure)).toMatch(
      /^WARNING: the Engine API listens on 0\.0\.0\.0:2375 without --tlsverify/,
    );
    expect(insecureEngineWarning(parseConfig([], {}))).toBeUndefined();
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.example.com')).toBe(false);
  });
});
