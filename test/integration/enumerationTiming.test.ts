/**
 * Enumeration by timing (req 23, 24): starting a sign-up must look and take the same for a new address,
 * an existing guest, an existing member, a recipient-throttled address, and (access model) a partner
 * address, a revoked address and one whose sign-up will wait for a sponsor: eligibility is decided only
 * after verification. 200 starts per class against
 * the compiled app on the dev host over HTTP, interleaved round by round in a seeded random order so drift
 * and background work (the email function sends for some classes and not for others) land on every class
 * alike. Each class is compared with the new-address class by a two-sided Mann-Whitney U test.
 */
import { mannWhitneyU, median } from '../../dev/stats';
import { createTableClient } from '../../shared/adapters/storageClients';
import { TableAddressStore } from '../../shared/adapters/tableStores';
import { keyedHash } from '../../shared/domain/codes';
import { parseEmailAddress } from '../../shared/domain/emailAddress';
import { TABLES } from '../../shared/storageNames';
import { ACCESS_GROUP, ADMIN_KEY, api, startTestStack, type TestStack } from '../support/stack';

describe('Mann-Whitney U (normal approximation with tie and continuity correction)', () => {
  // Reference values from scipy 1.17 `mannwhitneyu(x, y, method='asymptotic')` (use_continuity=True).
  test.each([
    { x: [19, 22, 16, 29, 24], y: [20, 11, 17, 12], u: 17, p: 0.11134688653314041 },
    {
      x: [1, 2, 2, 3, 3, 3, 4, 5, 5, 6],
      y: [2, 3, 4, 4, 5, 6, 6, 7, 7, 8, 9],
      u: 23.5,
      p: 0.027640884214298913,
    },
    {
      x: [3.1, 2.2, 5.5, 4.0, 4.0, 1.0, 7.3],
      y: [3.1, 6.0, 6.1, 8.2, 4.0, 9.9, 5.5, 7.0],
      u: 12,
      p: 0.07131539387265916,
    },
  ])('U and p match scipy for $x vs $y', ({ x, y, u, p }) => {
    const result = mannWhitneyU(x, y);
    expect(result.u).toBe(u);
    expect(result.p).toBeCloseTo(p, 6);
  });

  test('is symmetric in p, gives p = 1 for identical samples and a tiny p for separated ones', () => {
    const a = [5, 1, 4, 2, 8, 9];
    const b = [3, 7, 6, 10, 11, 12];
    expect(mannWhitneyU(a, b).p).toBeCloseTo(mannWhitneyU(b, a).p, 12);
    expect(mannWhitneyU([1, 2, 3], [1, 2, 3]).p).toBe(1);
    expect(mannWhitneyU([4, 4, 4], [4, 4])).toMatchObject({ p: 1 });
    const low = Array.from({ length: 50 }, (_, i) => i);
    const high = low.map((v) => v + 100);
    expect(mannWhitneyU(low, high).p).toBeLessThan(1e-10);
  });
});

const PER_CLASS = 200;
const WARM_UP = 15;
const CLASSES = ['new', 'guest', 'member', 'throttled', 'partner', 'revoked', 'approval'] as const;
/** Partner domains: one joins a group at once, the other waits for its sponsor. */
const DOMAIN_OF: Record<AddressClass, string> = {
  new: 'fabrikam.com',
  guest: 'fabrikam.com',
  member: 'fabrikam.com',
  throttled: 'fabrikam.com',
  revoked: 'fabrikam.com',
  partner: 'tailspintoys.com',
  approval: 'northwindtraders.com',
};
type AddressClass = (typeof CLASSES)[number];

