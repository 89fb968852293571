import { HttpRequest, type HttpResponseInit } from '@azure/functions';

import { makeSignupResend } from '../../functions/signupResend';
import { makeSignupStart } from '../../functions/signupStart';
import { makeSignupStatus } from '../../functions/signupStatus';
import { makeSignupVerify } from '../../functions/signupVerify';
import { httpFunction } from '../../shared/httpFunction';
import { settingsFromConfig } from '../../shared/container';
import { testConfig, uniqueEmail } from '../support/builders';
import { assertMatchesOpenApi } from '../support/openapi';
import { testWorld } from '../support/testWorld';

const { http } = settingsFromConfig(testConfig());

function setup() {
  const world = testWorld();
  const d = { signupService: world.signupService, http };
  const handlers = {
    start: httpFunction(makeSignupStart(d)),
    verify: httpFunction(makeSignupVerify(d)),
    resend: httpFunction(makeSignupResend(d)),
    status: httpFunction(makeSignupStatus(d)),
  };
  const call = async (
    name: keyof typeof handlers,
    init: {
      method?: string;
      path?: string;
      body?: string;
      headers?: Record<string, string>;
      params?: Record<string, string>;
    },
  ) => {
    const req = new HttpRequest({
      method: init.method ?? 'POST',
      url: `http://localhost/api/${init.path ?? 'signups'}`,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7', ...init.headers },
      body: init.body === undefined ? undefined : { string: init.body },
      params: init.params,
    });
    const res = await handlers[name](req, world.context(name));
    const json = bodyOf(res);
    // Every real response in this file is checked against openapi.yaml.
    const [method, template] = OPERATIONS[name];
    if (res.status !== 500) assertMatchesOpenApi(template, method, res.status ?? 200, json);
    return { res, json };
  };
  return { world, call };
}

const OPERATIONS = {
  start: ['POST', '/api/signups'],
  verify: ['POST', '/api/signups/{signupId}/verify'],
  resend: ['POST', '/api/signups/{signupId}/resend'],
  status: ['GET', '/api/signups/{signupId}'],
} as const;

