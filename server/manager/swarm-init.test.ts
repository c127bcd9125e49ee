import { describe, expect, it } from 'vitest';
import { SwarmError } from '../api/errors';
import { defaultClusterSpec } from './bootstrap';
import {
  BAD_ADVERTISE_ADDR,
  BAD_DATA_PATH_ADDR,
  BAD_LISTEN_ADDR,
  EXTERNAL_CA_UNSUPPORTED,
  initSettings,
  mergeInitSpec,
  type InitRequestBody,
  type ProcessAddrs,
} from './swarm-init';

const proc: ProcessAddrs = {
  listenHost: '127.0.0.1',
  advertiseHost: '127.0.0.1',
  clusterPort: 41234,
  interfaces: { lo: ['127.0.0.1', '::1'], eth9: ['10.1.2.3', '10.1.2.4'] },
};
// what docker CLI 28.2 sends for a bare `docker swarm init`
const bare: InitRequestBody = { ListenAddr: '0.0.0.0:2377', AdvertiseAddr: '', DefaultAddrPool: [], SubnetSize: 24 };

function refused(req: InitRequestBody, message: string) {
  let err: unknown;
  try {
    initSettings(req, proc);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SwarmError);
  expect((err as SwarmError).status).toBe(400);
  expect((err as SwarmError).message).toBe(message);
}

describe('swarm init settings', () => {
  it('a bare init: the defaults (no pool of its own, data path port 4789)', () => {
    expect(initSettings(bare, proc)).toEqual({ dataPathPort: 4789 });
  });

  it('address pools, mask length, data path port and address, availability', () => {
    const s = initSettings(
      {
        ...bare,
        DefaultAddrPool: ['10.20.0.0/16', ' 192.168.0.0/20'],
        SubnetSize: 26,
        DataPathPort: 7789,
        DataPathAddr: 'lo',
        Availability: 'drain',
      },
      proc,
    );
    expect(s).toEqual({
      defaultAddrPool: ['10.20.0.0/16', '192.168.0.0/20'],
      subnetSize: 26,
      dataPathPort: 7789,
      dataPathAddr: '127.0.0.1',
      availability: 'drain',
    });
  });

  it('dockerd texts for pools and the data path', () => {
    refused({ ...bare, SubnetSize: 30 }, 'subnet size is out of range: 30'); // checked even without a pool
    refused(
      { ...bare, DefaultAddrPool: ['10.20.0.0/16'], SubnetSize: 12 },
      'invalid CIDR: "10.20.0.0/16". Subnet size is too small for pool: 12',
    );
    refused(
      { ...bare, DefaultAddrPool: ['10.20.0/16'] },
      'invalid base pool 10.20.0/16: invalid CIDR address: 10.20.0/16',
    );
    refused({ ...bare, DataPathPort: 80 }, 'Datapath port number is not in valid range (1024-49151) : 80');
    refused({ ...bare, DataPathPort: 50000 }, 'Datapath port number is not in valid range (1024-49151) : 50000');
    refused({ ...bare, DataPathAddr: '0.0.0.0' }, BAD_DATA_PATH_ADDR);
    refused({ ...bare, DataPathAddr: '10.0.0.1:4789' }, BAD_DATA_PATH_ADDR);
    refused({ ...bare, DataPathAddr: 'eth9' }, 'interface eth9 has more than one IPv4 address (10.1.2.3 and 10.1.2.4)');
  });

  it('listen and advertise addresses: this process already has them; another is refused, never ignored', () => {
    expect(initSettings({ ...bare, ListenAddr: '127.0.0.1:41234', AdvertiseAddr: '127.0.0.1' }, proc)).toBeDefined();
    expect(initSettings({ ...bare, ListenAddr: '0.0.0.0:41234', AdvertiseAddr: 'lo:41234' }, proc)).toBeDefined();
    refused({ ...bare, ListenAddr: 'bogus:2377' }, BAD_LISTEN_ADDR);
    refused({ ...bare, ListenAddr: '127.0.0.1' }, 'could not parse listen address 127.0.0.1');
    refused(
      { ...bare, ListenAddr: '127.0.0.1:2999' },
      'listen address 127.0.0.1:2999: this process listens for the swarm on 127.0.0.1:41234, set when it started (--listen-host, --cluster-port); start it with those to listen elsewhere',
    );
    refused({ ...bare, AdvertiseAddr: '0.0.0.0' }, BAD_ADVERTISE_ADDR);
    refused(
      { ...bare, AdvertiseAddr: '127.0.0.9' },
      'advertise address 127.0.0.9: this process advertises 127.0.0.1:41234, set when it started (--advertise-addr, --cluster-port); start it with those to advertise another address',
    );
  });

  it('autolock is taken from the flag or the spec; an external CA is refused, not ignored', () => {
    expect(initSettings({ ...bare, AutoLockManagers: true }, proc).autolock).toBe(true);
    const withLock = { ...defaultClusterSpec(), EncryptionConfig: { AutoLockManagers: true } };
    expect(initSettings({ ...bare, Spec: withLock }, proc).autolock).toBe(true);
    expect(initSettings(bare, proc).autolock).toBeUndefined();
    const spec = defaultClusterSpec();
    refused(
      { ...bare, Spec: { ...spec, CAConfig: { ExternalCAs: [{ Protocol: 'cfssl', URL: 'https://ca', CACert: '' }] } } },
      EXTERNAL_CA_UNSUPPORTED,
    );
  });

  it('the spec flags land on the defaults; zero fields keep them', () => {
    const base = defaultClusterSpec();
    const merged = mergeInitSpec(base, {
      ...base,
      Orchestration: { TaskHistoryRetentionLimit: 3 },
      Raft: { SnapshotInterval: 500, KeepOldSnapshots: 2, ElectionTick: 0, HeartbeatTick: 0 },
      Dispatcher: { HeartbeatPeriod: 2e9 },
      CAConfig: { NodeCertExpiry: 48 * 3600e9 },
    });
    expect(merged.Orchestration.TaskHistoryRetentionLimit).toBe(3);
    expect(merged.Raft).toEqual({ ...base.Raft, SnapshotInterval: 500, KeepOldSnapshots: 2 });
    expect(merged.Dispatcher.HeartbeatPeriod).toBe(2e9);
    expect(merged.CAConfig.NodeCertExpiry).toBe(48 * 3600e9);
    expect(mergeInitSpec(base, undefined)).toBe(base);
  });
});
