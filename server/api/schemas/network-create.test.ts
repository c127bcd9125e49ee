import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import { networkSpecFromCreate, parseNetworkCreate } from './network-create';

function refusal(fn: () => unknown): SwarmError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SwarmError) return e;
    throw e;
  }
  throw new Error('expected a SwarmError');
}

const create = (body: unknown) => networkSpecFromCreate(parseNetworkCreate(body));

// what `docker network create -d overlay --subnet 10.20.0.0/24 --gateway 10.20.0.1 --ip-range 10.20.0.128/25
// --attachable --internal --label a=b --opt encrypted appnet` sends (CLI 28.2.2)
const CLI_BODY = {
  Name: 'appnet',
  Driver: 'overlay',
  Scope: '',
  IPAM: {
    Driver: 'default',
    Options: {},
    Config: [{ Subnet: '10.20.0.0/24', IPRange: '10.20.0.128/25', Gateway: '10.20.0.1', AuxiliaryAddresses: {} }],
  },
  Internal: true,
  Attachable: true,
  Ingress: false,
  ConfigOnly: false,
  ConfigFrom: null,
  Options: { encrypted: '' },
  Labels: { a: 'b' },
};

describe('network create request', () => {
  it('becomes the swarm spec dockerd sends the manager (BasicNetworkCreateToGRPC)', () => {
    expect(create(CLI_BODY)).toEqual({
      Name: 'appnet',
      Labels: { a: 'b' },
      DriverConfiguration: { Name: 'overlay', Options: { encrypted: '' } },
      Internal: true,
      Attachable: true,
      IPAMOptions: {
        Driver: { Name: 'default' },
        Configs: [{ Subnet: '10.20.0.0/24', Range: '10.20.0.128/25', Gateway: '10.20.0.1' }],
      },
    });
    // stack deploy's form: no IPAM, null maps; keys in any case, as Go matches them
    expect(create({ name: 'st_front', DRIVER: 'overlay', IPAM: null, Options: null, labels: { k: 'v' } })).toEqual({
      Name: 'st_front',
      Labels: { k: 'v' },
      DriverConfiguration: { Name: 'overlay' },
    });
  });

  it("refuses a body of the wrong JSON types in Go's words", () => {
    expect(refusal(() => parseNetworkCreate({ Name: 'x', Attachable: 'yes' })).message).toBe(
      'invalid JSON: json: cannot unmarshal string into Go struct field CreateRequest.CreateOptions.Attachable of type bool',
    );
    expect(refusal(() => parseNetworkCreate(undefined)).message).toBe(
      'invalid JSON: got EOF while reading request body',
    );
  });

  it('keeps the predefined names (403, with the trailing space dockerd prints)', () => {
    for (const name of ['bridge', 'host', 'none', 'default']) {
      const e = refusal(() => create({ Name: name, Driver: 'overlay' }));
      expect([e.status, e.message]).toEqual([403, `operation is not permitted on predefined ${name} network `]);
    }
    // the check is exact, as dockerd's
    expect(create({ Name: 'Bridge', Driver: 'overlay' }).Name).toBe('Bridge');
  });

  it("checks the IPAM config as dockerd's ValidateIPAM, every problem listed", () => {
    const ipam = (cfg: object) => refusal(() => create({ Name: 'n', Driver: 'overlay', IPAM: { Config: [cfg] } }));
    expect(ipam({ Subnet: '10.0.0.0/33' }).message).toBe(
      'invalid network config:\ninvalid subnet 10.0.0.0/33: invalid CIDR block notation',
    );
    expect(ipam({ Subnet: '10.30.0.1/24' }).message).toBe(
      'invalid network config:\ninvalid subnet 10.30.0.1/24: it should be 10.30.0.0/24',
    );
    const many = ipam({ Subnet: '10.30.0.0/24', IPRange: '10.31.0.0/16', Gateway: '10.31.0.1' });
    expect([many.status, many.message]).toEqual([
      400,
      'invalid network config:\n' +
        '* invalid ip-range 10.31.0.0/16: CIDR block is bigger than its parent subnet 10.30.0.0/24\n' +
        "* invalid ip-range 10.31.0.0/16: parent subnet 10.30.0.0/24 doesn't contain ip-range\n" +
        "* invalid gateway 10.31.0.1: parent subnet 10.30.0.0/24 doesn't contain this address",
    ]);
    expect(ipam({ Subnet: '10.30.0.0/24', IPRange: '10.30.0.129/25' }).message).toBe(
      'invalid network config:\ninvalid ip-range 10.30.0.129/25: it should be 10.30.0.128/25',
    );
    expect(ipam({ Subnet: '10.30.0.0/24', Gateway: 'nope' }).message).toBe(
      'invalid network config:\ninvalid gateway nope: invalid address',
    );
    expect(ipam({ Subnet: '10.30.0.0/24', AuxiliaryAddresses: { h: '10.9.0.1' } }).message).toBe(
      "invalid network config:\ninvalid auxiliary address h: parent subnet 10.30.0.0/24 doesn't contain this address",
    );
  });

  it("refuses what would make a daemon-local network, and what Swarmdeck's overlay cannot carry", () => {
    const e = (body: object) => refusal(() => create({ Name: 'n', ...body }));
    expect(e({}).message).toMatch(/^network driver "bridge" would create a network local to one daemon/);
    expect(e({ Driver: 'macvlan' }).status).toBe(400);
    expect(e({ Driver: 'overlay', ConfigOnly: true }).message).toMatch(/^config-only networks are local/);
    const scope = e({ Driver: 'overlay', Scope: 'local' });
    expect([scope.status, scope.message]).toEqual([403, 'cannot downgrade network scope for overlay networks']);
    const from = e({ Driver: 'overlay', ConfigFrom: { Network: 'cfg' } });
    expect([from.status, from.message]).toEqual([404, 'configuration network "cfg" does not exist']);
    expect(e({ Driver: 'overlay', EnableIPv4: false }).message).toBe(
      'IPv4 cannot be disabled in a Swarm scoped network',
    );
    expect(e({ Driver: 'overlay', Options: { 'com.docker.network.enable_ipv4': 'nah' } }).message).toBe(
      'driver-opt "com.docker.network.enable_ipv4" is not a valid bool',
    );
    expect(e({ Driver: 'overlay', EnableIPv6: true }).message).toMatch(/IPv4 only/);
    expect(refusal(() => create({ Name: ' ', Driver: 'overlay' })).message).toBe('invalid name: name is empty');
    // the option is read when the field is absent, and dropped when the field decides
    expect(create({ Name: 'n', Driver: 'overlay', Options: { 'com.docker.network.enable_ipv4': 'true' } })).toEqual({
      Name: 'n',
      Labels: {},
      DriverConfiguration: { Name: 'overlay', Options: { 'com.docker.network.enable_ipv4': 'true' } },
    });
    expect(
      create({ Name: 'n', Driver: 'overlay', EnableIPv4: true, Options: { 'com.docker.network.enable_ipv4': 'x' } })
        .DriverConfiguration,
    ).toEqual({ Name: 'overlay' });
  });
});
