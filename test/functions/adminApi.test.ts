/**
 * The admin HTTP functions with real HttpRequest objects over the in-memory world; every response is
 * checked against openapi.yaml. The function key itself is the host's job (see adminRegistration and
 * integration/adminHost tests); here: the role check, validation, status codes and bodies.
 */
import { HttpRequest, type HttpResponseInit } from '@azure/functions';

import { makeAdminPolicyGet } from '../../functions/adminPolicyGet';
import { makeAdminPolicyPut } from '../../functions/adminPolicyPut';
import { makeAdminSignupDecide } from '../../functions/adminSignupDecide';
import { makeAdminSignupDelete } from '../../functions/adminSignupDelete';
import { makeAdminSignupGet } from '../../functions/adminSignupGet';
import { makeAdminSignupRetry } from '../../functions/adminSignupRetry';
import { makeAdminSignupsList } from '../../functions/adminSignupsList';
import { makeAdminStats } from '../../functions/adminStats';
import { makeSignupStart } from '../../functions/signupStart';
import { JoseTokenVerifier } from '../../shared/adapters/joseTokenVerifier';
import { settingsFromConfig } from '../../shared/container';
import {
  ADMIN_ROLE,
  type AdminAuthenticator,
  entraAuthenticator,
  keyAuthenticator,
  READER_ROLE,
} from '../../shared/adminAuth';
import { httpFunction } from '../../shared/httpFunction';
import { DEFAULT_ACCESS_POLICY } from '../../shared/domain/accessPolicy';
import { CachedPolicyProvider } from '../../shared/services/policy';
import { makeSignupService } from '../../shared/services/signupService';
import { QUEUES } from '../../shared/storageNames';
import { testConfig, uniqueEmail } from '../support/builders';
import { emptyPolicy, InMemoryPolicyStore } from '../support/fakes';
import { startTestIdp, TEST_AUDIENCE, TEST_CLIENT_ID, type TestIdp } from '../support/localIdp';
import { assertMatchesOpenApi } from '../support/openapi';
import { testWorld } from '../support/testWorld';

// Response bodies are checked against openapi.yaml first; reading them loosely afterwards is fine.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function configWith(extra: Record<string, string> = {}) {
  return testConfig({ ORGANIZATION_DOMAINS: 'contoso.com', ...extra });
}

const OPERATIONS = {
  policyGet: ['GET', '/api/admin/policy', makeAdminPolicyGet],
  policyPut: ['PUT', '/api/admin/policy', makeAdminPolicyPut],
  list: ['GET', '/api/admin/signups', makeAdminSignupsList],
  get: ['GET', '/api/admin/signups/{signupId}', makeAdminSignupGet],
  retry: ['POST', '/api/admin/signups/{signupId}/retry', makeAdminSignupRetry],
  decide: ['POST', '/api/admin/signups/{signupId}/decision', makeAdminSignupDecide],
  erase: ['DELETE', '/api/admin/signups/{signupId}', makeAdminSignupDelete],
  stats: ['GET', '/api/admin/stats', makeAdminStats],
} as const;
type Operation = keyof typeof OPERATIONS;

function setup(settings: Record<string, string> = {}, adminAuth: AdminAuthenticator = keyAuthenticator) {
  const config = configWith(settings);
  const world = testWorld();
  const policyStore = new InMemoryPolicyStore();
  const { admin: lists, http } = settingsFromConfig(config);
  const policy = new CachedPolicyProvider(policyStore, lists, world.clock);
  const adminService = world.makeAdmin({
    policyStore,
    lists,
    onPolicyChanged: () => policy.invalidate(),
  }).service;
  const signupService = makeSignupService({ ...world, policy });
  const start = httpFunction(makeSignupStart({ signupService, http }));

  const call = async (
    op: Operation,
    init: { query?: string; body?: unknown; headers?: Record<string, string>; signupId?: string } = {},
  ): Promise<{ res: HttpResponseInit; json: Json }> => {
    const [method, template, make] = OPERATIONS[op];
    const path = template.replace('{signupId}', init.signupId ?? '');
    const req = new HttpRequest({
      method,
      url: `http://localhost${path}${init.query ? `?${init.query}` : ''}`,
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body:
        init.body === undefined
          ? undefined
          : { string: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) },
      params: init.signupId === undefined ? {} : { signupId: init.signupId },
    });
    const approvalService = world.approvalService;
    const res = await httpFunction(make({ adminService, approvalService, adminAuth }))(
      req,
      world.context(op),
    );
    const json = typeof res.body === 'string' && res.body.length ? JSON.parse(res.body) : undefined;
    expect(res.status).not.toBe(500);
    assertMatchesOpenApi(template, method, res.status ?? 200, json);
    return { res, json };
  };
  const startSignup = async (email = uniqueEmail('fabrikam.com')) => {
    const req = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/signups',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: { string: JSON.stringify({ email }) },
    });
    const res = await start(req, world.context('signupStart'));
    return { status: res.status, json: JSON.parse(typeof res.body === 'string' ? res.body : '{}') };
  };
  return { world, call, startSignup, policyStore };
}

