/** One contract for the storage ports, run against the in-memory fakes and the Table adapters. */
import type { AddressStore, AuditEvent, AuditLog, Page, RateLimiter, SignupStore } from '../../shared/ports';
import { aSignup, uniqueEmail } from './builders';

/** Reads every page; fails on a duplicate so paging bugs cannot hide behind a set comparison. */
async function readAll<T>(
  next: (token: string | undefined) => Promise<Page<T>>,
  key: (item: T) => string,
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await next(token);
    keys.push(...page.items.map(key));
    if (page.continuationToken !== undefined) expect(page.continuationToken).toMatch(/^[A-Za-z0-9_-]+$/);
    token = page.continuationToken;
  } while (token);
  expect(new Set(keys).size).toBe(keys.length);
  return keys.sort();
}

export function describeStoreContract(
  name: string,
  make: () => Promise<{ signups: SignupStore; addresses: AddressStore; limiter: RateLimiter }>,
) {
  describe(`storage contract: ${name}`, () => {
    test('create, get, conditional update; a stale ETag is a ConcurrencyError, never success (req 60)', async () => {
      const { signups } = await make();
      const flow = aSignup();
      const created = await signups.create(flow);
      const read = await signups.get(flow.signupId);
      expect(read?.value).toEqual(flow);
      const updated = await signups.update({ ...flow, failedSubmissions: 1 }, created.etag);
      expect(updated.etag).not.toBe(created.etag);
      await expect(signups.update({ ...flow, failedSubmissions: 2 }, created.etag)).rejects.toHaveProperty(
        'name',
        'ConcurrencyError',
      );
      expect((await signups.get(flow.signupId))?.value.failedSubmissions).toBe(1);
      await expect(signups.create(flow)).rejects.toHaveProperty('name', 'ConcurrencyError');
    });

    test('optional fields removed by an update are gone when read back', async () => {
      const { signups } = await make();
      const flow = aSignup({ codeHash: 'h', codeExpiresAt: '2026-11-25T12:10:00.000Z' });
      const created = await signups.create(flow);
      await signups.update({ ...flow, codeHash: undefined }, created.etag);
      const read = await signups.get(flow.signupId);
      expect(read?.value.codeHash).toBeUndefined();
      expect(read?.value.codeExpiresAt).toBe('2026-11-25T12:10:00.000Z');
    });

    test('get and delete of a missing flow: undefined and no error', async () => {
      const { signups } = await make();
      expect(await signups.get('missing-flow-id-000000000')).toBeUndefined();
      await expect(signups.delete('missing-flow-id-000000000')).resolves.toBeUndefined();
    });

    test('address record: last start is current; sends recorded with ETag', async () => {
      const { addresses } = await make();
      const key = `k${Date.now()}${Math.random().toString(16).slice(2)}`;
      expect(await addresses.get(key)).toBeUndefined();
      await addresses.setCurrentSignup(key, 'first');
      await addresses.setCurrentSignup(key, 'second');
      const rec = await addresses.get(key);
      expect(rec?.value).toEqual({ addressKey: key, currentSignupId: 'second', sentAt: [] });
      await addresses.update({ ...rec!.value, sentAt: [1, 2] }, rec!.etag);
      await expect(addresses.update({ ...rec!.value, sentAt: [3] }, rec!.etag)).rejects.toHaveProperty(
        'name',
        'ConcurrencyError',
      );
      await addresses.setCurrentSignup(key, 'third');
      expect((await addresses.get(key))?.value).toEqual({
        addressKey: key,
        currentSignupId: 'third',
        sentAt: [1, 2],
      });
    });

    test('rate limiter: counts every limit, refuses without counting, opens in the next window', async () => {
      const { limiter } = await make();
      const key = `ip-${Math.random().toString(16).slice(2)}`;
      const limits = [
        { name: 'minute', limit: 2, windowSeconds: 60 },
        { name: 'hour', limit: 3, windowSeconds: 3600 },
      ];
      const t = new Date('2026-11-25T12:00:10.000Z');
      expect(await limiter.consume(key, limits, t)).toEqual({ allowed: true });
      expect(await limiter.consume(key, limits, t)).toEqual({ allowed: true });
      expect(await limiter.consume(key, limits, t)).toEqual({
        allowed: false,
        retryAfterSeconds: 50,
        retryAfterMs: 50_000,
      });
      expect(await limiter.peek(key, limits, t)).toEqual({ minute: 2, hour: 2 });
      const nextMinute = new Date('2026-11-25T12:01:00.000Z');
      expect(await limiter.consume(key, limits, nextMinute)).toEqual({ allowed: true });
      expect((await limiter.consume(key, limits, nextMinute)).allowed).toBe(false);
    });

    test('list: filters by effective status, domain and creation time; pages with tokens, no duplicates or gaps', async () => {
      const { signups } = await make();
      const now = new Date('2026-11-25T12:00:00.000Z');
      const flows = Array.from({ length: 23 }, (_, i) => {
        const domain = i % 2 === 0 ? 'fabrikam.com' : 'northwindtraders.com';
        const created = new Date(now.getTime() - i * 3_600_000); // i hours ago; 24 h lifetime
        return aSignup(
          {
            domain,
            email: uniqueEmail(domain),
            ...(i % 5 === 4 ? { status: 'ready' as const, finishedAt: now.toISOString() } : {}),
          },
          created,
        );
      });
      // A fresh 'expired' one: past its lifetime without a write.
      flows.push(aSignup({ domain: 'fabrikam.com' }, new Date(now.getTime() - 30 * 3_600_000)));
      for (const f of flows) await signups.create(f);
      const ids = (pred: (f: (typeof flows)[number], i: number) => boolean) =>
        flows
          .filter(pred)
          .map((f) => f.signupId)
          .sort();
      const all = (
        query: Omit<Parameters<SignupStore['list']>[0], 'top' | 'continuationToken' | 'now'>,
        top = 4,
      ) =>
        readAll(
          (token) => signups.list({ ...query, now, top, continuationToken: token }),
          (v) => v.value.signupId,
        );

      expect(await all({})).toEqual(ids(() => true));
      expect(await all({ domain: 'fabrikam.com' })).toEqual(ids((f) => f.domain === 'fabrikam.com'));
      const oneAddress = flows[3]!.addressKey;
      expect(await all({ addressKey: oneAddress })).toEqual(ids((f) => f.addressKey === oneAddress));
      expect(await all({ status: 'ready' })).toEqual(ids((f) => f.status === 'ready'));
      expect(await all({ status: 'expired' })).toEqual(ids((_f, i) => i === 23));
      expect(await all({ status: 'pending_verification', domain: 'northwindtraders.com' })).toEqual(
        ids((f, i) => i < 23 && f.status === 'pending_verification' && f.domain === 'northwindtraders.com'),
      );
      const from = new Date(now.getTime() - 5 * 3_600_000).toISOString();
      const to = new Date(now.getTime() - 2 * 3_600_000).toISOString();
      expect(await all({ createdFrom: from, createdTo: to }, 1)).toEqual(
        ids((f) => f.createdAt >= from && f.createdAt < to),
      );
      const first = await signups.list({ now, top: 3 });
      expect(first.items.length).toBeLessThanOrEqual(3);
      expect(first.items[0]?.etag).toEqual(expect.any(String));
      await expect(signups.list({ now, top: 3, continuationToken: 'not a token!' })).rejects.toMatchObject({
        code: 'invalid_request',
      });
    });

    test('deleteIfUnchanged: a stale ETag keeps the flow (false); the current one deletes it; gone → false', async () => {
      const { signups } = await make();
      const flow = aSignup();
      const created = await signups.create(flow);
      const updated = await signups.update({ ...flow, failedSubmissions: 1 }, created.etag);
      expect(await signups.deleteIfUnchanged(flow.signupId, created.etag)).toBe(false);
      expect(await signups.get(flow.signupId)).toBeDefined();
      expect(await signups.deleteIfUnchanged(flow.signupId, updated.etag)).toBe(true);
      expect(await signups.get(flow.signupId)).toBeUndefined();
      expect(await signups.deleteIfUnchanged(flow.signupId, updated.etag)).toBe(false);
    });

    test('address records: listed across pages; deleteIfUnchanged respects a concurrent start', async () => {
      const { addresses } = await make();
      const keys = Array.from({ length: 7 }, (_, i) => `addr-${i}-${Math.random().toString(16).slice(2)}`);
      for (const k of keys) await addresses.setCurrentSignup(k, `flow-${k}`);
      expect(
        await readAll(
          (token) => addresses.list({ top: 3, continuationToken: token }),
          (v) => v.value.addressKey,
        ),
      ).toEqual([...keys].sort());
      const page = await addresses.list({ top: 7 });
      const item = page.items.find((i) => i.value.addressKey === keys[0])!;
      expect(item.value).toEqual({ addressKey: keys[0], currentSignupId: `flow-${keys[0]}`, sentAt: [] });
      await addresses.setCurrentSignup(keys[0]!, 'a-newer-flow');
      expect(await addresses.deleteIfUnchanged(keys[0]!, item.etag)).toBe(false);
      const fresh = await addresses.get(keys[0]!);
      expect(await addresses.deleteIfUnchanged(keys[0]!, fresh!.etag)).toBe(true);
      expect(await addresses.get(keys[0]!)).toBeUndefined();
    });

    test('rate limiter: counters listed with their windows; deleteIfUnchanged respects a concurrent consume', async () => {
      const { limiter } = await make();
      const t = new Date('2026-11-25T12:00:10.000Z');
      const keys = Array.from({ length: 5 }, (_, i) => `lim-${i}-${Math.random().toString(16).slice(2)}`);
      for (const k of keys) await limiter.consume(k, [{ name: 'minute', limit: 5, windowSeconds: 60 }], t);
      expect(
        await readAll(
          (token) => limiter.list({ top: 2, continuationToken: token }),
          (c) => c.key,
        ),
      ).toEqual([...keys].sort());
      const listed = (await limiter.list({ top: 5 })).items.find((c) => c.key === keys[0])!;
      expect(listed.windows).toEqual({ minute: { start: Date.parse('2026-11-25T12:00:00.000Z'), count: 1 } });
      await limiter.consume(keys[0]!, [{ name: 'minute', limit: 5, windowSeconds: 60 }], t);
      expect(await limiter.deleteIfUnchanged(keys[0]!, listed.etag)).toBe(false);
      expect(await limiter.peek(keys[0]!, [{ name: 'minute', limit: 5, windowSeconds: 60 }], t)).toEqual({
        minute: 2,
      });
      const again = (await limiter.list({ top: 5 })).items.find((c) => c.key === keys[0])!;
      expect(await limiter.deleteIfUnchanged(keys[0]!, again.etag)).toBe(true);
      expect(await limiter.peek(keys[0]!, [{ name: 'minute', limit: 5, windowSeconds: 60 }], t)).toEqual({
        minute: 0,
      });
    });

    test('sliding limit: no span of the window ever holds more than the limit, across window boundaries (req 17)', async () => {
      const { limiter } = await make();
      const key = `sliding-${Math.random().toString(16).slice(2)}`;
      const limits = [{ name: 'minute', limit: 3, windowSeconds: 60, sliding: true }];
      const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, 0) + s * 1000);
      // Three events late in one aligned minute: a fixed window would allow three more at 12:01:00.
      for (const s of [50, 55, 58]) expect((await limiter.consume(key, limits, at(s))).allowed).toBe(true);
      expect(await limiter.consume(key, limits, at(61))).toEqual({
        allowed: false,
        retryAfterSeconds: 50,
        retryAfterMs: 50_000,
      });
      expect((await limiter.consume(key, limits, at(111))).allowed).toBe(true);
      expect((await limiter.consume(key, limits, at(112))).allowed).toBe(false);
      expect(await limiter.peek(key, limits, at(112))).toEqual({ minute: 3 });
    });

    test('sliding limit: a refusal says to the millisecond when the oldest bucket leaves the window', async () => {
      const { limiter } = await make();
      const key = `reopen-${Math.random().toString(16).slice(2)}`;
      const limits = [{ name: 'second', limit: 2, windowSeconds: 1, sliding: true }];
      const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);
      expect((await limiter.consume(key, limits, new Date(t0 + 100))).allowed).toBe(true);
      expect((await limiter.consume(key, limits, new Date(t0 + 300))).allowed).toBe(true);
      // Buckets are 16 ms wide: the event at 100 ms sits in [96, 112) and has left the window at 1,112 ms.
      expect(await limiter.consume(key, limits, new Date(t0 + 500))).toEqual({
        allowed: false,
        retryAfterSeconds: 1,
        retryAfterMs: 612,
      });
      expect((await limiter.consume(key, limits, new Date(t0 + 1111))).allowed).toBe(false);
      expect((await limiter.consume(key, limits, new Date(t0 + 1112))).allowed).toBe(true);
    });

    test('counting several events at once takes all of them or none, and says when they all fit', async () => {
      const { limiter } = await make();
      const key = `several-${Math.random().toString(16).slice(2)}`;
      const limits = [{ name: 'second', limit: 3, windowSeconds: 1, sliding: true }];
      const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);
      expect(await limiter.consume(key, limits, new Date(t0 + 100), 2)).toEqual({ allowed: true });
      expect(await limiter.consume(key, limits, new Date(t0 + 200), 2)).toEqual({
        allowed: false,
        retryAfterSeconds: 1,
        retryAfterMs: 912,
      });
      expect(await limiter.peek(key, limits, new Date(t0 + 200))).toEqual({ second: 2 });
      expect((await limiter.consume(key, limits, new Date(t0 + 200), 1)).allowed).toBe(true);
      await expect(limiter.consume(key, limits, new Date(t0 + 300), 4)).rejects.toThrow(RangeError);
    });

    test('fixed limit: a late caller whose clock is still in the previous window does not reset the newer one', async () => {
      const { limiter } = await make();
      const key = `late-${Math.random().toString(16).slice(2)}`;
      const limits = [{ name: 'minute', limit: 2, windowSeconds: 60 }];
      const newMinute = new Date('2026-11-25T12:01:05.000Z');
      expect((await limiter.consume(key, limits, newMinute)).allowed).toBe(true);
      expect((await limiter.consume(key, limits, new Date('2026-11-25T12:00:59.900Z'))).allowed).toBe(true);
      expect((await limiter.consume(key, limits, newMinute)).allowed).toBe(false);
    });

    test('sliding limit: a late caller files its event in the newest bucket, so it does not leave early', async () => {
      const { limiter } = await make();
      const key = `late-sliding-${Math.random().toString(16).slice(2)}`;
      const limits = [{ name: 'minute', limit: 2, windowSeconds: 60, sliding: true }];
      const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, 0) + s * 1000);
      expect((await limiter.consume(key, limits, at(30))).allowed).toBe(true);
      expect((await limiter.consume(key, limits, at(10))).allowed).toBe(true); // stale clock
      // Counted at 30 s, it is still in the window at 75 s: no third event yet.
      expect((await limiter.consume(key, limits, at(75))).allowed).toBe(false);
      expect((await limiter.consume(key, limits, at(91))).allowed).toBe(true);
    });

    test('sliding limit: 20,000 events in an hour keep the stored entity small', async () => {
      const { limiter } = await make();
      const key = `big-${Math.random().toString(16).slice(2)}`;
      const limits = [{ name: 'hour', limit: 1_000_000, windowSeconds: 3600, sliding: true }];
      const t0 = Date.UTC(2026, 10, 25, 12);
      for (let i = 0; i < 200; i++) {
        expect((await limiter.consume(key, limits, new Date(t0 + i * 18_000))).allowed).toBe(true);
      }
      const stored = (await limiter.list({ top: 1000 })).items.find((r) => r.key === key);
      expect(JSON.stringify(stored?.windows).length).toBeLessThan(4096);
    });

    test('rate limiter: 40 concurrent consumers of a limit of 25 → exactly 25 allowed', async () => {
      const { limiter } = await make();
      const key = `burst-${Math.random().toString(16).slice(2)}`;
      const t = new Date('2026-11-25T12:00:10.000Z');
      const results = await Promise.all(
        Array.from({ length: 40 }, () =>
          limiter.consume(key, [{ name: 'm', limit: 25, windowSeconds: 60 }], t),
        ),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(25);
    });
  });
}

