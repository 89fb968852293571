import { createLogger } from '../../shared/log';
import { makeChallengeService } from '../../shared/services/challengeService';
import { SignupApi } from '../../web/api';
import { ChallengeSolver } from '../../web/challenge';
import { TEST_SECRET } from '../support/builders';
import { CapturingSink, FixedClock, InMemoryChallengeLedger, InMemoryRateLimiter } from '../support/fakes';

function server() {
  const clock = new FixedClock(new Date());
  const service = makeChallengeService({
    ledger: new InMemoryChallengeLedger(),
    limiter: new InMemoryRateLimiter(),
    clock,
    settings: {
      mode: 'altcha',
      secret: TEST_SECRET,
      baseMaxNumber: 3000,
      startBudget: { perMinute: 20, perHour: 80 },
    },
  });
  let issued = 0;
  const fetcher = (async () => {
    issued++;
    return new Response(JSON.stringify(await service.issue()), {
      headers: { 'content-type': 'application/json', date: clock.now().toUTCString() },
    });
  }) as unknown as typeof fetch;
  return { service, fetcher, issued: () => issued, log: createLogger(new CapturingSink()) };
}

describe('the page gets a solved challenge ready ahead of time (req 20)', () => {
  it('prepares once, hands over a solution the server accepts, then prepares the next', async () => {
    const s = server();
    const solver = new ChallengeSolver(undefined, s.fetcher);
    solver.prepare();
    solver.prepare(); // idempotent while one is on its way
    expect(s.issued()).toBe(1);
    const altcha = await solver.take();
    expect(altcha).toBeDefined();
    await expect(s.service.verify(altcha, s.log)).resolves.toBeUndefined();
    expect(s.issued()).toBe(2); // the next one, for a resend
    const next = await solver.take();
    expect(next).not.toBe(altcha);
    await expect(s.service.verify(next, s.log)).resolves.toBeUndefined();
  });

  it('gives undefined instead of throwing when the challenge cannot be fetched', async () => {
    const solver = new ChallengeSolver(undefined, () => Promise.reject(new Error('offline')));
    await expect(solver.take()).resolves.toBeUndefined();
  });
});

describe('SignupApi sends the challenge with start and resend', () => {
  const reply = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('adds altcha to the body and retries once with a fresh one when the server refuses it', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const answers = [
      reply(400, { error: { code: 'challenge_failed', message: 'x' } }),
      reply(202, {
        signupId: 's',
        status: 'pending_verification',
        codeExpiresAt: 'a',
        resendAvailableAt: 'b',
      }),
    ];
    const fetcher = (async (_path: string, init: RequestInit) => {
      bodies.push(JSON.parse(init.body as string) as Record<string, unknown>);
      return answers.shift();
    }) as unknown as typeof fetch;
    let n = 0;
    const api = new SignupApi(fetcher, { take: () => Promise.resolve(`solution-${++n}`) });
    const result = await api.start('ann@fabrikam.com', 'en');
    expect(result.ok).toBe(true);
    expect(bodies.map((b) => b.altcha)).toEqual(['solution-1', 'solution-2']);
  });

  it('does not retry other errors, and sends resend its own solution', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const fetcher = (async (_path: string, init: RequestInit) => {
      bodies.push(JSON.parse(init.body as string) as Record<string, unknown>);
      return reply(429, { error: { code: 'rate_limited', message: 'x' } });
    }) as unknown as typeof fetch;
    const api = new SignupApi(fetcher, { take: () => Promise.resolve('solved') });
    expect((await api.resend('abc')).ok).toBe(false);
    expect(bodies).toEqual([{ altcha: 'solved' }]);
  });
});