const header = (res: HttpResponseInit, name: string) => (res.headers as Record<string, string>)[name];

/** A forged App Service principal naming the admin role: must count for nothing. */
const forgedPrincipal = Buffer.from(
  JSON.stringify({
    auth_typ: 'aad',
    claims: [
      { typ: 'preferred_username', val: 'ceo@contoso.com' },
      { typ: 'roles', val: ADMIN_ROLE },
    ],
  }),
).toString('base64');

describe('ADMIN_AUTH=entra: Entra access tokens checked in the app (security review M1)', () => {
  let idp: TestIdp;
  beforeAll(async () => {
    idp = await startTestIdp();
  });
  afterAll(() => idp.close());

  const entra = () =>
    entraAuthenticator(
      new JoseTokenVerifier({ authority: idp.authority, audiences: [TEST_AUDIENCE, TEST_CLIENT_ID] }),
    );
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const everyCall: [Operation, Parameters<ReturnType<typeof setup>['call']>[1]][] = [
    ['policyGet', {}],
    ['policyPut', { body: { signupsPaused: true } }],
    ['list', {}],
    ['get', { signupId: 'A'.repeat(24) }],
    ['retry', { signupId: 'A'.repeat(24) }],
    ['decide', { signupId: 'A'.repeat(24), body: { decision: 'approve' } }],
    ['erase', { signupId: 'A'.repeat(24) }],
    ['stats', {}],
  ];

  test.each(everyCall)(
    '%s: no token, a forged x-ms-client-principal, expired, not yet valid, wrong audience, wrong issuer or wrong signature → 401, nothing changed',
    async (op, init) => {
      const { call, policyStore } = setup({}, entra());
      const admin = { roles: [ADMIN_ROLE], preferred_username: 'ada@contoso.com' };
      const variants: Record<string, string>[] = [
        {},
        { 'x-ms-client-principal': forgedPrincipal },
        { authorization: 'Bearer not-a-jwt' },
        bearer(await idp.mint({ ...admin, expiresInSeconds: -120 })),
        bearer(await idp.mint({ ...admin, notBeforeSeconds: 600 })),
        bearer(await idp.mint({ ...admin, aud: 'api://some-other-app' })),
        bearer(await idp.mint({ ...admin, iss: 'https://login.microsoftonline.com/other-tenant/v2.0' })),
        bearer(await idp.mint({ ...admin, foreignKey: true })),
      ];
      for (const headers of variants) {
        const { res, json } = await call(op, { ...init, headers });
        expect(res.status).toBe(401);
        expect(json.error.code).toBe('unauthorized');
        expect(header(res, 'WWW-Authenticate')).toMatch(/^Bearer/);
      }
      expect(policyStore.current).toBeUndefined();
    },
  );

  test.each(everyCall)('%s: a valid token without an app role → 403 forbidden', async (op, init) => {
    const { call, policyStore } = setup({}, entra());
    const { res, json } = await call(op, { ...init, headers: bearer(await idp.mint({ roles: [] })) });
    expect(res.status).toBe(403);
    expect(json.error.code).toBe('forbidden');
    expect(policyStore.current).toBeUndefined();
  });

  test('the reader role reads (200) but every write is 403', async () => {
    const { call, policyStore } = setup({}, entra());
    const headers = bearer(await idp.mint({ roles: [READER_ROLE] }));
    for (const op of ['policyGet', 'list', 'stats'] as const)
      expect((await call(op, { headers })).res.status).toBe(200);
    for (const [op, init] of everyCall.filter(([o]) =>
      ['policyPut', 'retry', 'decide', 'erase'].includes(o),
    )) {
      const { res, json } = await call(op, { ...init, headers });
      expect(res.status).toBe(403);
      expect(json.error.code).toBe('forbidden');
    }
    expect(policyStore.current).toBeUndefined();
  });

  test('the admin role writes, and the audit actor is the token user and object id, never the forged header', async () => {
    const { call, world } = setup({}, entra());
    const token = await idp.mint({
      roles: [ADMIN_ROLE],
      preferred_username: 'ada.admin@contoso.com',
      oid: '11111111-2222-4333-8444-555555555555',
    });
    const put = await call('policyPut', {
      body: { signupsPaused: true, reason: 'incident' },
      headers: { ...bearer(token), 'x-ms-client-principal': forgedPrincipal },
    });
    expect(put.res.status).toBe(200);
    expect(world.audit.events.find((e) => e.type === 'policy_changed')).toMatchObject({
      actor: 'ada.admin@contoso.com (11111111-2222-4333-8444-555555555555)',
      details: { reason: 'incident' },
    });
  });

  test('a token accepted for the client id (v2 tokens) as well as the application id URI', async () => {
    const { call } = setup({}, entra());
    const headers = bearer(await idp.mint({ roles: [ADMIN_ROLE], aud: TEST_CLIENT_ID }));
    expect((await call('stats', { headers })).res.status).toBe(200);
  });

  test('an identity provider that does not answer → 503, not 401', async () => {
    const down = entraAuthenticator(
      new JoseTokenVerifier({ authority: 'http://127.0.0.1:9/nobody/v2.0', audiences: [TEST_AUDIENCE] }),
    );
    const { call } = setup({}, down);
    const { res, json } = await call('stats', { headers: bearer(await idp.mint({ roles: [ADMIN_ROLE] })) });
    expect(res.status).toBe(503);
    expect(json.error.code).toBe('identity_provider_unavailable');
  });
});

