/**
 * The admin service over the in-memory fakes with a fixed clock: policy at run time (and what start does
 * with it), listing, retry, erasure, stats, and the audit trail of every state change.
 */
import { AppError } from '../../shared/errors';
import type { AuditEvent, SignupPolicy } from '../../shared/ports';
import { erasedSubject, type PolicyInput } from '../../shared/services/adminService';
import { EMAIL_BUDGET_KEY, emailBudgetLimits } from '../../shared/services/emailService';
import { CachedPolicyProvider } from '../../shared/services/policy';
import { makeSignupService } from '../../shared/services/signupService';
import { QUEUES } from '../../shared/storageNames';
import { aSignup, TEST_SECRET, uniqueEmail } from '../support/builders';
import {
  InMemoryAddressStore,
  InMemoryPolicyStore,
  InMemoryRateLimiter,
  InMemorySignupStore,
} from '../support/fakes';
import { testWorld } from '../support/testWorld';

const SETTINGS_LISTS = {
  organizationDomains: ['contoso.com'],
  allowedDomains: [] as string[],
  blockedDomains: ['blocked-by-settings.com'],
};

function adminWorld() {
  const world = testWorld();
  const policyStore = new InMemoryPolicyStore();
  /** Two instances of the app: A serves the admin call, B only reads the policy through its cache. */
  const providerA = new CachedPolicyProvider(policyStore, SETTINGS_LISTS, world.clock);
  const providerB = new CachedPolicyProvider(policyStore, SETTINGS_LISTS, world.clock);
  const startService = (policy: CachedPolicyProvider) =>
    makeSignupService({ ...world, policy, settings: world.settings });
  const { service: admin, queues } = world.makeAdmin({
    policyStore,
    lists: SETTINGS_LISTS,
    onPolicyChanged: () => providerA.invalidate(),
  });
  let ip = 0;
  const start = (service: ReturnType<typeof startService>, email = uniqueEmail('fabrikam.com')) =>
    service.start({ email, ip: `198.51.100.${++ip % 250}`, correlationId: 'corr' }, world.log);
  return {
    ...world,
    policyStore,
    queues,
    admin,
    a: startService(providerA),
    b: startService(providerB),
    start,
    providerA,
    providerB,
  };
}

const put = (
  w: ReturnType<typeof adminWorld>,
  input: PolicyInput,
  options: { actor?: string; ifMatch?: string } = {},
) =>
  w.admin.putPolicy(input, { actor: options.actor ?? 'alice@contoso.com', ifMatch: options.ifMatch }, w.log);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'ok';
}

/** Ends a verified flow `failed` the way the poison queue does. */
async function failedSignup(
  w: ReturnType<typeof adminWorld>,
  email = uniqueEmail('fabrikam.com'),
): Promise<string> {
  const signupId = await w.verifiedSignup(email);
  w.queue.take(QUEUES.provision);
  w.directory.failNext('inviteGuest', () => new Error(`Graph 500 for ${email}`), { times: 1 });
  await expect(w.provisioningService.handle({ signupId }, w.log)).rejects.toThrow();
  await w.provisioningService.markFailed({ signupId }, w.log);
  return signupId;
}

