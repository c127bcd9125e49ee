import { describe, expect, it } from 'vitest';
import type { RootCA } from '../api/types';
import {
  createCSR,
  createRootCA,
  desiredIssuer,
  finishRotation,
  rootCAFrom,
  signCSR,
  signerOf,
  startRotation,
  WORKER_ROLE,
  MANAGER_ROLE,
} from '../ca';
import { ManualClock } from '../util/clock';
import { NodeCredentials } from './node-credentials';
import { CertificateRenewer } from './renewer';

const HOUR = 3_600_000;
const flush = () => new Promise((r) => setTimeout(r, 20));

async function setup(random = 0) {
  const expiryMs = HOUR;
  const clock = new ManualClock(Date.now());
  const state = { root: rootCAFrom(await createRootCA()) as RootCA, role: 'worker' as 'worker' | 'manager', fail: 0 };
  const issue = async (csr: string) => {
    if (state.fail > 0) {
      state.fail--;
      throw new Error('manager unreachable');
    }
    const role = state.role === 'worker' ? WORKER_ROLE : MANAGER_ROLE;
    const subject = { nodeID: 'n1', role, clusterID: 'c1' } as const;
    // certificates are dated by the test's clock, so renewal times follow it
    const certificate = await signCSR(signerOf(state.root), csr, subject, expiryMs, clock.now());
    return { certificate, rootCA: state.root.CACert };
  };
  const creds = new NodeCredentials(undefined);
  const { csr, key } = await createCSR();
  await creds.install({ chain: (await issue(csr)).certificate, key, trustRoot: state.root.CACert });
  const logs: string[] = [];
  const renewer = new CertificateRenewer({
    credentials: creds,
    issue,
    clock,
    random: () => random,
    log: (m) => logs.push(m),
  });
  return { state, creds, clock, renewer, logs };
}

describe('certificate renewal', () => {
  it('renews at 50–80 % of the validity, then again for the next certificate', async () => {
    const { creds, clock, renewer } = await setup(0.5);
    const first = creds.certificate!;
    renewer.start();
    // random 0.5 → 65 % of the validity (an hour, plus the hour of backdating)
    const at = first.notBefore + 0.65 * (first.notAfter - first.notBefore);
    clock.advance(at - clock.now() - 10);
    await flush();
    expect(renewer.renewals).toBe(0);
    clock.advance(10);
    await until(() => renewer.renewals === 1);
    expect(creds.certificate!.notAfter).toBeGreaterThan(first.notAfter);
    const second = creds.certificate!;
    clock.advance(second.notBefore + 0.65 * (second.notAfter - second.notBefore) - clock.now());
    await until(() => renewer.renewals === 2);
    renewer.stop();
  });

  it('never renews in a tight loop when the window opens at issue (an hour, backdated an hour)', async () => {
    const { clock, renewer } = await setup(0);
    renewer.start();
    void renewer.renew('first');
    await until(() => renewer.renewals === 1);
    await flush();
    expect(renewer.renewals).toBe(1);
    clock.advance((2 * HOUR) / 100 - 2_000);
    await flush();
    expect(renewer.renewals).toBe(1);
    clock.advance(2_000);
    await until(() => renewer.renewals === 2);
    renewer.stop();
  });

  it('renews at once for a rotation or a role change, and takes the new trust root after the rotation', async () => {
    const { state, creds, renewer } = await setup();
    renewer.start();
    const want = () => ({ trustRoot: state.root.CACert, issuer: desiredIssuer(state.root), role: state.role });
    renewer.observe(want());
    await flush();
    expect(renewer.renewals).toBe(0);
    state.root = await startRotation(state.root, await createRootCA(), 1);
    renewer.observe(want());
    await until(() => renewer.renewals === 1);
    expect(creds.certificate!.issuer).toEqual(desiredIssuer(state.root));
    state.role = 'manager';
    renewer.observe(want());
    await until(() => creds.certificate!.role === 'manager');
    state.root = finishRotation(state.root);
    renewer.observe(want());
    await until(() => creds.trustRoot === state.root.CACert);
    const renewals = renewer.renewals;
    renewer.observe(want());
    await flush();
    expect(renewer.renewals).toBe(renewals);
    renewer.stop();
  });

  it('retries a failed renewal with backoff', async () => {
    const { state, clock, renewer, logs } = await setup();
    state.fail = 2;
    renewer.start();
    void renewer.renew('test');
    await until(() => logs.some((l) => l.includes('retrying in 500 ms')));
    clock.advance(500);
    await until(() => logs.some((l) => l.includes('retrying in 1000 ms')));
    clock.advance(1000);
    await until(() => renewer.renewals === 1);
    renewer.stop();
  });
});

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