test('the OpenAPI check rejects a body the contract does not allow', () => {
  expect(() =>
    assertMatchesOpenApi('/api/signups', 'POST', 202, { signupId: 'x', status: 'verified' }),
  ).toThrow();
  expect(() => assertMatchesOpenApi('/api/signups', 'POST', 418, {})).toThrow(/no 418/);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked against openapi.yaml
function bodyOf(res: HttpResponseInit): any {
  return typeof res.body === 'string' && res.body.length ? JSON.parse(res.body) : undefined;
}
const header = (res: HttpResponseInit, name: string) => (res.headers as Record<string, string>)[name];

describe('POST /api/signups', () => {
  test('202 with the contract keys and security headers (req 35, 37)', async () => {
    const { call } = setup();
    const { res, json } = await call('start', { body: JSON.stringify({ email: uniqueEmail() }) });
    expect(res.status).toBe(202);
    expect(Object.keys(json).sort()).toEqual([
      'codeExpiresAt',
      'estimatedCodeAt',
      'resendAvailableAt',
      'signupId',
      'status',
    ]);
    expect(json.status).toBe('pending_verification');
    expect(header(res, 'Cache-Control')).toBe('no-store');
    expect(header(res, 'X-Content-Type-Options')).toBe('nosniff');
    expect(header(res, 'Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains');
    expect(header(res, 'Referrer-Policy')).toBe('no-referrer');
    expect(header(res, 'Access-Control-Allow-Origin')).toBeUndefined();
  });

  test.each([
    ['invalid_email', 400, { email: 'not-an-address' }],
    ['domain_not_allowed', 400, { email: 'someone@gmail.com' }],
    ['invalid_request', 400, { email: 'a@contoso-test.com', extra: 1 }],
    ['invalid_request', 400, { email: 42 }],
  ])('%s (%i) for %j (req 33)', async (code, status, body) => {
    const { call } = setup();
    const { res, json } = await call('start', { body: JSON.stringify(body) });
    expect(res.status).toBe(status);
    expect(json.error.code).toBe(code);
    expect(typeof json.error.message).toBe('string');
  });

  test('415 without application/json and 413 above 4 KiB (req 33, 39)', async () => {
    const { call } = setup();
    const plain = await call('start', {
      body: JSON.stringify({ email: uniqueEmail() }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.res.status).toBe(415);
    expect(plain.json.error.code).toBe('unsupported_media_type');
    const big = await call('start', { body: JSON.stringify({ email: 'a'.repeat(5000) }) });
    expect(big.res.status).toBe(413);
    expect(big.json.error.code).toBe('payload_too_large');
  });

  test('the 11th start from one IP in a minute is 429 with Retry-After; a forged X-Forwarded-For changes nothing (req 16, 18)', async () => {
    const { call } = setup();
    for (let i = 0; i < 10; i++) {
      const forged = { 'x-forwarded-for': `10.0.0.${i}, 203.0.113.7` };
      expect(
        (await call('start', { body: JSON.stringify({ email: uniqueEmail() }), headers: forged })).res.status,
      ).toBe(202);
    }
    const { res, json } = await call('start', { body: JSON.stringify({ email: uniqueEmail() }) });
    expect(res.status).toBe(429);
    expect(json.error.code).toBe('rate_limited');
    expect(Number(header(res, 'Retry-After'))).toBeGreaterThan(0);
    const otherIp = await call('start', {
      body: JSON.stringify({ email: uniqueEmail() }),
      headers: { 'x-forwarded-for': '198.51.100.1' },
    });
    expect(otherIp.res.status).toBe(202);
  });

  test('CORS: only a configured origin gets CORS headers; never *, never null (req 38)', async () => {
    const { world } = setup();
    const allowed = ['https://portal.contoso.example'];
    const start = httpFunction(makeSignupStart({ signupService: world.signupService, http }), () => allowed);
    const preflight = (origin: string) =>
      start(
        new HttpRequest({ method: 'OPTIONS', url: 'http://localhost/api/signups', headers: { origin } }),
        world.context(),
      );
    const ok = await preflight('https://portal.contoso.example');
    expect(ok.status).toBe(204);
    expect(header(ok, 'Access-Control-Allow-Origin')).toBe('https://portal.contoso.example');
    for (const origin of ['https://evil.example', 'null', '*']) {
      const refused = await preflight(origin);
      expect(header(refused, 'Access-Control-Allow-Origin')).toBeUndefined();
    }
  });

  test("503 signups_paused while the kill switch is on, with the admin's reason as `detail`", async () => {
    const { world, call } = setup();
    world.policy.policy = {
      ...world.policy.policy,
      signupsPaused: true,
      pauseReason: 'Maintenance until noon.',
    };
    const { res, json } = await call('start', { body: JSON.stringify({ email: uniqueEmail() }) });
    expect(res.status).toBe(503);
    expect(json.error).toEqual({
      code: 'signups_paused',
      message: 'Maintenance until noon.',
      detail: 'Maintenance until noon.',
    });
  });
});

describe('verify, resend and status', () => {
  async function started() {
    const ctx = setup();
    const email = uniqueEmail();
    const { json } = await ctx.call('start', { body: JSON.stringify({ email }) });
    await ctx.world.deliverEmails();
    return { ...ctx, email, signupId: json.signupId as string, code: ctx.world.latestCode(email) };
  }

  test('a correct code answers 200 verified and queues provisioning once; again is 409', async () => {
    const { call, world, signupId, code } = await started();
    const ok = await call('verify', {
      path: `signups/${signupId}/verify`,
      params: { signupId },
      body: JSON.stringify({ code }),
    });
    expect(ok.res.status).toBe(200);
    expect(ok.json).toEqual({ signupId, status: 'verified' });
    expect(world.queue.on('signup-provision')).toEqual([{ signupId }]);
    const again = await call('verify', {
      path: `signups/${signupId}/verify`,
      params: { signupId },
      body: JSON.stringify({ code }),
    });
    expect(again.res.status).toBe(409);
    expect(again.json.error.code).toBe('already_verified');
    const status = await call('status', { method: 'GET', path: `signups/${signupId}`, params: { signupId } });
    expect(status.json.status).toBe('verified');
  });

  test('wrong, malformed and unknown: one invalid_code answer, 404 for an unknown flow (req 25)', async () => {
    const { call, signupId, code } = await started();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (const attempt of [wrong, 'abc', '']) {
      const r = await call('verify', { params: { signupId }, body: JSON.stringify({ code: attempt }) });
      expect(r.res.status).toBe(400);
      expect(r.json.error.code).toBe('invalid_code');
    }
    const unknown = await call('verify', {
      params: { signupId: 'A'.repeat(24) },
      body: JSON.stringify({ code }),
    });
    expect(unknown.res.status).toBe(404);
    expect(unknown.json.error.code).toBe('signup_not_found');
  });

  test('resend inside the cooldown is 429 resend_too_soon; after it, 202 and the old code stops working (req 6)', async () => {
    const { call, world, signupId, code, email } = await started();
    const early = await call('resend', { params: { signupId } });
    expect(early.res.status).toBe(429);
    expect(early.json.error.code).toBe('resend_too_soon');
    expect(Number(header(early.res, 'Retry-After'))).toBe(60);
    world.clock.advance(61_000);
    const later = await call('resend', { params: { signupId } });
    expect(later.res.status).toBe(202);
    expect(Object.keys(later.json).sort()).toEqual(['codeExpiresAt', 'estimatedCodeAt', 'resendAvailableAt']);
    await world.deliverEmails();
    const fresh = world.latestCode(email);
    const old = await call('verify', { params: { signupId }, body: JSON.stringify({ code }) });
    if (fresh !== code) expect(old.res.status).toBe(400);
    const ok = await call('verify', { params: { signupId }, body: JSON.stringify({ code: fresh }) });
    expect(ok.res.status).toBe(200);
  });

  test('status of an unknown id is 404; of a new flow, pending with timestamps', async () => {
    const { call, signupId } = await started();
    const s = await call('status', { method: 'GET', params: { signupId } });
    expect(s.res.status).toBe(200);
    expect(s.json).toMatchObject({ signupId, status: 'pending_verification' });
    expect(new Date(s.json.codeExpiresAt).toString()).not.toBe('Invalid Date');
    const missing = await call('status', { method: 'GET', params: { signupId: 'nope' } });
    expect(missing.res.status).toBe(404);
  });

  test('an unexpected failure is logged and answered with a bare 500', async () => {
    const { world } = setup();
    const failing = httpFunction(async () => {
      throw new TypeError('boom');
    });
    const res = await failing(
      new HttpRequest({ method: 'GET', url: 'http://localhost/api/x' }),
      world.context(),
    );
    expect(res.status).toBe(500);
    expect(res.body).toBeUndefined();
    expect(world.sink.events().some((e) => e.event === 'unhandled_error' && e.message === 'boom')).toBe(true);
  });
});