describe('run-time policy', () => {
  test('pause → start answers 503 with the reason at once on this instance, and resumes by itself after pauseUntil', async () => {
    const w = adminWorld();
    expect(await codeOf(w.start(w.a))).toBe('ok');
    const until = new Date(w.clock.now().getTime() + 60 * 60_000).toISOString();
    await put(w, {
      signupsPaused: true,
      pauseReason: 'Back at 13:00 UTC.',
      pauseUntil: until,
      reason: 'incident 42',
    });
    await expect(w.start(w.a)).rejects.toMatchObject({
      code: 'signups_paused',
      status: 503,
      message: 'Back at 13:00 UTC.',
    });
    w.clock.advance(59 * 60_000);
    expect(await codeOf(w.start(w.a))).toBe('503 signups_paused');
    w.clock.advance(60_000);
    expect(await codeOf(w.start(w.a))).toBe('ok');
  });

  test('another instance picks the change up within its 5 s cache, so start answers 503 within 10 s everywhere', async () => {
    const w = adminWorld();
    expect(await codeOf(w.start(w.b))).toBe('ok'); // B caches "open"
    await put(w, { signupsPaused: true });
    w.clock.advance(4_000);
    expect(await codeOf(w.start(w.b))).toBe('ok'); // still the cached copy: the bound is real, not zero
    w.clock.advance(1_000);
    expect(await codeOf(w.start(w.b))).toBe('503 signups_paused');
    await put(w, { signupsPaused: false, reason: 'resolved' });
    w.clock.advance(5_000);
    expect(await codeOf(w.start(w.b))).toBe('ok');
  });

  test("a paused domain (and its subdomains) is refused with the admin's reason until `until`; others are not", async () => {
    const w = adminWorld();
    const until = new Date(w.clock.now().getTime() + 3_600_000).toISOString();
    await put(w, {
      signupsPaused: false,
      pausedDomains: [{ domain: 'Fabrikam.COM', reason: 'Fabrikam sign-ups reopen on Monday.', until }],
    });
    for (const email of [uniqueEmail('fabrikam.com'), uniqueEmail('eu.fabrikam.com')]) {
      await expect(w.start(w.a, email)).rejects.toMatchObject({
        code: 'domain_not_allowed',
        message: 'Fabrikam sign-ups reopen on Monday.',
        options: { details: { reason: 'paused', detail: 'Fabrikam sign-ups reopen on Monday.' } },
      });
    }
    expect(await codeOf(w.start(w.a, uniqueEmail('northwindtraders.com')))).toBe('ok');
    w.clock.advance(3_600_000);
    expect(await codeOf(w.start(w.a, uniqueEmail('fabrikam.com')))).toBe('ok');
  });

  test('the daily cap counts verified sign-ups per registrable domain (starts never use it up, subdomains share it); the block list applies to start (security review L3)', async () => {
    const w = adminWorld();
    await put(w, { signupsPaused: false, domainDailyCap: 2, blockedDomains: ['tailspintoys.com'] });
    const emails = [uniqueEmail('fabrikam.com'), uniqueEmail('eu.fabrikam.com'), uniqueEmail('fabrikam.com')];
    const started: { signupId: string }[] = [];
    for (const email of emails) started.push(await w.start(w.a, email));
    for (let i = 0; i < 5; i++) expect(await codeOf(w.start(w.a))).toBe('ok'); // strangers' starts: free
    await w.deliverEmails();
    const verify = (i: number) =>
      w.a.verify(
        { signupId: started[i]!.signupId, code: w.latestCode(emails[i]!), ip: '203.0.113.9' },
        w.log,
      );
    expect(await codeOf(verify(0))).toBe('ok');
    expect(await codeOf(verify(1))).toBe('ok');
    await expect(verify(2)).rejects.toMatchObject({
      code: 'domain_not_allowed',
      options: { details: { reason: 'capped' } },
    });
    // The refusal did not count a submission against the code.
    expect((await w.signups.get(started[2]!.signupId))!.value.codeSubmissions).toBe(0);
    await expect(w.start(w.a, uniqueEmail('tailspintoys.com'))).rejects.toMatchObject({
      options: { details: { reason: 'blocked' } },
    });
  });

  test('domains are normalised (case, trailing dot, IDN → punycode) and de-duplicated; an invalid one is named', async () => {
    const w = adminWorld();
    const view = await put(w, {
      signupsPaused: false,
      allowedDomains: ['Fabrikam.COM.', 'fabrikam.com', 'bücher.de'],
    });
    expect(view.policy.allowedDomains).toEqual(['fabrikam.com', 'xn--bcher-kva.de']);
    await expect(
      put(w, { signupsPaused: false, blockedDomains: ['ok.com', 'not a domain'] }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('blockedDomains[1]: "not a domain"'),
    });
    await expect(
      put(w, { signupsPaused: false, pausedDomains: [{ domain: 'x@y.com', reason: 'r' }] }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('pausedDomains[0].domain'),
    });
  });

  test('GET shows the stored policy, the read-only settings lists and the effective lists', async () => {
    const w = adminWorld();
    const empty = await w.admin.getPolicy();
    expect(empty.etag).toBeNull();
    expect(empty.policy).toEqual({
      signupsPaused: false,
      allowedDomains: [],
      blockedDomains: [],
      pausedDomains: [],
    });
    await put(w, { signupsPaused: true, blockedDomains: ['tailspintoys.com'] }, { actor: 'bob@contoso.com' });
    const view = await w.admin.getPolicy();
    expect(view.etag).toEqual(expect.any(String));
    expect(view.policy).toMatchObject({
      signupsPaused: true,
      updatedBy: 'bob@contoso.com',
      updatedAt: w.clock.now().toISOString(),
    });
    expect(view.settings).toEqual({
      organizationDomains: ['contoso.com'],
      allowedDomains: [],
      blockedDomains: ['blocked-by-settings.com'],
      managedGroupIds: ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'],
    });
    expect(view.effective).toMatchObject<Partial<SignupPolicy> & { pausedNow: boolean }>({
      pausedNow: true,
      organizationDomains: ['contoso.com'],
      blockedDomains: ['blocked-by-settings.com', 'tailspintoys.com'],
    });
  });

  test('If-Match: a stale ETag is 412 and changes nothing; the current one succeeds; * needs a stored policy', async () => {
    const w = adminWorld();
    expect(await codeOf(put(w, { signupsPaused: false }, { ifMatch: '*' }))).toBe('412 precondition_failed');
    const first = await put(w, { signupsPaused: false });
    const second = await put(w, { signupsPaused: true }, { ifMatch: first.etag! });
    expect(await codeOf(put(w, { signupsPaused: false }, { ifMatch: first.etag! }))).toBe(
      '412 precondition_failed',
    );
    expect((await w.admin.getPolicy()).policy.signupsPaused).toBe(true);
    expect(await codeOf(put(w, { signupsPaused: false }, { ifMatch: second.etag! }))).toBe('ok');
  });

  test('each change is audited as policy_changed with the actor, the reason and what changed', async () => {
    const w = adminWorld();
    await put(
      w,
      { signupsPaused: true, pauseReason: 'Maintenance', reason: 'patching the tenant' },
      { actor: 'alice@contoso.com' },
    );
    await put(
      w,
      { signupsPaused: true, pauseReason: 'Maintenance', blockedDomains: ['tailspintoys.com'] },
      { actor: 'function-key' },
    );
    const rows = w.audit.events.filter((e) => e.type === 'policy_changed');
    expect(rows).toEqual([
      expect.objectContaining({
        actor: 'alice@contoso.com',
        details: expect.objectContaining({
          reason: 'patching the tenant',
          changes: 'signupsPaused,pauseReason',
          signupsPaused: true,
        }),
      }),
      expect.objectContaining({
        actor: 'function-key',
        details: expect.objectContaining({ changes: 'blockedDomains' }),
      }),
    ]);
  });
});

