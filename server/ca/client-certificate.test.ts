import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientIdentity, issueClientCertificate } from './client-certificate';
import { createRootCA } from './root-ca';

describe('Engine API client certificates', () => {
  it('issues CN=<name>, OU=<role>, O=<cluster> for client auth, signed by the swarm root, with a matching key', async () => {
    const root = await createRootCA();
    const { cert, key } = await issueClientCertificate(
      { cert: root.cert, key: root.key, intermediates: '' },
      { name: 'alice', role: 'operator', clusterID: 'cluster1' },
    );
    const x = new X509Certificate(cert);
    expect(x.subject.split('\n').sort()).toEqual(['CN=alice', 'O=cluster1', 'OU=operator']);
    expect(x.verify(new X509Certificate(root.cert).publicKey)).toBe(true);
    expect(x.checkPrivateKey((await import('node:crypto')).createPrivateKey(key))).toBe(true);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x.ca).toBe(false);
  });

  it('refuses a bad name or role', async () => {
    const root = await createRootCA();
    const signer = { cert: root.cert, key: root.key, intermediates: '' };
    await expect(issueClientCertificate(signer, { name: 'a b', role: 'admin', clusterID: 'c' })).rejects.toThrow(
      /invalid name "a b"/,
    );
    await expect(
      issueClientCertificate(signer, { name: 'bob', role: 'root' as 'admin', clusterID: 'c' }),
    ).rejects.toThrow(/invalid role "root": one of viewer, operator, admin/);
  });

  it('maps a verified certificate to its subject and role, and anything else to no one', () => {
    expect(clientIdentity({ subject: { CN: 'alice', OU: 'viewer', O: 'c1' } }, 'c1')).toEqual({
      subject: 'CN=alice,OU=viewer,O=c1',
      name: 'alice',
      role: 'viewer',
    });
    expect(clientIdentity({ subject: { CN: 'ci', OU: 'admin' } })?.role).toBe('admin');
    expect(clientIdentity(undefined)).toBeUndefined();
    expect(clientIdentity({ subject: {} })).toBeUndefined();
    // a node certificate is not a client certificate
    expect(clientIdentity({ subject: { CN: 'node1', OU: 'swarm-manager', O: 'c1' } }, 'c1')).toBeUndefined();
    // two roles, another swarm's certificate
    expect(clientIdentity({ subject: { CN: 'a', OU: ['viewer', 'admin'] } })).toBeUndefined();
    expect(clientIdentity({ subject: { CN: 'alice', OU: 'admin', O: 'other' } }, 'c1')).toBeUndefined();
  });
});

describe('isNodeCertificate', () => {
  it('tells a node certificate from a client one', async () => {
    const { isNodeCertificate } = await import('./client-certificate');
    expect(isNodeCertificate({ subject: { CN: 'n1', OU: 'swarm-worker', O: 'c' } })).toBe(true);
    expect(isNodeCertificate({ subject: { CN: 'n1', OU: ['viewer', 'swarm-manager'] } })).toBe(true);
    expect(isNodeCertificate({ subject: { CN: 'alice', OU: 'admin' } })).toBe(false);
    expect(isNodeCertificate(undefined)).toBe(false);
  });
});