/** The audit log port: append, read back per sign-up, erase into a tombstone, delete by age. */
export function describeAuditContract(name: string, make: () => Promise<AuditLog>) {
  describe(`audit log contract: ${name}`, () => {
    const event = (overrides: Partial<AuditEvent>): AuditEvent => ({
      type: 'started',
      at: '2026-11-25T12:00:00.000Z',
      actor: 'recipient',
      ...overrides,
    });

    test('events of one sign-up come back oldest first with every field', async () => {
      const audit = await make();
      const signupId = aSignup().signupId;
      const started = event({ signupId, correlationId: 'c1', addressHash: 'h1', domain: 'fabrikam.com' });
      const verified = event({
        signupId,
        type: 'verified',
        at: '2026-11-25T12:01:00.000Z',
        details: { failures: 0, ok: true, note: 'x' },
      });
      await audit.append(verified);
      await audit.append(started);
      await audit.append(event({ signupId: aSignup().signupId }));
      await audit.append(event({ type: 'policy_changed', actor: 'alice', details: { reason: 'r' } }));
      expect(await audit.forSignup(signupId)).toEqual([started, verified]);
    });

    test('eraseSignup keeps only type, time and actor under the subject hash; idempotent', async () => {
      const audit = await make();
      const signupId = aSignup().signupId;
      await audit.append(
        event({ signupId, correlationId: 'corr-secret', addressHash: 'hash-secret', domain: 'fabrikam.com' }),
      );
      await audit.append(
        event({
          signupId,
          type: 'provisioned',
          at: '2026-11-25T12:02:00.000Z',
          actor: 'system',
          details: { directoryUserId: 'u1' },
        }),
      );
      expect(await audit.eraseSignup(signupId, 'subject-1')).toBe(2);
      expect(await audit.eraseSignup(signupId, 'subject-1')).toBe(0);
      expect(await audit.forSignup(signupId)).toEqual([]);
      expect(await audit.forSubject('subject-1')).toEqual([
        { type: 'started', at: '2026-11-25T12:00:00.000Z', actor: 'recipient', subjectHash: 'subject-1' },
        { type: 'provisioned', at: '2026-11-25T12:02:00.000Z', actor: 'system', subjectHash: 'subject-1' },
      ]);
    });

    test('deleteOlderThan removes rows strictly before the cutoff and says how many', async () => {
      const audit = await make();
      const signupId = aSignup().signupId;
      await audit.append(event({ signupId, at: '2026-05-01T00:00:00.000Z' }));
      await audit.append(event({ type: 'policy_changed', at: '2026-05-02T00:00:00.000Z' }));
      await audit.append(event({ signupId, type: 'verified', at: '2026-05-03T00:00:00.000Z' }));
      expect(await audit.deleteOlderThan(new Date('2026-05-03T00:00:00.000Z'))).toBe(2);
      expect((await audit.forSignup(signupId)).map((e) => e.type)).toEqual(['verified']);
    });
  });
}