describe('sign-up records', () => {
  test('items carry a masked address, the effective status, attempts and timestamps — never the full address', async () => {
    const w = adminWorld();
    const email = uniqueEmail('fabrikam.com');
    const { signupId } = await w.start(w.a, email);
    const { items } = await w.admin.listSignups({});
    expect(items).toEqual([
      expect.objectContaining({
        signupId,
        address: `p•••@fabrikam.com`,
        domain: 'fabrikam.com',
        status: 'pending_verification',
        createdAt: w.clock.now().toISOString(),
        attempts: { codeRequests: 1, failedSubmissions: 0, provisionAttempts: 0 },
      }),
    ]);
    expect(JSON.stringify(items)).not.toContain(email);
    w.clock.advance(24 * 3_600_000);
    expect((await w.admin.listSignups({ status: 'expired' })).items.map((i) => i.signupId)).toEqual([
      signupId,
    ]);
    expect((await w.admin.listSignups({ status: 'pending_verification' })).items).toEqual([]);
  });

  test('filters by domain (normalised), status and creation time; pages have no duplicates and no gaps', async () => {
    const w = adminWorld();
    const t0 = w.clock.now();
    const ids: Record<string, string[]> = { 'fabrikam.com': [], 'northwindtraders.com': [] };
    for (let i = 0; i < 60; i++) {
      const domain = i % 3 === 0 ? 'northwindtraders.com' : 'fabrikam.com';
      const flow = aSignup({
        domain,
        email: uniqueEmail(domain),
        createdAt: new Date(t0.getTime() + i * 60_000).toISOString(),
      });
      await w.signups.create(flow);
      ids[domain]!.push(flow.signupId);
    }
    const all: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await w.admin.listSignups({
        domain: 'NorthWindTraders.COM',
        top: 7,
        continuationToken: token,
      });
      expect(page.items.length).toBeLessThanOrEqual(7);
      all.push(...page.items.map((i) => i.signupId));
      token = page.continuationToken;
      pages++;
    } while (token);
    expect(all.sort()).toEqual([...ids['northwindtraders.com']!].sort());
    expect(pages).toBe(3);
    const window = await w.admin.listSignups({
      from: new Date(t0.getTime() + 10 * 60_000).toISOString(),
      to: new Date(t0.getTime() + 20 * 60_000).toISOString(),
      top: 200,
    });
    expect(window.items).toHaveLength(10);
    expect(window.items.map((i) => i.createdAt)).toEqual(
      [...window.items.map((i) => i.createdAt)].sort().reverse(),
    );
    await expect(w.admin.listSignups({ domain: 'not a domain' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  test('one sign-up with its audit events; an unknown or malformed id is 404', async () => {
    const w = adminWorld();
    const signupId = await w.verifiedSignup(uniqueEmail('fabrikam.com'));
    const { signup, events } = await w.admin.getSignup(signupId);
    expect(signup.status).toBe('verified');
    expect(events.map((e) => e.type)).toEqual(['started', 'code_sent', 'verified']);
    expect(await codeOf(w.admin.getSignup('A'.repeat(24)))).toBe('404 not_found');
    expect(await codeOf(w.admin.getSignup('../etc'))).toBe('404 not_found');
  });

  test('lastError is shown with any address in it masked', async () => {
    const w = adminWorld();
    const email = uniqueEmail('fabrikam.com');
    const signupId = await failedSignup(w, email);
    const { signup } = await w.admin.getSignup(signupId);
    expect(signup.status).toBe('failed');
    expect(signup.lastError).toContain('Graph 500 for p•••@fabrikam.com');
    expect(signup.lastError).not.toContain(email);
  });
});

describe('retry', () => {
  test('a failed flow goes back to verified, is queued once and audited; a second retry is a no-op 202', async () => {
    const w = adminWorld();
    const signupId = await failedSignup(w);
    w.queue.take(QUEUES.provision);
    expect(await w.admin.retry(signupId, 'alice@contoso.com', w.log)).toEqual({
      signupId,
      status: 'verified',
      retried: true,
    });
    expect(w.queue.on(QUEUES.provision)).toEqual([{ signupId }]);
    expect(w.audit.events.filter((e) => e.type === 'admin_retry')).toEqual([
      expect.objectContaining({ signupId, actor: 'alice@contoso.com' }),
    ]);
    expect(await w.admin.retry(signupId, 'alice@contoso.com', w.log)).toEqual({
      signupId,
      status: 'verified',
      retried: false,
    });
    expect(w.audit.events.filter((e) => e.type === 'admin_retry')).toHaveLength(1);
    expect(await w.deliverProvisioning()).toEqual([
      { action: 'done', outcome: 'guest_created' },
      { action: 'dropped', reason: 'already_ready' },
    ]);
    expect((await w.signups.get(signupId))!.value.status).toBe('ready');
  });

  test('provisioning is left to the message in flight; ready, pending and unknown flows are refused', async () => {
    const w = adminWorld();
    const ready = await w.verifiedSignup(uniqueEmail('fabrikam.com'));
    await w.deliverProvisioning();
    expect(await codeOf(w.admin.retry(ready, 'a', w.log))).toBe('409 conflict');
    const { signupId: pending } = await w.start(w.a);
    expect(await codeOf(w.admin.retry(pending, 'a', w.log))).toBe('409 conflict');
    expect(await codeOf(w.admin.retry('B'.repeat(24), 'a', w.log))).toBe('404 not_found');
    const inFlight = aSignup({ status: 'provisioning', verifiedAt: w.clock.now().toISOString() });
    await w.signups.create(inFlight);
    expect(await w.admin.retry(inFlight.signupId, 'a', w.log)).toEqual({
      signupId: inFlight.signupId,
      status: 'provisioning',
      retried: false,
    });
    expect(w.queue.on(QUEUES.provision)).toEqual([]);
  });
});

describe('erasure', () => {
  function everything(w: ReturnType<typeof adminWorld>): string {
    return JSON.stringify({
      signups: [...(w.signups as InMemorySignupStore).rows.values()],
      addresses: [...(w.addresses as InMemoryAddressStore).rows.values()],
      limits: [...(w.limiter as InMemoryRateLimiter).windows.entries()],
      audit: w.audit.events,
      queue: w.queue.sent,
    });
  }

  test('removes the flow, its address record and every personal field of its audit rows; keeps a hashed tombstone', async () => {
    const w = adminWorld();
    const email = uniqueEmail('fabrikam.com');
    const signupId = await w.verifiedSignup(email);
    await w.deliverProvisioning();
    const flow = (await w.signups.get(signupId))!.value;
    const other = await w.verifiedSignup(uniqueEmail('fabrikam.com')); // someone else's data stays

    await w.admin.erase(signupId, { actor: 'dpo@contoso.com', deleteGuest: false }, w.log);

    expect(await w.signups.get(signupId)).toBeUndefined();
    expect(await w.addresses.get(flow.addressKey)).toBeUndefined();
    expect(await w.audit.forSignup(signupId)).toEqual([]);
    const dump = everything(w);
    for (const needle of [email, email.toLowerCase(), flow.canonicalEmail, flow.addressKey, signupId])
      expect(dump).not.toContain(needle);
    const subject = erasedSubject(TEST_SECRET, signupId);
    const tomb = await w.audit.forSubject(subject);
    expect(tomb.map((e) => e.type)).toEqual(['started', 'code_sent', 'verified', 'provisioned', 'erased']);
    for (const e of tomb)
      expect(Object.keys(e).sort()).toEqual(
        e.type === 'erased'
          ? ['actor', 'at', 'details', 'subjectHash', 'type']
          : ['actor', 'at', 'subjectHash', 'type'],
      );
    expect(tomb.at(-1)).toMatchObject({
      actor: 'dpo@contoso.com',
      details: { guestDeleted: false, auditRows: 4 },
    });
    expect(w.directory.users.size).toBe(1); // the guest stays without deleteGuest
    expect((await w.signups.get(other))?.value.status).toBe('verified');
    expect(await codeOf(w.admin.erase(signupId, { actor: 'a', deleteGuest: false }, w.log))).toBe(
      '404 not_found',
    );
  });

  test('deleteGuest deletes the guest only when this service created it; otherwise 409 and nothing is erased', async () => {
    const w = adminWorld();
    const created = await w.verifiedSignup(uniqueEmail('fabrikam.com'));
    await w.deliverProvisioning();
    const existingEmail = uniqueEmail('fabrikam.com');
    w.directory.seedGuest(existingEmail);
    const existing = await w.verifiedSignup(existingEmail);
    await w.deliverProvisioning();
    expect((await w.signups.get(existing))!.value.outcome).toBe('existing_guest');

    expect(await codeOf(w.admin.erase(existing, { actor: 'a', deleteGuest: true }, w.log))).toBe(
      '409 conflict',
    );
    expect(await w.signups.get(existing)).toBeDefined();
    expect(w.directory.usersWithAddress(existingEmail)).toHaveLength(1);

    const guestId = (await w.signups.get(created))!.value.directoryUserId!;
    await w.admin.erase(created, { actor: 'a', deleteGuest: true }, w.log);
    expect(w.directory.users.has(guestId)).toBe(false);
    expect(w.audit.events.find((e) => e.type === 'erased')?.details).toMatchObject({ guestDeleted: true });
  });

  test('a flow being provisioned is refused; an address record owned by a newer flow is kept', async () => {
    const w = adminWorld();
    const email = uniqueEmail('fabrikam.com');
    const verified = await w.verifiedSignup(email);
    expect(await codeOf(w.admin.erase(verified, { actor: 'a', deleteGuest: false }, w.log))).toBe(
      '409 conflict',
    );
    const old = await w.start(w.a, email);
    const newer = await w.start(w.a, email);
    const addressKey = (await w.signups.get(old.signupId))!.value.addressKey;
    await w.admin.erase(old.signupId, { actor: 'a', deleteGuest: false }, w.log);
    expect((await w.addresses.get(addressKey))?.value.currentSignupId).toBe(newer.signupId);
  });

  test('re-running an interrupted erasure (record gone, audit rows left) finishes it', async () => {
    const w = adminWorld();
    const { signupId } = await w.start(w.a);
    await w.signups.delete(signupId);
    await w.admin.erase(signupId, { actor: 'a', deleteGuest: false }, w.log);
    expect(await w.audit.forSignup(signupId)).toEqual([]);
    expect((await w.audit.forSubject(erasedSubject(TEST_SECRET, signupId))).map((e) => e.type)).toEqual([
      'started',
      'erased',
    ]);
  });
});

describe('stats', () => {
  test('counts by effective status for 24 h and 30 d, top domains, budgets and queue depths', async () => {
    const w = adminWorld();
    const now = w.clock.now().getTime();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000);
    const seed = async (domain: string, hoursAgo: number, extra = {}) =>
      w.signups.create(aSignup({ domain, email: uniqueEmail(domain), ...extra }, at(hoursAgo)));
    await seed('fabrikam.com', 1);
    await seed('fabrikam.com', 2, { status: 'ready' });
    await seed('fabrikam.com', 30); // pending for 30 h → expired
    await seed('northwindtraders.com', 48, { status: 'failed' });
    await seed('northwindtraders.com', 31 * 24); // outside 30 days
    await w.limiter.consume(EMAIL_BUDGET_KEY, emailBudgetLimits(30, 100), w.clock.now());
    w.queues.depths.set(QUEUES.provisionPoison, 3);

    const stats = await w.admin.stats(w.log);
    expect(stats.last24h).toEqual({
      total: 2,
      byStatus: {
        pending_verification: 1,
        verified: 0,
        pending_approval: 0,
        provisioning: 0,
        ready: 1,
        failed: 0,
        expired: 0,
        not_eligible: 0,
      },
    });
    expect(stats.last30d).toEqual({
      total: 4,
      byStatus: {
        pending_verification: 1,
        verified: 0,
        pending_approval: 0,
        provisioning: 0,
        ready: 1,
        failed: 1,
        expired: 1,
        not_eligible: 0,
      },
    });
    expect(stats.topDomains).toEqual([
      { domain: 'fabrikam.com', count: 3 },
      { domain: 'northwindtraders.com', count: 1 },
    ]);
    expect(stats.emailBudget).toEqual({ minute: { used: 1, limit: 30 }, hour: { used: 1, limit: 100 } });
    expect(stats.graphBudget).toEqual({ second: { used: 0, limit: 20 } });
    expect(stats.queueDepths).toEqual({
      'signup-email': 0,
      'signup-email-poison': 0,
      'signup-provision': 0,
      'signup-provision-poison': 3,
    });
  });

  test('a queue that cannot be read is reported as null, not a failed request', async () => {
    const w = adminWorld();
    w.queues.approximateDepth = async () => {
      throw new Error('forbidden');
    };
    const stats = await w.admin.stats(w.log);
    expect(Object.values(stats.queueDepths)).toEqual([null, null, null, null]);
    expect(w.sink.events().some((e) => e.event === 'queue_depth_unavailable')).toBe(true);
  });
});

test('every state change has an audit row, the admin ones included, and none holds an address or a code', async () => {
  const w = adminWorld();
  const email = uniqueEmail('fabrikam.com');
  await put(w, { signupsPaused: false, reason: 'open' });
  const { signupId } = await w.start(w.a, email);
  await w.deliverEmails();
  const code = w.latestCode(email);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await expect(w.a.verify({ signupId, code: wrong, ip: '198.51.100.9' }, w.log)).rejects.toMatchObject({
    code: 'invalid_code',
  });
  await w.a.verify({ signupId, code, ip: '198.51.100.9' }, w.log);
  w.queue.take(QUEUES.provision);
  w.directory.failNext('inviteGuest', new Error('Graph 500'));
  await expect(w.provisioningService.handle({ signupId }, w.log)).rejects.toThrow();
  await w.provisioningService.markFailed({ signupId }, w.log);
  await w.admin.retry(signupId, 'alice@contoso.com', w.log);
  await w.deliverProvisioning();

  const locked = await w.start(w.a);
  for (let i = 0; i < w.settings.flowMaxFailures; i++)
    await w.a
      .verify({ signupId: locked.signupId, code: '000000', ip: '198.51.100.9' }, w.log)
      .catch(() => undefined);

  expect(w.audit.types(signupId)).toEqual([
    'started',
    'code_sent',
    'verify_failed',
    'verified',
    'failed',
    'admin_retry',
    'provisioned',
  ]);
  expect(w.audit.types(locked.signupId).at(-1)).toBe('locked');
  await w.admin.erase(signupId, { actor: 'dpo', deleteGuest: false }, w.log);
  const kinds = new Set(w.audit.events.map((e: AuditEvent) => e.type));
  for (const type of [
    'policy_changed',
    'erased',
    'admin_retry',
    'started',
    'code_sent',
    'verify_failed',
    'locked',
    'verified',
    'provisioned',
    'failed',
  ])
    expect(kinds).toContain(type);
  const dump = JSON.stringify(w.audit.events);
  expect(dump).not.toContain(email);
  expect(dump).not.toContain(code);
});
