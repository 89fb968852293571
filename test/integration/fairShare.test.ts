/**
 * Fair share of the email budget through the dev host (req 15): with EMAIL_BUDGET_PER_MINUTE=6, 60 starts
 * at one domain then one at another. The other domain's code goes out in the next budget window, the
 * flood takes nothing while it waits, and nothing is dropped: the flood keeps draining at the budget and
 * every waiting flow carries an estimate. Real time (about two budget windows): the storage queue's 1 s
 * visibility granularity cannot be scaled.
 */
import { api, startTestStack, type TestStack, waitFor } from '../support/stack';

jest.setTimeout(240_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    EMAIL_BUDGET_PER_MINUTE: '6',
    EMAIL_BUDGET_PER_HOUR: '1000',
    EMAIL_DOMAIN_SHARE: '0.2',
    IP_STARTS_PER_MINUTE: '1000',
    IP_STARTS_PER_HOUR: '1000',
  });
});
afterAll(async () => {
  await stack?.stop();
});

const run = Date.now().toString(36);
const address = (domain: string, i: number) => `fair.${run}.${i}@${domain}`;

test('60 starts at one domain then 1 at another: the other code goes in the next window; the flood waits; nothing dropped', async () => {
  // Arrival time of each code email, by recipient, seen by polling the catcher.
  const arrived = new Map<string, number>();
  const watch = setInterval(() => {
    for (const m of stack.smtp.messages)
      for (const to of m.envelopeTo) if (!arrived.has(to)) arrived.set(to, Date.now());
  }, 20);
  try {
    const flood = Array.from({ length: 60 }, (_, i) => address('fabrikam.com', i));
    const ids: string[] = [];
    for (let i = 0; i < flood.length; i += 10) {
      const answers = await Promise.all(
        flood.slice(i, i + 10).map((email) => api(stack, 'POST', '/api/signups', { email, locale: 'en' })),
      );
      for (const a of answers) {
        expect(a.status).toBe(202);
        ids.push(a.json.signupId as string);
      }
    }
    // The flood alone takes the whole first window.
    await waitFor(() => (arrived.size >= 6 ? true : undefined), 30_000, 'the first six flood codes');
    const firstWindow = Math.min(...arrived.values());

    const other = address('adatum.com', 0);
    const otherStart = await api(stack, 'POST', '/api/signups', { email: other, locale: 'en' });
    expect(otherStart.status).toBe(202);
    const otherStartedAt = Date.now();
    // Its estimate is the reopening of the budget, not the end of the flood's backlog.
    const estimate = Date.parse(otherStart.json.estimatedCodeAt as string);
    expect(estimate - firstWindow).toBeLessThanOrEqual(62_000);

    await waitFor(() => arrived.get(other), 90_000, "the other domain's code");
    const otherArrived = arrived.get(other)!;
    // Within the next budget window (it reopens a minute after the first sends).
    expect(otherArrived - firstWindow).toBeLessThan(120_000);
    expect(otherArrived - firstWindow).toBeGreaterThanOrEqual(59_000);
    // While it waited for the window to reopen, the flood sent nothing.
    const floodAt = flood.map((e) => arrived.get(e)).filter((t): t is number => t !== undefined);
    expect(floodAt.filter((t) => t > otherStartedAt && t < firstWindow + 59_000)).toHaveLength(0);
    // In the window it was served in, the flood had at most the rest of the budget (6 − 1).
    expect(
      floodAt.filter((t) => t >= firstWindow + 59_000 && t < firstWindow + 119_000).length,
    ).toBeLessThanOrEqual(5);

    // Nothing dropped: the flood keeps going at the budget, and every flow still waiting has an estimate.
    await waitFor(() => (arrived.size >= 1 + 6 + 5 ? true : undefined), 80_000, 'the flood to keep draining');
    const waiting = [];
    for (const id of ids) {
      const s = await api(stack, 'GET', `/api/signups/${id}`);
      expect(s.json.status).toBe('pending_verification');
      if (s.json.estimatedCodeAt) waiting.push(Date.parse(s.json.estimatedCodeAt as string));
    }
    expect(
      waiting.length + [...arrived.keys()].filter((to) => to.endsWith('@fabrikam.com')).length,
    ).toBeGreaterThanOrEqual(60);
    // The last flood code is due about ten minutes after the first (60 at 6 a minute, one slot to the other).
    expect(Math.max(...waiting) - firstWindow).toBeGreaterThan(8 * 60_000);
    expect(stack.logs.filter((l) => l.includes('"email_dropped"'))).toEqual([]);
  } finally {
    clearInterval(watch);
  }
});
