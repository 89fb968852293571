import { TableChallengeLedger } from '../../shared/adapters/tableChallengeLedger';
import type { ChallengeLedger } from '../../shared/ports';
import { freshTable } from '../support/azurite';
import { InMemoryChallengeLedger } from '../support/fakes';

const t0 = new Date('2026-11-25T12:00:00.000Z');
const later = (ms: number) => new Date(t0.getTime() + ms);

describe.each([
  [
    'Table Storage on Azurite',
    async (): Promise<ChallengeLedger> => new TableChallengeLedger(await freshTable('challenges')),
  ],
  [
    'the in-memory fake',
    async (): Promise<ChallengeLedger> => Promise.resolve(new InMemoryChallengeLedger()),
  ],
])('ChallengeLedger: %s', (_name, make) => {
  const id = (n: number) => `${'ab'.repeat(31)}${String(n).padStart(2, '0')}`;

  it('spends a solution once; a second spend is a replay', async () => {
    const ledger = await make();
    expect(await ledger.spend(id(1), later(300_000))).toBe(true);
    expect(await ledger.spend(id(1), later(300_000))).toBe(false);
    expect(await ledger.spend(id(2), later(300_000))).toBe(true);
  });

  it('lets exactly one of many concurrent spends of one solution through (across instances)', async () => {
    const ledger = await make();
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger.spend(id(3), later(300_000))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('forgets only what has expired', async () => {
    const ledger = await make();
    await ledger.spend(id(4), later(1000));
    await ledger.spend(id(5), later(600_000));
    expect(await ledger.deleteExpired(later(2000))).toBe(1);
    expect(await ledger.spend(id(5), later(600_000))).toBe(false);
  });
});
