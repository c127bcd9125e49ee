import { describe, expect, it } from 'vitest';
import { agentCredentialsSchema, nodeIdentitySchema, parsePersisted } from './persisted';

describe('data dir files read back', () => {
  it('reads what was written', () => {
    expect(parsePersisted(nodeIdentitySchema, '{"nodeID":"n1"}\n', 'node.json')).toEqual({ nodeID: 'n1' });
    expect(parsePersisted(agentCredentialsSchema, '{"clusterID":"c","nodeID":"n"}', 'a.json')).toEqual({
      clusterID: 'c',
      nodeID: 'n',
      managers: {},
      leader: '',
    });
  });

  it('refuses a damaged file with a message naming it and the field', () => {
    expect(() => parsePersisted(agentCredentialsSchema, '{"clusterID":"c"', '/d/cluster-credentials.json')).toThrow(
      /^\/d\/cluster-credentials\.json is not valid JSON \(damaged\?\); restore it from a backup or remove it$/,
    );
    // JSON.parse quotes the text it choked on, which may be a key
    expect(() => parsePersisted(agentCredentialsSchema, 's3cr3tk3y', 'c.json')).not.toThrow(/s3cr3tk3y/);
    expect(() => parsePersisted(agentCredentialsSchema, '{"clusterID":"c","nodeID":5}', '/d/c.json')).toThrow(
      '/d/c.json is damaged: field nodeID: Invalid input: expected string, received number; restore it from a backup or remove it',
    );
    expect(() => parsePersisted(nodeIdentitySchema, '[]', 'node.json')).toThrow(/^node\.json is damaged: /);
    expect(() =>
      parsePersisted(agentCredentialsSchema, '{"clusterID":"c","nodeID":"n","managers":[1]}', 'a.json'),
    ).toThrow(/field managers: /);
  });
});
