import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import { parseOrThrow } from './issues';
import { parseServiceSpec, serviceSpecSchema } from './service-spec';

const spec = (over: Record<string, unknown> = {}) => ({
  Name: 'web',
  TaskTemplate: { ContainerSpec: { Image: 'nginx' } },
  ...over,
});

function refusal(fn: () => unknown): SwarmError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SwarmError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const decode = (input: unknown) => refusal(() => parseServiceSpec(input)).message;

describe("Go's decoder, as dockerd decodes a body", () => {
  it('matches keys case-insensitively (exact first) and drops keys Docker does not know', () => {
    const s = parseServiceSpec({
      name: 'web',
      taskTemplate: { containerspec: { image: 'nginx', ENV: ['A=1'] } },
      Bogus: 1,
      Mode: { Replicated: { Replicas: 2, Extra: true } },
    });
    expect(s.Name).toBe('web');
    expect(s.TaskTemplate.ContainerSpec.Image).toBe('nginx');
    expect(s.TaskTemplate.ContainerSpec.Env).toEqual(['A=1']);
    expect(s).not.toHaveProperty('Bogus');
    expect(s.Mode).toEqual({ Replicated: { Replicas: 2 } });
  });

  it('takes the last of two keys for one field, and null as unset', () => {
    expect(parseServiceSpec({ ...spec(), name: 'other' }).Name).toBe('other');
    const s = parseServiceSpec(spec({ Labels: null, UpdateConfig: null, EndpointSpec: null }));
    expect(s.Labels).toEqual({});
    expect(s).not.toHaveProperty('UpdateConfig');
    // a null element or map value is the element's zero value
    const z = parseServiceSpec(
      spec({ Labels: { a: null }, TaskTemplate: { ContainerSpec: { Image: 'x', Env: [null] } } }),
    );
    expect(z.Labels).toEqual({ a: '' });
    expect(z.TaskTemplate.ContainerSpec.Env).toEqual(['']);
  });

  it.each([
    [
      spec({ TaskTemplate: { ContainerSpec: { Image: 'nginx', Env: 'A=1' } } }),
      'invalid JSON: json: cannot unmarshal string into Go struct field ContainerSpec.TaskTemplate.ContainerSpec.Env of type []string',
    ],
    [
      spec({ TaskTemplate: { ContainerSpec: { Image: 'nginx', Env: [1] } } }),
      'invalid JSON: json: cannot unmarshal number into Go struct field ContainerSpec.TaskTemplate.ContainerSpec.Env of type string',
    ],
    [
      spec({ TaskTemplate: 'x' }),
      'invalid JSON: json: cannot unmarshal string into Go struct field ServiceSpec.TaskTemplate of type swarm.TaskSpec',
    ],
    // Go 1.24 names the embedded struct a field comes from
    [
      spec({ Name: 5 }),
      'invalid JSON: json: cannot unmarshal number into Go struct field ServiceSpec.Annotations.Name of type string',
    ],
    [
      spec({ Labels: { a: 1 } }),
      'invalid JSON: json: cannot unmarshal number into Go struct field ServiceSpec.Annotations.Labels of type string',
    ],
    [
      spec({ Mode: { Replicated: { Replicas: -1 } } }),
      'invalid JSON: json: cannot unmarshal number -1 into Go struct field ReplicatedService.Mode.Replicated.Replicas of type uint64',
    ],
    [
      spec({ Mode: { Replicated: { Replicas: '3' } } }),
      'invalid JSON: json: cannot unmarshal string into Go struct field ReplicatedService.Mode.Replicated.Replicas of type uint64',
    ],
    [
      spec({ TaskTemplate: { ContainerSpec: { Image: 'x', StopGracePeriod: 1.5 } } }),
      'invalid JSON: json: cannot unmarshal number 1.5 into Go struct field ContainerSpec.TaskTemplate.ContainerSpec.StopGracePeriod of type time.Duration',
    ],
    [
      spec({ TaskTemplate: { ContainerSpec: { Image: 'x', Healthcheck: { Retries: 'x' } } } }),
      'invalid JSON: json: cannot unmarshal string into Go struct field HealthcheckConfig.TaskTemplate.ContainerSpec.Healthcheck.Retries of type int',
    ],
    [
      spec({ TaskTemplate: { ContainerSpec: { Image: 'x', Mounts: [{ Type: 3 }] } } }),
      'invalid JSON: json: cannot unmarshal number into Go struct field Mount.TaskTemplate.ContainerSpec.Mounts.Type of type mount.Type',
    ],
    [
      spec({ TaskTemplate: { ContainerSpec: { Image: 'x', Ulimits: [{ Soft: true }] } } }),
      'invalid JSON: json: cannot unmarshal bool into Go struct field Ulimit.TaskTemplate.ContainerSpec.Ulimits.Soft of type int64',
    ],
    [
      spec({
        TaskTemplate: {
          ContainerSpec: { Image: 'x' },
          Placement: { Preferences: [{ Spread: { SpreadDescriptor: 7 } }] },
        },
      }),
      'invalid JSON: json: cannot unmarshal number into Go struct field SpreadOver.TaskTemplate.Placement.Preferences.Spread.SpreadDescriptor of type string',
    ],
    [
      spec({ EndpointSpec: { Ports: [{ TargetPort: 2 ** 32 }] } }),
      'invalid JSON: json: cannot unmarshal number 4294967296 into Go struct field PortConfig.EndpointSpec.Ports.TargetPort of type uint32',
    ],
    [
      spec({ UpdateConfig: { MaxFailureRatio: 1e39 } }),
      'invalid JSON: json: cannot unmarshal number 1e+39 into Go struct field UpdateConfig.UpdateConfig.MaxFailureRatio of type float32',
    ],
    [
      spec({ TaskTemplate: { ContainerSpec: { Image: 'x', Init: 'yes' } } }),
      'invalid JSON: json: cannot unmarshal string into Go struct field ContainerSpec.TaskTemplate.ContainerSpec.Init of type bool',
    ],
    [
      spec({ TaskTemplate: { ContainerSpec: { Image: 'x', Sysctls: ['a'] } } }),
      'invalid JSON: json: cannot unmarshal array into Go struct field ContainerSpec.TaskTemplate.ContainerSpec.Sysctls of type map[string]string',
    ],
    ['web', 'invalid JSON: json: cannot unmarshal string into Go value of type swarm.ServiceSpec'],
    [[1], 'invalid JSON: json: cannot unmarshal array into Go value of type swarm.ServiceSpec'],
  ])('refuses %j in Go’s words', (input, message) => {
    const e = refusal(() => parseServiceSpec(input));
    expect([e.status, e.message]).toEqual([400, message]);
  });

  it('reads an integer field up to its Go range, and refuses one past it', () => {
    const max = 2 ** 63 - 1024; // the largest double below 2^63
    expect(
      parseServiceSpec(spec({ TaskTemplate: { ContainerSpec: { Image: 'x', OomScoreAdj: 0, StopGracePeriod: max } } }))
        .TaskTemplate.ContainerSpec.StopGracePeriod,
    ).toBe(max);
    expect(decode(spec({ TaskTemplate: { ContainerSpec: { Image: 'x', StopGracePeriod: 2 ** 63 } } }))).toMatch(
      /cannot unmarshal number 9223372036854776000 into Go struct field .*StopGracePeriod of type time.Duration/,
    );
  });

  it('refuses -2^63, which JSON prints as a literal past int64 (the CLI could not read it back)', () => {
    expect(JSON.stringify(-(2 ** 63))).toBe('-9223372036854776000');
    expect(
      decode(spec({ TaskTemplate: { ContainerSpec: { Image: 'x' }, Resources: { Limits: { Pids: -(2 ** 63) } } } })),
    ).toBe(
      'invalid JSON: json: cannot unmarshal number -9223372036854776000 into Go struct field Limit.TaskTemplate.Resources.Limits.Pids of type int64',
    );
    // the largest doubles within range print as literals within range
    expect(JSON.stringify(2 ** 63 - 1024)).toBe('9223372036854775000');
    expect(JSON.stringify(-(2 ** 63) + 1024)).toBe('-9223372036854775000');
  });

  it('takes an empty body as the EOF dockerd reports, and a null one as an empty spec', () => {
    expect(refusal(() => parseOrThrow(serviceSpecSchema, undefined, 'swarm.ServiceSpec')).message).toBe(
      'invalid JSON: got EOF while reading request body',
    );
    expect(decode(null)).toBe('mismatched Runtime and *Spec fields');
  });

  it('checks []byte fields as base64', () => {
    const seccomp = (Profile: string) =>
      spec({ TaskTemplate: { ContainerSpec: { Image: 'x', Privileges: { Seccomp: { Mode: 'custom', Profile } } } } });
    expect(parseServiceSpec(seccomp('e30=')).TaskTemplate.ContainerSpec.Privileges?.Seccomp?.Profile).toBe('e30=');
    expect(decode(seccomp('not base64!'))).toBe(
      'invalid JSON: illegal base64 data in TaskTemplate.ContainerSpec.Privileges.Seccomp.Profile',
    );
  });
});
