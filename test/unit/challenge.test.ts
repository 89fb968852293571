import { createHash } from 'node:crypto';

import { CHALLENGE_TTL_SECONDS, challengeMaxNumber } from '../../shared/domain/admission';
import { createChallenge } from '../../shared/domain/altcha';
import { createLogger } from '../../shared/log';
import { makeChallengeService, type ChallengeSettings } from '../../shared/services/challengeService';
import { sha256Hex, solvePow } from '../../web/pow';
import { TEST_SECRET } from '../support/builders';
import { solveChallenge } from '../support/challenge';
import { CapturingSink, FixedClock, InMemoryChallengeLedger, InMemoryRateLimiter } from '../support/fakes';

function aChallengeService(settings: Partial<ChallengeSettings> = {}) {
  const clock = new FixedClock();
  const ledger = new InMemoryChallengeLedger();
  const limiter = new InMemoryRateLimiter();
  const sink = new CapturingSink();
  const service = makeChallengeService({
    ledger,
    limiter,
    clock,
    settings: {
      mode: 'altcha',
      secret: TEST_SECRET,
      baseMaxNumber: 2000,
      startBudget: { perMinute: 20, perHour: 80 },
      ...settings,
    },
  });
  return { service, clock, ledger, limiter, sink, log: createLogger(sink) };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: { code?: string }) => e.code,
  );

describe('proof-of-work challenge (req 20)', () => {
  it('issues an ALTCHA challenge with the fields the widget expects and a 5-minute expiry', async () => {
    const { service, clock } = aChallengeService();
    const c = await service.issue();
    expect(c).toEqual({
      algorithm: 'SHA-256',
      challenge: expect.stringMatching(/^[0-9a-f]{64}$/),
      salt: expect.stringMatching(/^[0-9a-f]+\?expires=\d+&$/),
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
      maxnumber: 2000,
      expiresAt: new Date(clock.now().getTime() + CHALLENGE_TTL_SECONDS * 1000).toISOString(),
    });
  });

  it('accepts a solved challenge once, then refuses the replay', async () => {
    const { service, log } = aChallengeService();
    const altcha = solveChallenge(await service.issue());
    expect(await codeOf(service.verify(altcha, log))).toBe('accepted');
    expect(await codeOf(service.verify(altcha, log))).toBe('challenge_failed');
  });

  it('refuses a missing challenge as challenge_required and garbage as challenge_failed', async () => {
    const { service, log } = aChallengeService();
    expect(await codeOf(service.verify(undefined, log))).toBe('challenge_required');
    expect(await codeOf(service.verify('', log))).toBe('challenge_required');
    for (const bad of ['%%%', 'bm90IGpzb24=', Buffer.from('{"algorithm":"SHA-256"}').toString('base64')]) {
      expect(await codeOf(service.verify(bad, log))).toBe('challenge_failed');
    }
    expect(await codeOf(service.verify('A'.repeat(5000), log))).toBe('challenge_failed');
  });

  it('refuses a wrong number and a challenge signed with another key', async () => {
    const { service, log } = aChallengeService();
    const c = await service.issue();
    const right = JSON.parse(Buffer.from(solveChallenge(c), 'base64').toString()) as { number: number };
    const wrong = Buffer.from(JSON.stringify({ ...right, number: right.number + 1 })).toString('base64');
    expect(await codeOf(service.verify(wrong, log))).toBe('challenge_failed');

    const foreign = await createChallenge({
      hmacKey: 'someone-else',
      maxnumber: 100,
      expires: new Date(Date.now() + 60_000),
    });
    expect(await codeOf(service.verify(solveChallenge({ ...foreign, maxnumber: 100 }), log))).toBe(
      'challenge_failed',
    );
  });

  it('refuses a challenge solved after its 5 minutes', async () => {
    const { service, clock, log, sink } = aChallengeService();
    const altcha = solveChallenge(await service.issue());
    clock.advance(CHALLENGE_TTL_SECONDS * 1000 + 1);
    expect(await codeOf(service.verify(altcha, log))).toBe('challenge_failed');
    expect(sink.lines.join('\n')).toContain('"reason":"expired"');
  });

  it('derives its key from CODE_HMAC_SECRET: another secret does not accept the solution', async () => {
    const a = aChallengeService();
    const b = aChallengeService({ secret: 'another-secret-another-secret-another-0' });
    const altcha = solveChallenge(await a.service.issue());
    expect(await codeOf(b.service.verify(altcha, b.log))).toBe('challenge_failed');
  });

  it('checks nothing with CHALLENGE_MODE=off', async () => {
    const { service, log } = aChallengeService({ mode: 'off' });
    expect(await codeOf(service.verify(undefined, log))).toBe('accepted');
  });

  it('raises difficulty while starts use up the start budget', async () => {
    const budget = { perMinute: 20, perHour: 80 };
    expect(challengeMaxNumber(1000, { minute: 9, hour: 9 }, budget)).toBe(1000);
    expect(challengeMaxNumber(1000, { minute: 10, hour: 10 }, budget)).toBe(2000);
    expect(challengeMaxNumber(1000, { minute: 15, hour: 15 }, budget)).toBe(4000);
    expect(challengeMaxNumber(1000, { minute: 20, hour: 20 }, budget)).toBe(8000);
    expect(challengeMaxNumber(1000, { minute: 0, hour: 60 }, budget)).toBe(4000);

    const { service, limiter, clock } = aChallengeService();
    await limiter.consume(
      'start-budget',
      [
        { name: 'minute', limit: 20, windowSeconds: 60 },
        { name: 'hour', limit: 80, windowSeconds: 3600 },
      ],
      clock.now(),
      12,
    );
    expect((await service.issue()).maxnumber).toBe(4000);
  });
});

describe('the page solver (web/pow.ts)', () => {
  it('hashes like node:crypto at every padding boundary', () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 200]) {
      const text = 'x'.repeat(length);
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });

  it('finds the number of a real ALTCHA challenge', async () => {
    const c = await createChallenge({ hmacKey: 'k', maxnumber: 5000, number: 4321 });
    expect(solvePow(c.challenge, c.salt, 5000)?.number).toBe(4321);
    expect(solvePow(c.challenge, c.salt, 4000)).toBeUndefined();
  });
});
