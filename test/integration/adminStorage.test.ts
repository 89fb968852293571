/**
 * The admin and retention services on Table Storage (the jest-global Azurite): the audit adapter's
 * contract, listing 1,000 flows page by page, erasure that leaves no trace in any table of the account,
 * retention against real tables, and a policy change seen by another instance within 10 s.
 */
import { randomBytes } from 'node:crypto';

import { TableServiceClient } from '@azure/data-tables';

import { createTableClient } from '../../shared/adapters/storageClients';
import { TableAuditLog } from '../../shared/adapters/tableAudit';
import { TableChallengeLedger } from '../../shared/adapters/tableChallengeLedger';
import { TableSuppressions } from '../../shared/adapters/tableSuppressions';
import { TablePolicyStore } from '../../shared/adapters/tablePolicyStore';
import { TableRateLimiter } from '../../shared/adapters/tableRateLimiter';
import { TableAddressStore, TableSignupStore } from '../../shared/adapters/tableStores';
import { systemClock } from '../../shared/container';
import { suppressionOf } from '../../shared/domain/suppression';
import { isAppError } from '../../shared/errors';
import type { Clock, PolicyStore } from '../../shared/ports';
import { erasedSubject } from '../../shared/services/adminService';
import { CachedPolicyProvider } from '../../shared/services/policy';
import { azuriteConnectionString, freshTable } from '../support/azurite';
import { aSignup, uniqueEmail } from '../support/builders';
import { FixedClock } from '../support/fakes';
import { testWorld } from '../support/testWorld';
import { describeAuditContract } from '../support/storeContract';

describeAuditContract('Table Storage on Azurite', async () => new TableAuditLog(await freshTable('audit')));

const LISTS = {
  organizationDomains: ['contoso.com'],
  allowedDomains: [] as string[],
  blockedDomains: [] as string[],
};

/** The services exactly as the container wires them, over fresh Azurite tables, with fakes only at the edges. */
async function azuriteApp(clock: Clock = new FixedClock(), policyStore?: PolicyStore) {
  const policies = policyStore ?? new TablePolicyStore(await freshTable('policy'));
  const policy = new CachedPolicyProvider(policies, LISTS, clock);
  const signupsTable = await freshTable('signups');
  const world = testWorld({
    // A real-time clock still has FixedClock's shape, so the world's helpers type-check.
    clock: clock instanceof FixedClock ? clock : Object.assign(new FixedClock(), { now: () => clock.now() }),
    signups: new TableSignupStore(signupsTable),
    addresses: new TableAddressStore(await freshTable('addresses')),
    limiter: new TableRateLimiter(await freshTable('limits')),
    audit: new TableAuditLog(await freshTable('audit'), signupsTable),
    challengeLedger: new TableChallengeLedger(await freshTable('challenges')),
    suppressions: new TableSuppressions(await freshTable('suppressions')),
    policy,
    settings: { ipStartsPerMinute: 10_000, ipStartsPerHour: 10_000, ipVerifiesPerMinute: 10_000 },
  });
  const admin = world.makeAdmin({
    policyStore: policies,
    lists: LISTS,
    onPolicyChanged: () => policy.invalidate(),
  });
  return { ...world, policies, policy, adminService: admin.service };
}