/**
 * Audit rows that ride on a flow write (SignupStore.create/update with `audit`): stored exactly when the
 * write is, and read, erased and expired by the AuditLog like appended ones.
 */
export function describeFlowAuditContract(
  name: string,
  make: () => Promise<{ signups: SignupStore; audit: AuditLog }>,
) {
  describe(`flow writes with audit rows: ${name}`, () => {
    const event = (signupId: string, type: AuditEvent['type'], at: string): AuditEvent => ({
      type,
      at,
      actor: 'recipient',
      signupId,
      correlationId: 'c1',
      addressHash: 'h1',
      domain: 'fabrikam.com',
    });

    test('rows carried by flow writes come back with appended ones, oldest first', async () => {
      const { signups, audit } = await make();
      const flow = aSignup();
      const started = event(flow.signupId, 'started', '2026-11-25T12:00:00.000Z');
      const codeSent = { ...event(flow.signupId, 'code_sent', '2026-11-25T12:00:01.000Z'), actor: 'system' };
      const verified = event(flow.signupId, 'verified', '2026-11-25T12:02:00.000Z');
      const created = await signups.create(flow, [started]);
      await audit.append(codeSent);
      const updated = await signups.update({ ...flow, status: 'verified' }, created.etag, [verified]);
      expect((await signups.get(flow.signupId))?.etag).toBe(updated.etag);
      expect(await audit.forSignup(flow.signupId)).toEqual([started, codeSent, verified]);
      expect(
        (await signups.list({ top: 100, now: new Date() })).items.map((f) => f.value.signupId),
      ).toContain(flow.signupId);
    });

    test('a write that loses its race stores none of its rows (req 60)', async () => {
      const { signups, audit } = await make();
      const flow = aSignup();
      const created = await signups.create(flow, [
        event(flow.signupId, 'started', '2026-11-25T12:00:00.000Z'),
      ]);
      await signups.update({ ...flow, failedSubmissions: 1 }, created.etag);
      await expect(
        signups.update({ ...flow, status: 'verified' }, created.etag, [
          event(flow.signupId, 'verified', '2026-11-25T12:01:00.000Z'),
        ]),
      ).rejects.toMatchObject({ name: 'ConcurrencyError' });
      await expect(
        signups.create(flow, [event(flow.signupId, 'started', '2026-11-25T12:02:00.000Z')]),
      ).rejects.toMatchObject({ name: 'ConcurrencyError' });
      expect((await audit.forSignup(flow.signupId)).map((e) => e.at)).toEqual(['2026-11-25T12:00:00.000Z']);
      expect((await signups.get(flow.signupId))?.value.status).toBe(flow.status);
    });

    test('erasure turns them into tombstones and retention expires them, never the flow itself', async () => {
      const { signups, audit } = await make();
      const flow = aSignup();
      const created = await signups.create(flow, [
        event(flow.signupId, 'started', '2026-05-01T00:00:00.000Z'),
      ]);
      await signups.update({ ...flow, status: 'verified' }, created.etag, [
        event(flow.signupId, 'verified', '2026-05-03T00:00:00.000Z'),
      ]);
      expect(await audit.deleteOlderThan(new Date('2026-05-02T00:00:00.000Z'))).toBe(1);
      expect((await audit.forSignup(flow.signupId)).map((e) => e.type)).toEqual(['verified']);
      expect(await signups.get(flow.signupId)).toBeDefined();

      const subject = `subject-${flow.signupId}`;
      expect(await audit.eraseSignup(flow.signupId, subject)).toBe(1);
      expect(await audit.forSignup(flow.signupId)).toEqual([]);
      expect(await audit.forSubject(subject)).toEqual([
        { type: 'verified', at: '2026-05-03T00:00:00.000Z', actor: 'recipient', subjectHash: subject },
      ]);
    });
  });
}
