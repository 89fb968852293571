/**
 * The public door: proof of work on start and resend, the global start budget, per-/64
 * limits for IPv6 and the relay/reserved refusals, through the real HTTP handlers with the challenge ON.
 */
import { HttpRequest, type HttpResponseInit } from '@azure/functions';

import { makeSignupChallenge } from '../../functions/signupChallenge';
import { makeSignupResend } from '../../functions/signupResend';
import { makeSignupStart } from '../../functions/signupStart';
import { settingsFromConfig } from '../../shared/container';
import { CHALLENGE_TTL_SECONDS } from '../../shared/domain/admission';
import { httpFunction } from '../../shared/httpFunction';
import type { SignupSettings } from '../../shared/services/signupService';
import { QUEUES } from '../../shared/storageNames';
import { testConfig, uniqueEmail } from '../support/builders';
import { type ChallengeJson, solveChallenge } from '../support/challenge';
import { assertMatchesOpenApi } from '../support/openapi';
import { testWorld } from '../support/testWorld';

const { http } = settingsFromConfig(testConfig());
const OPERATIONS = {
  challenge: ['GET', '/api/challenge'],
  start: ['POST', '/api/signups'],
  resend: ['POST', '/api/signups/{signupId}/resend'],
} as const;

function setup(settings: Partial<SignupSettings> = {}) {
  const world = testWorld({ challengeMode: 'altcha', settings });
  const d = { signupService: world.signupService, challengeService: world.challenges, http };
  const handlers = {
    challenge: httpFunction(makeSignupChallenge(d)),
    start: httpFunction(makeSignupStart(d)),
    resend: httpFunction(makeSignupResend(d)),
  };
  const call = async (
    name: keyof typeof handlers,
    init: { body?: unknown; ip?: string; signupId?: string } = {},
  ) => {
    const [method, template] = OPERATIONS[name];
    const req = new HttpRequest({
      method,
      url: `http://localhost${template.replace('{signupId}', init.signupId ?? '')}`,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': init.ip ?? '203.0.113.7' },
      body: init.body === undefined ? undefined : { string: JSON.stringify(init.body) },
      params: init.signupId ? { signupId: init.signupId } : {},
    });
    const res = await handlers[name](req, world.context(name));
    const json = typeof res.body === 'string' && res.body ? (JSON.parse(res.body) as Json) : undefined;
    if (res.status !== 500) assertMatchesOpenApi(template, method, res.status ?? 200, json);
    return { res, json, code: (json?.error as Json | undefined)?.code };
  };
  const solved = async () => solveChallenge((await call('challenge')).json as unknown as ChallengeJson);
  return { world, call, solved };
}

type Json = Record<string, unknown>;
const header = (res: HttpResponseInit, name: string) => (res.headers as Record<string, string>)[name];

describe('GET /api/challenge', () => {
  test('200 with an ALTCHA challenge, never cached', async () => {
    const { call } = setup();
    const { res, json } = await call('challenge');
    expect(res.status).toBe(200);
    expect(header(res, 'Cache-Control')).toBe('no-store');
    expect(Object.keys(json ?? {}).sort()).toEqual(
      ['algorithm', 'challenge', 'expiresAt', 'maxnumber', 'salt', 'signature'].sort(),
    );
  });
});

describe('proof of work on start and resend (req 20)', () => {
  test('no challenge → 400 challenge_required; nothing is created or queued', async () => {
    const { call, world } = setup();
    const { res, code } = await call('start', { body: { email: uniqueEmail() } });
    expect([res.status, code]).toEqual([400, 'challenge_required']);
    expect(world.queue.sent).toHaveLength(0);
  });

  test('a solved challenge is accepted once; the replay → 400 challenge_failed', async () => {
    const { call, solved, world } = setup();
    const altcha = await solved();
    expect((await call('start', { body: { email: uniqueEmail(), altcha } })).res.status).toBe(202);
    const replay = await call('start', { body: { email: uniqueEmail(), altcha } });
    expect([replay.res.status, replay.code]).toEqual([400, 'challenge_failed']);
    expect(world.queue.on(QUEUES.email)).toHaveLength(1);
  });

  test('a wrong or expired solution → 400 challenge_failed', async () => {
    const { call, solved, world } = setup();
    const wrong = JSON.parse(Buffer.from(await solved(), 'base64').toString()) as { number: number };
    wrong.number += 1;
    const bad = await call('start', {
      body: { email: uniqueEmail(), altcha: Buffer.from(JSON.stringify(wrong)).toString('base64') },
    });
    expect([bad.res.status, bad.code]).toEqual([400, 'challenge_failed']);

    const late = await solved();
    world.clock.advance(CHALLENGE_TTL_SECONDS * 1000 + 1000);
    const expired = await call('start', { body: { email: uniqueEmail(), altcha: late } });
    expect([expired.res.status, expired.code]).toEqual([400, 'challenge_failed']);
  });

  test('resend needs its own solved challenge, checked before the sign-up is even looked up', async () => {
    const { call, solved, world } = setup();
    const started = await call('start', { body: { email: uniqueEmail(), altcha: await solved() } });
    const signupId = String(started.json?.signupId);
    world.clock.advance(61_000);
    const bare = await call('resend', { signupId, body: {} });
    expect([bare.res.status, bare.code]).toEqual([400, 'challenge_required']);
    const unknown = await call('resend', { signupId: 'x'.repeat(24), body: {} });
    expect(unknown.code).toBe('challenge_required');
    const ok = await call('resend', { signupId, body: { altcha: await solved() } });
    expect(ok.res.status).toBe(202);
  });
});

