/** One contract for the storage ports, run against the in-memory fakes and the Table adapters. */
import type { AddressStore, RateLimiter, SignupStore } from '../../shared/ports';
import { aSignup } from './builders';

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
      expect(await limiter.consume(key, limits, t)).toEqual({ allowed: false, retryAfterSeconds: 50 });
      expect(await limiter.peek(key, limits, t)).toEqual({ minute: 2, hour: 2 });
      const nextMinute = new Date('2026-11-25T12:01:00.000Z');
      expect(await limiter.consume(key, limits, nextMinute)).toEqual({ allowed: true });
      expect((await limiter.consume(key, limits, nextMinute)).allowed).toBe(false);
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