/** Every row of every table in the account, as JSON (tables other test files drop meanwhile are skipped). */
async function everyRowInTheAccount(): Promise<string[]> {
  const service = TableServiceClient.fromConnectionString(azuriteConnectionString(), {
    allowInsecureConnection: true,
  });
  const rows: string[] = [];
  for await (const table of service.listTables()) {
    const client = createTableClient({ connectionString: azuriteConnectionString() }, table.name ?? '');
    try {
      for await (const entity of client.listEntities()) rows.push(JSON.stringify(entity));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  return rows;
}

test('listing 1,000 flows pages correctly: every flow exactly once, at every page size and filter', async () => {
  const app = await azuriteApp();
  const now = new Date('2026-11-25T12:00:00.000Z');
  const flows = Array.from({ length: 1000 }, (_, i) => {
    const domain = ['fabrikam.com', 'northwindtraders.com', 'tailspintoys.com'][i % 3]!;
    return aSignup(
      {
        domain,
        email: uniqueEmail(domain),
        ...(i % 4 === 0 ? { status: 'ready' as const, finishedAt: now.toISOString() } : {}),
      },
      new Date(now.getTime() - (i % 20) * 60_000),
    );
  });
  for (let i = 0; i < flows.length; i += 50)
    await Promise.all(flows.slice(i, i + 50).map((f) => app.signups.create(f)));

  async function walk(input: Parameters<typeof app.adminService.listSignups>[0]) {
    const ids: string[] = [];
    let pages = 0;
    let token: string | undefined;
    do {
      const page = await app.adminService.listSignups({ ...input, continuationToken: token });
      expect(page.items.length).toBeLessThanOrEqual(input.top ?? 50);
      ids.push(...page.items.map((i) => i.signupId));
      token = page.continuationToken;
      pages++;
    } while (token);
    expect(new Set(ids).size).toBe(ids.length); // no duplicates
    return { ids: ids.sort(), pages };
  }
  const expected = (pred: (f: (typeof flows)[number]) => boolean) =>
    flows
      .filter(pred)
      .map((f) => f.signupId)
      .sort();

  const all = await walk({ top: 200 });
  expect(all.ids).toEqual(expected(() => true)); // no gaps
  expect(all.pages).toBe(5);
  expect((await walk({})).pages).toBe(20); // default page size 50
  expect((await walk({ top: 37, domain: 'northwindtraders.com' })).ids).toEqual(
    expected((f) => f.domain === 'northwindtraders.com'),
  );
  expect((await walk({ top: 200, status: 'ready', domain: 'fabrikam.com' })).ids).toEqual(
    expected((f) => f.status === 'ready' && f.domain === 'fabrikam.com'),
  );
  const from = new Date(now.getTime() - 5 * 60_000).toISOString();
  expect((await walk({ top: 100, from })).ids).toEqual(expected((f) => f.createdAt >= from));
});

test('erasure leaves no row containing the address, its canonical or its lower-case form in any table', async () => {
  const app = await azuriteApp();
  const local = `Erase.Me.${randomBytes(4).toString('hex')}`;
  const email = `${local}@Fabrikam.com`;
  const ip = '203.0.113.77';
  const { signupId } = await app.signupService.start({ email, ip, correlationId: 'corr-erase' }, app.log);
  await app.deliver();
  await app.signupService.verify({ signupId, code: app.latestCode(email), ip }, app.log);
  await app.deliver();
  const flow = (await app.signups.get(signupId))!.value;
  expect(flow.status).toBe('ready');
  const needles = [email, email.toLowerCase(), flow.canonicalEmail, local, local.toLowerCase()];
  const containing = (rows: string[]) =>
    rows.filter(
      (r) => needles.some((n) => r.includes(n)) || r.includes(flow.addressKey) || r.includes(signupId),
    );

  expect(containing(await everyRowInTheAccount()).length).toBeGreaterThan(0); // the scan does see them

  await app.adminService.erase(signupId, { actor: 'dpo@contoso.com', deleteGuest: true }, app.log);

  expect(containing(await everyRowInTheAccount())).toEqual([]);
  expect(app.directory.usersWithAddress(flow.canonicalEmail)).toEqual([]);
  const tombstone = await app.audit.forSubject(erasedSubject(app.settings.secret, signupId));
  // The fixed clock gives every event the same instant, so compare without order.
  expect(tombstone.map((e) => e.type).sort()).toEqual([
    'code_sent',
    'erased',
    'provisioned',
    'started',
    'verified',
  ]);
  expect(
    tombstone.every(
      (e) =>
        e.signupId === undefined &&
        e.addressHash === undefined &&
        e.domain === undefined &&
        e.correlationId === undefined,
    ),
  ).toBe(true);
});

test('retention on Table Storage deletes exactly what is due', async () => {
  const clock = new FixedClock(new Date('2026-11-25T12:00:00.000Z'));
  const app = await azuriteApp(clock);
  const now = clock.now().getTime();
  const H = 3_600_000;
  const D = 24 * H;
  const ago = (ms: number) => new Date(now - ms);
  const keep = [
    aSignup({}, ago(23 * H)),
    aSignup({ status: 'verified' }, ago(40 * D)),
    aSignup({ status: 'ready', finishedAt: ago(29 * D).toISOString() }, ago(29 * D)),
  ];
  const drop = [
    aSignup({}, ago(24 * H)),
    aSignup({ status: 'failed', finishedAt: ago(31 * D).toISOString() }, ago(31 * D)),
  ];
  for (const f of [...keep, ...drop]) await app.signups.create(f);
  await app.addresses.setCurrentSignup('addr-live', keep[2]!.signupId);
  await app.addresses.setCurrentSignup('addr-gone', drop[1]!.signupId);
  await app.limiter.consume('old-counter', [{ name: 'day', limit: 5, windowSeconds: 86_400 }], ago(2 * D));
  await app.limiter.consume('fresh-counter', [{ name: 'minute', limit: 5, windowSeconds: 60 }], ago(60_000));
  await app.audit.append({
    type: 'started',
    at: ago(181 * D).toISOString(),
    actor: 'recipient',
    signupId: drop[1]!.signupId,
  });
  await app.audit.append({ type: 'policy_changed', at: ago(179 * D).toISOString(), actor: 'alice' });
  await app.challengeLedger.spend('a'.repeat(64), ago(60_000)); // expired a minute ago
  await app.challengeLedger.spend('b'.repeat(64), ago(-240_000)); // still usable for 4 minutes
  // A bounce suppression that ended yesterday goes; one that still holds stays.
  const bounce = (addressHash: string, at: Date) =>
    suppressionOf({ addressHash, reason: 'bounced', source: 'acs:Bounced', now: at, days: 1 });
  await app.suppressions.suppress(bounce('ended', ago(2 * D)));
  await app.suppressions.suppress(bounce('live', ago(H)));

  expect(await app.retentionService.run(app.log)).toEqual({
    flowsDeleted: 2,
    addressesDeleted: 1,
    limitsDeleted: 1,
    auditRowsDeleted: 1,
    challengesDeleted: 1,
    suppressionsDeleted: 1,
  });
  expect(await app.suppressions.countActive(clock.now())).toBe(1);
  expect(await app.challengeLedger.spend('b'.repeat(64), ago(-240_000))).toBe(false);
  const remaining = await app.signups.list({ now: clock.now(), top: 1000 });
  expect(remaining.items.map((i) => i.value.signupId).sort()).toEqual(keep.map((f) => f.signupId).sort());
  expect((await app.addresses.list({ top: 100 })).items.map((i) => i.value.addressKey)).toEqual([
    'addr-live',
  ]);
  expect((await app.limiter.list({ top: 100 })).items.map((i) => i.key)).toEqual(['fresh-counter']);
  expect(await app.audit.forSignup(drop[1]!.signupId)).toEqual([]);
});

test('a PUT on one instance is in force on another within 10 s (real clock, default 5 s cache)', async () => {
  const shared = new TablePolicyStore(await freshTable('policy'));
  const a = await azuriteApp(systemClock, shared);
  const b = await azuriteApp(systemClock, shared);
  const startOnB = () =>
    b.signupService
      .start({ email: uniqueEmail('fabrikam.com'), ip: '203.0.113.5', correlationId: 'c' }, b.log)
      .then(
        () => 'ok',
        (e: unknown) => (isAppError(e) ? e.code : 'unexpected'),
      );
  expect(await startOnB()).toBe('ok'); // B now caches "open"
  const changedAt = Date.now();
  await a.adminService.putPolicy(
    { signupsPaused: true, pauseReason: 'Closed for the audit.' },
    { actor: 'alice' },
    a.log,
  );
  let outcome = await startOnB();
  while (outcome === 'ok' && Date.now() - changedAt < 10_000) {
    await new Promise((r) => setTimeout(r, 200));
    outcome = await startOnB();
  }
  expect(outcome).toBe('signups_paused');
  expect(Date.now() - changedAt).toBeLessThan(10_000);
}, 30_000);