describe('ADMIN_AUTH=key (local development)', () => {
  test('the key alone is enough and the actor is function-key, whatever principal header is sent', async () => {
    const { call, world } = setup();
    const put = await call('policyPut', {
      body: { signupsPaused: false },
      headers: { 'x-ms-client-principal': forgedPrincipal },
    });
    expect(put.res.status).toBe(200);
    expect(world.audit.events.at(-1)).toMatchObject({ type: 'policy_changed', actor: 'function-key' });
  });
});

describe('policy', () => {
  test('GET → 200 with ETag; PUT pauses start (503 with the reason) and resumes it', async () => {
    const { call, startSignup } = setup();
    const before = await call('policyGet');
    expect(before.res.status).toBe(200);
    expect(before.json.etag).toBeNull();
    expect(before.json.settings.organizationDomains).toEqual(['contoso.com']);

    const put = await call('policyPut', {
      body: { signupsPaused: true, pauseReason: 'Maintenance until 14:00 UTC.' },
    });
    expect(put.res.status).toBe(200);
    expect(header(put.res, 'ETag')).toBe(put.json.etag);
    expect(header(put.res, 'Cache-Control')).toBe('no-store');
    expect(await startSignup()).toEqual({
      status: 503,
      json: {
        error: {
          code: 'signups_paused',
          message: 'Maintenance until 14:00 UTC.',
          detail: 'Maintenance until 14:00 UTC.',
        },
      },
    });

    const got = await call('policyGet');
    expect(header(got.res, 'ETag')).toBe(put.json.etag);
    expect(got.json.effective.pausedNow).toBe(true);
    await call('policyPut', { body: { signupsPaused: false }, headers: { 'if-match': got.json.etag } });
    expect((await startSignup()).status).toBe(202);
  });

  test("a paused domain is refused by start with the admin's reason", async () => {
    const { call, startSignup } = setup();
    await call('policyPut', {
      body: {
        signupsPaused: false,
        pausedDomains: [{ domain: 'fabrikam.com', reason: 'Paused while we review Fabrikam access.' }],
      },
    });
    expect(await startSignup(uniqueEmail('fabrikam.com'))).toEqual({
      status: 400,
      json: {
        error: {
          code: 'domain_not_allowed',
          message: 'Paused while we review Fabrikam access.',
          reason: 'paused',
          detail: 'Paused while we review Fabrikam access.',
        },
      },
    });
    expect((await startSignup(uniqueEmail('northwindtraders.com'))).status).toBe(202);
  });

  test.each([
    ['signupsPaused', { signupsPaused: 'yes' }],
    ['signupsPaused', {}],
    ['extra', { signupsPaused: true, extra: 1 }],
    ['pauseReason', { signupsPaused: true, pauseReason: 'x'.repeat(501) }],
    ['pauseUntil', { signupsPaused: true, pauseUntil: 'tomorrow' }],
    ['domainDailyCap', { signupsPaused: false, domainDailyCap: 0 }],
    ['domainDailyCap', { signupsPaused: false, domainDailyCap: 1.5 }],
    ['pausedDomains.0.reason', { signupsPaused: false, pausedDomains: [{ domain: 'fabrikam.com' }] }],
    [
      'blockedDomains[1]: "bad domain"',
      { signupsPaused: false, blockedDomains: ['fabrikam.com', 'bad domain'] },
    ],
    ['pauseReason', { signupsPaused: true, pauseReason: 'line\nbreak' }],
  ])('PUT with an invalid %s → 400 invalid_request naming it', async (field, body) => {
    const { call } = setup();
    const { res, json } = await call('policyPut', { body });
    expect(res.status).toBe(400);
    expect(json.error.code).toBe('invalid_request');
    expect(json.error.message).toContain(field);
  });

  test('PUT with a stale If-Match → 412 precondition_failed; without JSON → 415', async () => {
    const { call } = setup();
    const first = await call('policyPut', { body: { signupsPaused: false } });
    await call('policyPut', { body: { signupsPaused: true } });
    const stale = await call('policyPut', {
      body: { signupsPaused: false },
      headers: { 'if-match': first.json.etag },
    });
    expect(stale.res.status).toBe(412);
    expect(stale.json.error.code).toBe('precondition_failed');
    const plain = await call('policyPut', {
      body: 'signupsPaused=true',
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.res.status).toBe(415);
  });
});

describe('signups', () => {
  test('list → 200 masked items; query parameters are validated (and ?code= is allowed)', async () => {
    const { call, startSignup } = setup();
    const email = uniqueEmail('fabrikam.com');
    await startSignup(email);
    const { res, json } = await call('list', {
      query: 'status=pending_verification&domain=Fabrikam.com&top=10&code=the-key',
    });
    expect(res.status).toBe(200);
    expect(json.items).toHaveLength(1);
    expect(json.items[0].address).toBe('p•••@fabrikam.com');
    expect(JSON.stringify(json)).not.toContain(email);
    for (const query of [
      'status=done',
      'top=201',
      'top=0',
      'from=yesterday',
      'sort=desc',
      'continuationToken=%%%',
    ]) {
      const bad = await call('list', { query });
      expect([bad.res.status, bad.json.error.code]).toEqual([400, 'invalid_request']);
    }
  });

  test('list ?email= finds every flow of that exact address by its keyed hash, however it is typed; an invalid address → 400', async () => {
    const { call, startSignup } = setup();
    const email = uniqueEmail('fabrikam.com');
    const first = (await startSignup(email)).json.signupId as string;
    const second = (await startSignup(email.toUpperCase())).json.signupId as string;
    await startSignup(uniqueEmail('fabrikam.com'));
    const { res, json } = await call('list', { query: `email=${encodeURIComponent(` ${email} `)}` });
    expect(res.status).toBe(200);
    expect(json.items.map((i: { signupId: string }) => i.signupId).sort()).toEqual([first, second].sort());
    expect(JSON.stringify(json)).not.toContain(email);
    const none = await call('list', { query: `email=${encodeURIComponent(uniqueEmail('fabrikam.com'))}` });
    expect(none.json.items).toEqual([]);
    const bad = await call('list', { query: 'email=not-an-address' });
    expect([bad.res.status, bad.json.error.code]).toEqual([400, 'invalid_email']);
  });

  test('get → 200 with audit events; unknown → 404', async () => {
    const { call, startSignup } = setup();
    const { json: started } = await startSignup();
    const { res, json } = await call('get', { signupId: started.signupId });
    expect(res.status).toBe(200);
    expect(json.events.map((e: { type: string }) => e.type)).toEqual(['started']);
    expect((await call('get', { signupId: 'A'.repeat(24) })).res.status).toBe(404);
  });

  test('retry → 202 for a failed sign-up (queued), again → 202 retried false; a pending one → 409', async () => {
    const { call, world, startSignup } = setup();
    const signupId = await world.verifiedSignup(uniqueEmail('fabrikam.com'));
    world.queue.take(QUEUES.provision);
    world.directory.failNext('inviteGuest', new Error('Graph 500'));
    await expect(world.provisioningService.handle({ signupId }, world.log)).rejects.toThrow();
    await world.provisioningService.markFailed({ signupId }, world.log);
    const first = await call('retry', { signupId });
    expect([first.res.status, first.json]).toEqual([202, { signupId, status: 'verified', retried: true }]);
    const again = await call('retry', { signupId });
    expect([again.res.status, again.json.retried]).toEqual([202, false]);
    const { json: pending } = await startSignup();
    const conflict = await call('retry', { signupId: pending.signupId });
    expect([conflict.res.status, conflict.json.error.code]).toEqual([409, 'conflict']);
  });

  test('decision: approve moves a pending approval on to provisioning, audited with the admin as actor; again → 409 already_decided', async () => {
    const { call, world } = setup();
    world.policy.policy = emptyPolicy({
      access: { ...DEFAULT_ACCESS_POLICY, enrolment: 'approval', approvers: ['approver@contoso.com'] },
    });
    const signupId = await world.verifiedSignup(uniqueEmail('northwind.com'));
    await world.deliverProvisioning();
    expect((await world.signups.get(signupId))?.value.status).toBe('pending_approval');
    const { res, json } = await call('decide', { signupId, body: { decision: 'approve' } });
    expect([res.status, json]).toEqual([200, { decision: 'approve', signupId }]);
    expect((await world.signups.get(signupId))?.value.status).toBe('verified');
    expect(world.queue.take(QUEUES.provision)).toHaveLength(1);
    expect(world.audit.events.find((e) => e.type === 'approval_decided')).toMatchObject({
      actor: 'function-key',
      details: { decision: 'approve' },
    });
    const again = await call('decide', { signupId, body: { decision: 'deny' } });
    expect([again.res.status, again.json.error.code]).toEqual([409, 'already_decided']);
  });

  test('decision: deny ends the flow not_eligible (denied); a flow not waiting for approval → 409; unknown → 404; a bad body → 400', async () => {
    const { call, world, startSignup } = setup();
    world.policy.policy = emptyPolicy({
      access: { ...DEFAULT_ACCESS_POLICY, enrolment: 'approval', approvers: ['approver@contoso.com'] },
    });
    const signupId = await world.verifiedSignup(uniqueEmail('northwind.com'));
    await world.deliverProvisioning();
    const bad = await call('decide', { signupId, body: { decision: 'maybe' } });
    expect(bad.res.status).toBe(400);
    const denied = await call('decide', { signupId, body: { decision: 'deny' } });
    expect(denied.res.status).toBe(200);
    expect((await world.signups.get(signupId))?.value).toMatchObject({
      status: 'not_eligible',
      notEligibleReason: 'denied',
    });
    const { json: pending } = await startSignup();
    const conflict = await call('decide', { signupId: pending.signupId, body: { decision: 'approve' } });
    expect([conflict.res.status, conflict.json.error.code]).toEqual([409, 'conflict']);
    const unknown = await call('decide', { signupId: 'A'.repeat(24), body: { decision: 'approve' } });
    expect(unknown.res.status).toBe(404);
  });

  test('DELETE → 204 without a body; again → 404; deleteGuest must be a boolean', async () => {
    const { call, startSignup, world } = setup();
    const { json: started } = await startSignup();
    const bad = await call('erase', { signupId: started.signupId, query: 'deleteGuest=yes' });
    expect(bad.res.status).toBe(400);
    const done = await call('erase', { signupId: started.signupId, query: 'deleteGuest=false' });
    expect(done.res.status).toBe(204);
    expect(done.res.body).toBeUndefined();
    expect(header(done.res, 'Cache-Control')).toBe('no-store');
    expect(await world.signups.get(started.signupId)).toBeUndefined();
    expect((await call('erase', { signupId: started.signupId })).res.status).toBe(404);
  });

  test('deleteGuest=true on an existing guest → 409 and nothing erased', async () => {
    const { call, world } = setup();
    const email = uniqueEmail('fabrikam.com');
    world.directory.seedGuest(email);
    const signupId = await world.verifiedSignup(email);
    await world.deliverProvisioning();
    const { res, json } = await call('erase', { signupId, query: 'deleteGuest=true' });
    expect([res.status, json.error.code]).toEqual([409, 'conflict']);
    expect(await world.signups.get(signupId)).toBeDefined();
  });
});

test('stats → 200 in the documented shape', async () => {
  const { call, startSignup } = setup();
  await startSignup();
  const { res, json } = await call('stats');
  expect(res.status).toBe(200);
  expect(json.last24h.total).toBe(1);
  expect(json.topDomains).toEqual([{ domain: 'fabrikam.com', count: 1 }]);
});