/** mulberry32: a small seeded PRNG, so the interleaving is the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Observation {
  status: number;
  keys: string;
  headers: string;
  ms: number;
}

let stack: TestStack;
const run = Date.now().toString(36);
const addresses = Object.fromEntries(CLASSES.map((k) => [k, [] as string[]])) as Record<
  AddressClass,
  string[]
>;

beforeAll(async () => {
  stack = await startTestStack({
    // Every start comes from this test's one client: the per-IP start limit must not be what differs.
    IP_STARTS_PER_MINUTE: '100000',
    IP_STARTS_PER_HOUR: '1000000',
    // Every start is at one domain: under the default budget its lane's backlog (and the cost of the
    // admission replay) would grow through the run for every class alike, drift that only adds noise.
    EMAIL_BUDGET_PER_MINUTE: '100000',
    EMAIL_BUDGET_PER_HOUR: '1000000',
    PARTNER_GROUP_IDS: ACCESS_GROUP,
  });
  const total = PER_CLASS * 2 + WARM_UP * 2; // two measurements may be needed (see below)
  for (const kind of CLASSES) {
    addresses[kind] = Array.from(
      { length: total },
      (_, i) => `timing.${kind}.${run}.${i}@${DOMAIN_OF[kind]}`,
    );
  }
  const admin = { 'x-functions-key': ADMIN_KEY };
  const policy = await api(
    stack,
    'PUT',
    '/api/admin/policy',
    {
      signupsPaused: false,
      partners: [
        { domain: 'tailspintoys.com', groupIds: [ACCESS_GROUP] },
        { domain: 'northwindtraders.com', sponsors: ['sponsor@contoso.com'] },
      ],
    },
    admin,
  );
  if (policy.status !== 200) throw new Error(`policy PUT failed: ${policy.status}`);
  for (const email of addresses.revoked) {
    const revoked = await api(stack, 'POST', '/api/admin/revocations', { email }, admin);
    if (revoked.status !== 201) throw new Error(`revocation failed: ${revoked.status}`);
  }
  // The policy cache of the instance that saved it is dropped at once; give any other reader its 5 s.
  await new Promise((r) => setTimeout(r, 5_500));
  const seed = (userType: 'Guest' | 'Member', mail: string) =>
    fetch(`${stack.graph.url}/_emulator/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userType, mail }),
    }).then((res) => {
      if (res.status >= 300) throw new Error(`seeding ${userType} failed: ${res.status}`);
    });
  await Promise.all([
    ...addresses.guest.map((mail) => seed('Guest', mail)),
    ...addresses.member.map((mail) => seed('Member', mail)),
  ]);
  // Recipient-throttled: the address record already holds this hour's and this day's code emails.
  const store = new TableAddressStore(
    createTableClient({ connectionString: stack.settings.AzureWebJobsStorage }, TABLES.addresses),
  );
  const secret = stack.settings.CODE_HMAC_SECRET ?? '';
  const now = Date.now();
  const sentAt = Array.from({ length: 10 }, (_, i) => now - (i + 1) * 60_000).reverse();
  await Promise.all(
    addresses.throttled.map(async (mail) => {
      const addressKey = keyedHash(secret, 'address', parseEmailAddress(mail).rateLimitKey);
      await store.setCurrentSignup(addressKey, 'seeded-earlier-flow-0000');
      const record = await store.get(addressKey);
      if (!record) throw new Error('address record missing');
      await store.update({ ...record.value, sentAt }, record.etag);
    }),
  );
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const used = Object.fromEntries(CLASSES.map((k) => [k, 0])) as Record<AddressClass, number>;

async function startOnce(kind: AddressClass): Promise<Observation> {
  const email = addresses[kind][used[kind]++];
  const began = performance.now();
  const res = await fetch(`${stack.url}/api/signups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, locale: 'en' }),
  });
  const text = await res.text();
  const ms = performance.now() - began;
  const headerNames: string[] = [];
  res.headers.forEach((_value, name) => headerNames.push(name));
  return {
    status: res.status,
    keys: Object.keys(JSON.parse(text) as object)
      .sort()
      .join(','),
    headers: headerNames.sort().join(','),
    ms,
  };
}

/** `rounds` rounds, each one start per class in a shuffled order. */
async function measure(rounds: number, random: () => number): Promise<Record<AddressClass, Observation[]>> {
  const out = Object.fromEntries(CLASSES.map((k) => [k, [] as Observation[]])) as Record<
    AddressClass,
    Observation[]
  >;
  for (let r = 0; r < rounds; r++) {
    const order = [...CLASSES];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as AddressClass, order[i] as AddressClass];
    }
    for (const kind of order) out[kind].push(await startOnce(kind));
  }
  return out;
}

test('new, existing-guest, existing-member, recipient-throttled, partner, revoked and approval-bound starts: same status, body keys, header names and timing (req 23, 24)', async () => {
  const random = seededRandom(0x5eed);
  await measure(WARM_UP, random); // JIT, connection pools, first policy read
  let sample = await measure(PER_CLASS, random);

  const all = CLASSES.flatMap((k) => sample[k]);
  expect(new Set(all.map((o) => o.status))).toEqual(new Set([202]));
  expect(new Set(all.map((o) => o.keys))).toEqual(
    new Set(['codeExpiresAt,estimatedCodeAt,resendAvailableAt,signupId,status']),
  );
  expect(new Set(all.map((o) => o.headers)).size).toBe(1);

  const compare = (s: typeof sample, kind: AddressClass) => {
    const base = s.new.map((o) => o.ms);
    const other = s[kind].map((o) => o.ms);
    return { kind, p: mannWhitneyU(base, other).p, deltaMedianMs: Math.abs(median(base) - median(other)) };
  };
  let results = CLASSES.filter((k) => k !== 'new').map((k) => compare(sample, k));
  // At p > 0.05 one comparison in twenty fails by chance alone even when nothing differs. A real timing
  // difference shows again in a fresh sample; a chance one rarely does (0.05² per comparison), so a
  // comparison that fails is measured once more and must pass then.
  if (results.some((r) => r.p <= 0.05)) {
    const first = results;
    sample = await measure(PER_CLASS, random);
    results = first.map((r) => (r.p <= 0.05 ? { ...compare(sample, r.kind), retried: true } : r));
  }
  const medians = Object.fromEntries(
    CLASSES.map((k) => [k, Number(median(sample[k].map((o) => o.ms)).toFixed(2))]),
  );
  console.log(
    `start latency medians (ms): ${JSON.stringify(medians)}; comparisons: ${JSON.stringify(results)}`,
  );
  for (const r of results) {
    expect({ kind: r.kind, significant: r.p <= 0.05 }).toEqual({ kind: r.kind, significant: false });
    // 5 ms on this machine idle (new-address median ~35 ms). A loaded machine stretches every start
    // alike, so the bound scales with the measured median: 10 % of it when that is above 50 ms.
    expect(r.deltaMedianMs).toBeLessThan(Math.max(5, 0.1 * median(sample.new.map((o) => o.ms))));
  }
}, 400_000); // 1,505–2,905 sequential starts (seven classes): minutes when the machine is busy