describe('global start budget (req 17)', () => {
  test('sheds starts beyond the budget with 503 busy and Retry-After, before anything is queued', async () => {
    const { call, solved, world } = setup({ startBudgetPerMinute: 2, startBudgetPerHour: 100 });
    for (let i = 0; i < 2; i++) {
      const ok = await call('start', {
        body: { email: uniqueEmail(), altcha: await solved() },
        ip: `10.0.0.${i}`,
      });
      expect(ok.res.status).toBe(202);
    }
    const shed = await call('start', {
      body: { email: uniqueEmail(), altcha: await solved() },
      ip: '10.0.0.9',
    });
    expect([shed.res.status, shed.code]).toEqual([503, 'busy']);
    expect(Number(header(shed.res, 'Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(world.queue.on(QUEUES.email)).toHaveLength(2);
    world.clock.advance(60_000);
    const later = await call('start', {
      body: { email: uniqueEmail(), altcha: await solved() },
      ip: '10.0.0.9',
    });
    expect(later.res.status).toBe(202);
  });

  test('makes the next challenges harder while the budget fills', async () => {
    const { call, solved, world } = setup({ startBudgetPerMinute: 4, startBudgetPerHour: 100 });
    expect((await call('challenge')).json?.maxnumber).toBe(1000);
    for (let i = 0; i < 3; i++) {
      const ok = await call('start', {
        body: { email: uniqueEmail(), altcha: await solved() },
        ip: `10.0.1.${i}`,
      });
      expect(ok.res.status).toBe(202);
    }
    world.clock.advance(5000); // an instance re-reads the budget at most every 5 s
    expect((await call('challenge')).json?.maxnumber).toBe(4000); // 75 % of the minute's budget: ×4
  });
});

describe('per-client limits (req 16, 18; review M4 and L5)', () => {
  const noChallenge = () => {
    const world = testWorld({ settings: { ipStartsPerMinute: 2 } });
    const start = httpFunction(makeSignupStart({ signupService: world.signupService, http }));
    return async (ip: string, email = uniqueEmail()) => {
      const req = new HttpRequest({
        method: 'POST',
        url: 'http://localhost/api/signups',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: { string: JSON.stringify({ email }) },
      });
      const res = await start(req, world.context('start'));
      return res.status;
    };
  };

  test('two IPv6 addresses in one /64 share one limit; another /64 has its own', async () => {
    const start = noChallenge();
    expect(await start('2001:db8:1:2::1')).toBe(202);
    expect(await start('2001:DB8:1:2:0:0:0:ffff')).toBe(202);
    expect(await start('2001:db8:1:2:abcd::9')).toBe(429);
    expect(await start('2001:db8:1:3::1')).toBe(202);
  });

  test('IPv4-mapped IPv6 shares the IPv4 client’s limit', async () => {
    const start = noChallenge();
    expect(await start('192.0.2.1')).toBe(202);
    expect(await start('::ffff:192.0.2.1')).toBe(202);
    expect(await start('192.0.2.1')).toBe(429);
  });

  test('domain refusals count against the per-client limit, so the policy cannot be probed at speed', async () => {
    const start = noChallenge();
    expect(await start('198.51.100.4', 'ann@gmail.com')).toBe(400);
    expect(await start('198.51.100.4', 'ann@mozmail.com')).toBe(400);
    expect(await start('198.51.100.4', 'ann@yahoo.com')).toBe(429);
  });
});

describe('relay and reserved domains (req 30, review L12)', () => {
  test.each([
    ['ann@privaterelay.appleid.com', 'relay'],
    ['ann@example.com', 'reserved'],
  ])('%s → 400 domain_not_allowed with reason %s', async (email, reason) => {
    const { call, solved } = setup();
    const { res, json } = await call('start', { body: { email, altcha: await solved() } });
    expect(res.status).toBe(400);
    expect(json?.error).toMatchObject({ code: 'domain_not_allowed', reason });
  });
});
