/** The Suppressions contract, over Table Storage on Azurite and over the in-memory fake used by service tests. */
import { TableSuppressions } from '../../shared/adapters/tableSuppressions';
import { suppressionOf } from '../../shared/domain/suppression';
import type { Suppressions } from '../../shared/ports';
import { freshTable } from '../support/azurite';
import { InMemorySuppressions } from '../support/fakes';

const t0 = new Date('2026-11-25T12:00:00.000Z');
const later = (days: number) => new Date(t0.getTime() + days * 86_400_000);
const hash = (n: number) => `${'c0'.repeat(31)}${String(n).padStart(2, '0')}`;

describe.each([
  [
    'Table Storage on Azurite',
    async (): Promise<Suppressions> => new TableSuppressions(await freshTable('supp')),
  ],
  ['the in-memory fake', async (): Promise<Suppressions> => Promise.resolve(new InMemorySuppressions())],
])('Suppressions: %s', (_name, make) => {
  it('keeps an address suppressed until suppressedUntil, then no longer', async () => {
    const list = await make();
    await list.suppress(
      suppressionOf({ addressHash: hash(1), reason: 'bounced', source: 'acs:Bounced', now: t0, days: 30 }),
    );
    expect(await list.get(hash(1), later(29))).toEqual({
      addressHash: hash(1),
      reason: 'bounced',
      source: 'acs:Bounced',
      suppressedAt: t0.toISOString(),
      suppressedUntil: later(30).toISOString(),
    });
    expect(await list.get(hash(1), later(30))).toBeUndefined();
    expect(await list.get(hash(2), t0)).toBeUndefined();
  });

  it('is idempotent: a repeated report keeps one entry, a later bounce extends it, an older one never shortens it', async () => {
    const list = await make();
    const entry = (now: Date) =>
      suppressionOf({ addressHash: hash(3), reason: 'smtp_permanent', source: 'smtp:550', now, days: 30 });
    await list.suppress(entry(later(5)));
    await list.suppress(entry(later(5)));
    await list.suppress(entry(t0)); // an out-of-order, older report
    expect((await list.get(hash(3), later(34)))?.suppressedUntil).toBe(later(35).toISOString());
    expect(await list.countActive(later(1))).toBe(1);
  });

  it('says whether a report is new: the same source again is not, and writes nothing', async () => {
    const list = await make();
    const entry = (source: string, now: Date) =>
      suppressionOf({ addressHash: hash(9), reason: 'bounced', source, now, days: 30 });
    expect(await list.suppress(entry('acs:Bounced:r1', t0))).toBe(true);
    expect(await list.suppress(entry('acs:Bounced:r1', later(3)))).toBe(false);
    expect((await list.get(hash(9), t0))?.suppressedUntil).toBe(later(30).toISOString());
    expect(await list.suppress(entry('acs:Bounced:r2', later(3)))).toBe(true);
    expect((await list.get(hash(9), t0))?.suppressedUntil).toBe(later(33).toISOString());
  });

  it('of two deliveries of one report racing, exactly one is new', async () => {
    const list = await make();
    const entry = suppressionOf({
      addressHash: hash(10),
      reason: 'bounced',
      source: 'acs:Bounced:r3',
      now: t0,
      days: 30,
    });
    const answers = await Promise.all([list.suppress(entry), list.suppress(entry), list.suppress(entry)]);
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('counts only the entries in force', async () => {
    const list = await make();
    for (const [n, days] of [
      [4, 1],
      [5, 30],
      [6, 30],
    ] as const)
      await list.suppress(
        suppressionOf({ addressHash: hash(n), reason: 'bounced', source: 'acs:Failed', now: t0, days }),
      );
    expect(await list.countActive(later(0.5))).toBe(3);
    expect(await list.countActive(later(2))).toBe(2);
  });

  it('retention forgets only the entries that ended', async () => {
    const list = await make();
    await list.suppress(
      suppressionOf({ addressHash: hash(7), reason: 'bounced', source: 'acs:Bounced', now: t0, days: 1 }),
    );
    await list.suppress(
      suppressionOf({ addressHash: hash(8), reason: 'bounced', source: 'acs:Bounced', now: t0, days: 30 }),
    );
    expect(await list.deleteExpired(later(2))).toBe(1);
    expect(await list.get(hash(8), later(2))).toBeDefined();
    expect(await list.countActive(t0)).toBe(1);
  });
});
