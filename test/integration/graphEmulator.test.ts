/**
 * The Graph emulator over real HTTP with plain fetch: the Graph behaviour it promises (docs-backed) and its
 * control endpoints.
 */
import {
  guestUserPrincipalName,
  invitedAddressProblem,
  startGraphEmulator,
  type GraphEmulator,
  type RequestLogEntry,
} from '../../dev/graph-emulator';

interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON off the wire; the assertions are the type check
  body: any;
}

describe('Graph emulator', () => {
  let emulator: GraphEmulator;

  async function call(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? 'test-token'}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined
        ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
        : {}),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: response.headers,
      body: type.startsWith('application/json') && text ? JSON.parse(text) : text,
    };
  }

  const users = (filter: string, extra = '', headers: Record<string, string> = {}) =>
    call('GET', `/v1.0/users?$filter=${encodeURIComponent(filter)}${extra}`, { headers });
  const invite = (email: string, extra: Record<string, unknown> = {}) =>
    call('POST', '/v1.0/invitations', {
      body: { invitedUserEmailAddress: email, inviteRedirectUrl: 'https://app.example.com', ...extra },
    });
  const seed = async (body: Record<string, unknown>) =>
    (await call('POST', '/_emulator/users', { body, token: null })).body as { id: string };
  const control = (method: string, path: string, body?: unknown) =>
    call(method, path, { token: null, ...(body === undefined ? {} : { body }) });
  const log = async () => (await control('GET', '/_emulator/requests')).body as RequestLogEntry[];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    emulator = await startGraphEmulator({ port: 0, tenantDomain: 'contoso.onmicrosoft.com' });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    await control('POST', '/_emulator/reset');
  });

  describe('authentication and envelope', () => {
    it('answers 401 with the Graph error envelope without a bearer token, or with an empty one', async () => {
      const variants: Array<Record<string, string>> = [
        {},
        { Authorization: 'Bearer ' },
        { Authorization: 'Basic abc' },
      ];
      for (const headers of variants) {
        const reply = await call('GET', '/v1.0/users', { token: null, headers });
        expect(reply.status).toBe(401);
        expect(reply.body.error).toMatchObject({
          code: 'InvalidAuthenticationToken',
          message: expect.any(String),
        });
        expect(reply.body.error.innerError).toMatchObject({
          'request-id': reply.headers.get('request-id'),
          date: expect.any(String),
        });
      }
      expect((await call('GET', '/v1.0/users')).status).toBe(200);
    });

    it('sends JSON with a request-id and echoes client-request-id', async () => {
      const reply = await call('GET', '/v1.0/users', { headers: { 'client-request-id': 'abc-123' } });
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(reply.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(reply.headers.get('client-request-id')).toBe('abc-123');
    });

    it('answers 400 for an unknown segment and 405 for a wrong method', async () => {
      expect((await call('GET', '/v1.0/nothing')).body.error.code).toBe('BadRequest');
      expect((await call('PUT', '/v1.0/invitations', { body: {} })).status).toBe(405);
    });
  });

  describe('POST /v1.0/invitations', () => {
    it('creates a pending guest and answers 201 with the invitation resource', async () => {
      const reply = await invite('Alice.Smith@Fabrikam.com', {
        invitedUserDisplayName: 'Alice',
        sendInvitationMessage: false,
        invitedUserType: 'Guest',
      });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        invitedUserEmailAddress: 'Alice.Smith@Fabrikam.com',
        invitedUserDisplayName: 'Alice',
        invitedUserType: 'Guest',
        sendInvitationMessage: false,
        inviteRedirectUrl: 'https://app.example.com',
        status: 'PendingAcceptance',
        invitedUser: { id: expect.any(String) },
      });
      const user = emulator.state.users.get(reply.body.invitedUser.id);
      expect(user).toMatchObject({
        userType: 'Guest',
        mail: 'Alice.Smith@Fabrikam.com',
        otherMails: ['Alice.Smith@Fabrikam.com'],
        userPrincipalName: 'Alice.Smith_Fabrikam.com#EXT#@contoso.onmicrosoft.com',
        externalUserState: 'PendingAcceptance',
        creationType: 'Invitation',
        accountEnabled: true,
      });
    });

    it('gives a redeem URL that works locally and flips the guest to Accepted', async () => {
      const reply = await invite('redeem.me@fabrikam.com');
      const redeemUrl = new URL(reply.body.inviteRedeemUrl as string);
      expect(redeemUrl.origin).toBe(emulator.url);
      expect(redeemUrl.searchParams.get('rd')).toContain('ticket=');
      const page = await fetch(redeemUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Invitation redeemed (emulator)');
      expect(emulator.state.users.get(reply.body.invitedUser.id)?.externalUserState).toBe('Accepted');
      const again = await invite('redeem.me@fabrikam.com');
      expect(again.body.status).toBe('Completed');

      const forged = new URL(redeemUrl);
      forged.searchParams.set(
        'rd',
        (redeemUrl.searchParams.get('rd') ?? '').replace(/ticket=[^&]+/, 'ticket=forged'),
      );
      expect((await fetch(forged)).status).toBe(404);
    });

    it('returns the existing guest for an address already invited: new invitation id, same user id', async () => {
      const first = await invite('again@fabrikam.com');
      const second = await invite('AGAIN@fabrikam.com');
      expect(second.status).toBe(201);
      expect(second.body.id).not.toBe(first.body.id);
      expect(second.body.invitedUser.id).toBe(first.body.invitedUser.id);
      expect(emulator.state.users.size).toBe(1);
    });

    it("refuses a member's address with 400 BadRequest", async () => {
      await seed({ userType: 'Member', mail: 'member@contoso.com' });
      const reply = await invite('Member@Contoso.com');
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('BadRequest');
      expect(reply.body.error.message).toMatch(/Non-external user already exists/);
    });

    it.each([
      [{ inviteRedirectUrl: 'https://app.example.com' }, /invitedUserEmailAddress/],
      [{ invitedUserEmailAddress: 'a@fabrikam.com' }, /inviteRedirectUrl/],
      [{ invitedUserEmailAddress: 'a@fabrikam.com', inviteRedirectUrl: 'not a url' }, /inviteRedirectUrl/],
      [
        {
          invitedUserEmailAddress: 'a@fabrikam.com',
          inviteRedirectUrl: 'https://x.example',
          sendInvitationMessage: 'no',
        },
        /sendInvitationMessage/,
      ],
      [
        {
          invitedUserEmailAddress: 'a@fabrikam.com',
          inviteRedirectUrl: 'https://x.example',
          invitedUserType: 'Owner',
        },
        /invitedUserType/,
      ],
      [{ invitedUserEmailAddress: 'a+b@fabrikam.com', inviteRedirectUrl: 'https://x.example' }, /invalid/],
      [{ invitedUserEmailAddress: '.a@fabrikam.com', inviteRedirectUrl: 'https://x.example' }, /invalid/],
      [{ invitedUserEmailAddress: 'no-at-sign', inviteRedirectUrl: 'https://x.example' }, /invalid/],
    ])('validates the body: %j', async (body, message) => {
      const reply = await call('POST', '/v1.0/invitations', { body });
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('BadRequest');
      expect(reply.body.error.message).toMatch(message);
      expect(emulator.state.users.size).toBe(0);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const reply = await call('POST', '/v1.0/invitations', { body: '{nope' });
      expect(reply.status).toBe(400);
      expect(reply.body.error.message).toMatch(/JSON/);
    });
  });

  describe('address rules (shared with the in-memory fake)', () => {
    it("follows the invitation docs: forbidden characters, '.'/'-' not at the ends, '_' and apostrophe allowed", () => {
      for (const ok of [
        'a@b.com',
        '_a_@b.com',
        'a.b-c@b.co.uk',
        "o'brien@b.com",
        'x@xn--bcher-kva.example',
      ]) {
        expect(invitedAddressProblem(ok)).toBeUndefined();
      }
      for (const bad of [
        'a+b@b.com',
        'a!b@b.com',
        'a#b@b.com',
        '-a@b.com',
        'a.@b.com',
        'a..b@b.com',
        'a@b',
        'a@b.c',
        'ä@b.com',
        'a b@b.com',
        'a@@b.com',
      ]) {
        expect(invitedAddressProblem(bad)).toEqual(expect.any(String));
      }
    });

    it('maps the address into a #EXT# UPN', () => {
      expect(guestUserPrincipalName("o'brien@fabrikam.com", 'contoso.onmicrosoft.com')).toBe(
        "o'brien_fabrikam.com#EXT#@contoso.onmicrosoft.com",
      );
      expect(guestUserPrincipalName('a+b@fabrikam.com', 't.onmicrosoft.com')).toBe(
        'a_b_fabrikam.com#EXT#@t.onmicrosoft.com',
      );
    });
  });

  describe('GET /v1.0/users', () => {
    beforeEach(async () => {
      await seed({
        userType: 'Member',
        mail: 'Mary@Contoso.com',
        userPrincipalName: 'mary@contoso.onmicrosoft.com',
        otherMails: ['mary.alt@gmail.com'],
      });
      await seed({ userType: 'Guest', mail: "o'brien@fabrikam.com" });
      await seed({
        userType: 'Guest',
        mail: 'proxy.only@fabrikam.com',
        proxyAddresses: ['smtp:secondary@fabrikam.com', 'SMTP:proxy.only@fabrikam.com'],
      });
    });

    const mails = (reply: Reply) => (reply.body.value as Array<{ mail: string }>).map((u) => u.mail).sort();

    it('filters with eq on mail and userPrincipalName, ignoring case', async () => {
      expect(mails(await users("mail eq 'mary@contoso.com'"))).toEqual(['Mary@Contoso.com']);
      expect(mails(await users("userPrincipalName eq 'MARY@contoso.onmicrosoft.com'"))).toEqual([
        'Mary@Contoso.com',
      ]);
      expect(mails(await users("mail eq 'nobody@contoso.com'"))).toEqual([]);
    });

    it('filters otherMails/any and proxyAddresses/any (SMTP: prefix, any case) without advanced query parameters', async () => {
      expect(mails(await users("otherMails/any(x:x eq 'Mary.Alt@gmail.com')"))).toEqual(['Mary@Contoso.com']);
      expect(mails(await users("proxyAddresses/any(x:x eq 'SMTP:secondary@fabrikam.com')"))).toEqual([
        'proxy.only@fabrikam.com',
      ]);
      expect(mails(await users("proxyAddresses/any(p:p eq 'smtp:PROXY.ONLY@fabrikam.com')"))).toEqual([
        'proxy.only@fabrikam.com',
      ]);
    });

    it('combines clauses with or, and reads doubled single quotes as one quote', async () => {
      const filter = "mail eq 'o''brien@fabrikam.com' or otherMails/any(x:x eq 'mary.alt@gmail.com')";
      expect(mails(await users(filter))).toEqual(["o'brien@fabrikam.com", 'Mary@Contoso.com'].sort());
      const injected = "mail eq 'x'' or userType eq ''Member'";
      expect(mails(await users(injected))).toEqual([]);
    });

    it('answers 400 for an unterminated literal or an unsupported property', async () => {
      expect((await users("mail eq 'x")).body.error.code).toBe('BadRequest');
      expect((await users("jobTitle eq 'x'")).body.error.code).toBe('Request_UnsupportedQuery');
    });

    it('returns the default property set without $select (no userType) and exactly the selected ones with it', async () => {
      const plain = await users("mail eq 'mary@contoso.com'");
      expect(plain.body['@odata.context']).toBe(`${emulator.url}/v1.0/$metadata#users`);
      expect(Object.keys(plain.body.value[0]).sort()).toEqual(
        [
          'businessPhones',
          'displayName',
          'givenName',
          'id',
          'jobTitle',
          'mail',
          'mobilePhone',
          'officeLocation',
          'preferredLanguage',
          'surname',
          'userPrincipalName',
        ].sort(),
      );
      const selected = await users("mail eq 'mary@contoso.com'", '&$select=id,userType,externalUserState');
      expect(selected.body.value).toEqual([
        { id: expect.any(String), userType: 'Member', externalUserState: null },
      ]);
      expect((await users("mail eq 'mary@contoso.com'", '&$select=nope')).status).toBe(400);
    });

    it('honours $top (1–999)', async () => {
      expect((await call('GET', '/v1.0/users?$top=2')).body.value).toHaveLength(2);
      expect((await call('GET', '/v1.0/users?$top=0')).status).toBe(400);
    });

    it('adds @odata.count only with ConsistencyLevel: eventual (ignored silently without, as documented)', async () => {
      const without = await call('GET', '/v1.0/users?$count=true');
      expect(without.status).toBe(200);
      expect(without.body['@odata.count']).toBeUndefined();
      const withHeader = await call('GET', '/v1.0/users?$count=true&$top=1', {
        headers: { ConsistencyLevel: 'eventual' },
      });
      expect(withHeader.body['@odata.count']).toBe(3);
      expect(withHeader.body.value).toHaveLength(1);
    });

    it('answers /users/$count only with ConsistencyLevel: eventual', async () => {
      const without = await call('GET', '/v1.0/users/$count');
      expect(without.status).toBe(400);
      expect(without.body.error.message).toBe('$count is not currently supported.');
      const withHeader = await call('GET', '/v1.0/users/$count', {
        headers: { ConsistencyLevel: 'eventual' },
      });
      expect(withHeader.body).toBe('3');
    });

    it('needs both advanced query parameters for endsWith / ne / not', async () => {
      for (const filter of [
        "endsWith(mail,'@fabrikam.com')",
        "mail ne 'x@y.com'",
        "not(mail eq 'x@y.com')",
      ]) {
        const bare = await users(filter);
        expect(bare.status).toBe(400);
        expect(bare.body.error.code).toBe('Request_UnsupportedQuery');
        expect((await users(filter, '&$count=true')).status).toBe(400);
        expect((await users(filter, '', { ConsistencyLevel: 'eventual' })).status).toBe(400);
        expect((await users(filter, '&$count=true', { ConsistencyLevel: 'eventual' })).status).toBe(200);
      }
      const ends = await users("endsWith(mail,'@FABRIKAM.com')", '&$count=true', {
        ConsistencyLevel: 'eventual',
      });
      expect(mails(ends)).toEqual(["o'brien@fabrikam.com", 'proxy.only@fabrikam.com']);
    });
  });

  describe('users by id', () => {
    it('gets a user by id or by UPN, and deletes it (204, then 404 Request_ResourceNotFound)', async () => {
      const { id } = await seed({ userType: 'Guest', mail: 'g@fabrikam.com' });
      expect((await call('GET', `/v1.0/users/${id}`)).body).toMatchObject({ id, mail: 'g@fabrikam.com' });
      const upn = encodeURIComponent('g_fabrikam.com#EXT#@contoso.onmicrosoft.com');
      expect((await call('GET', `/v1.0/users/${upn}?$select=userType`)).body).toMatchObject({
        userType: 'Guest',
      });
      expect((await call('DELETE', `/v1.0/users/${id}`)).status).toBe(204);
      const gone = await call('GET', `/v1.0/users/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe('Request_ResourceNotFound');
      expect((await call('DELETE', `/v1.0/users/${id}`)).status).toBe(404);
    });
  });

  describe('POST /v1.0/users (members)', () => {
    const member = (upn: string, extra: Record<string, unknown> = {}) => ({
      accountEnabled: true,
      displayName: 'Member',
      mailNickname: 'member',
      userPrincipalName: upn,
      passwordProfile: { forceChangePasswordNextSignIn: true, password: 'xWwvJ]6NMw+bWH-d' },
      ...extra,
    });

    it('creates a member with the required fields', async () => {
      const reply = await call('POST', '/v1.0/users', {
        body: member('new@contoso.onmicrosoft.com', { mail: 'new@contoso.onmicrosoft.com' }),
      });
      expect(reply.status).toBe(201);
      expect(emulator.state.users.get(reply.body.id)).toMatchObject({
        userType: 'Member',
        proxyAddresses: ['SMTP:new@contoso.onmicrosoft.com'],
      });
    });

    it.each(['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName', 'passwordProfile'])(
      'requires %s',
      async (field) => {
        const body: Record<string, unknown> = member('x@contoso.onmicrosoft.com');
        delete body[field];
        const reply = await call('POST', '/v1.0/users', { body });
        expect(reply.status).toBe(400);
        expect(reply.body.error.code).toBe('Request_BadRequest');
      },
    );

    it('answers 400 ObjectConflict for a duplicate UPN (not 409)', async () => {
      expect(
        (await call('POST', '/v1.0/users', { body: member('dup@contoso.onmicrosoft.com') })).status,
      ).toBe(201);
      const reply = await call('POST', '/v1.0/users', { body: member('DUP@contoso.onmicrosoft.com') });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({
        code: 'Request_BadRequest',
        message: 'Another object with the same value for property userPrincipalName already exists.',
        details: [expect.objectContaining({ code: 'ObjectConflict', target: 'userPrincipalName' })],
      });
    });

    it('refuses a UPN outside the verified domains', async () => {
      const reply = await call('POST', '/v1.0/users', { body: member('alice@fabrikam.com') });
      expect(reply.status).toBe(400);
      expect(reply.body.error.message).toMatch(/verified domain names/);
    });
  });

  describe('groups', () => {
    const addRef = (groupId: string, userId: string) =>
      call('POST', `/v1.0/groups/${groupId}/members/$ref`, {
        body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${userId}` },
      });

    it('adds a member (204), refuses a second add (400), and 404s an unknown object', async () => {
      const { id } = await seed({ userType: 'Guest', mail: 'm@fabrikam.com' });
      expect((await addRef('access', id)).status).toBe(204);
      const again = await addRef('access', id);
      expect(again.status).toBe(400);
      expect(again.body.error).toMatchObject({
        code: 'Request_BadRequest',
        message:
          "One or more added object references already exist for the following modified properties: 'members'.",
      });
      const unknown = await addRef('access', '00000000-0000-0000-0000-000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('Request_ResourceNotFound');
      const members = await call('GET', '/v1.0/groups/access/members');
      expect(members.body.value).toEqual([
        expect.objectContaining({ '@odata.type': '#microsoft.graph.user', id }),
      ]);
    });

    it('answers 400 for a malformed @odata.id', async () => {
      expect(
        (await call('POST', '/v1.0/groups/g/members/$ref', { body: { '@odata.id': 'nope' } })).status,
      ).toBe(400);
    });

    it('creates a group with POST /groups and removes members with DELETE …/$ref', async () => {
      const created = await call('POST', '/v1.0/groups', {
        body: {
          displayName: 'RMS readers',
          mailNickname: 'rms-readers',
          mailEnabled: false,
          securityEnabled: true,
        },
      });
      expect(created.status).toBe(201);
      expect((await call('POST', '/v1.0/groups', { body: { displayName: 'x' } })).status).toBe(400);
      const { id } = await seed({ userType: 'Guest', mail: 'r@fabrikam.com', groups: [created.body.id] });
      expect((await call('DELETE', `/v1.0/groups/${created.body.id}/members/${id}/$ref`)).status).toBe(204);
      expect((await call('GET', `/v1.0/groups/${created.body.id}/members`)).body.value).toEqual([]);
    });
  });

  describe('faults', () => {
    it('fails the next `times` matching requests with the status, a Graph body and Retry-After, then recovers', async () => {
      const created = await control('POST', '/_emulator/faults', {
        method: 'POST',
        path: '/v1.0/invitations',
        status: 503,
        times: 2,
        retryAfterSeconds: 1,
      });
      expect(created.status).toBe(201);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const reply = await invite('f@fabrikam.com');
        statuses.push(reply.status);
        if (reply.status === 503) {
          expect(reply.headers.get('retry-after')).toBe('1');
          expect(reply.body.error.code).toBe('ServiceNotAvailable');
        }
      }
      expect(statuses).toEqual([503, 503, 201]);
      expect(emulator.state.users.size).toBe(1);
    });

    it('matches a path prefix ending in * and only the given method', async () => {
      await control('POST', '/_emulator/faults', {
        method: 'POST',
        path: '/v1.0/groups/*',
        status: 500,
        code: 'generalException',
        message: 'boom',
      });
      expect((await call('GET', '/v1.0/groups/g/members')).status).toBe(200);
      const reply = await call('POST', '/v1.0/groups/g/members/$ref', {
        body: { '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/x' },
      });
      expect(reply.status).toBe(500);
      expect(reply.body.error).toMatchObject({ code: 'generalException', message: 'boom' });
      expect((await control('GET', '/_emulator/faults')).body).toEqual([]);
    });

    it('can delay a response or drop the connection', async () => {
      await control('POST', '/_emulator/faults', { path: '/v1.0/users', delayMs: 300 });
      const started = Date.now();
      expect((await call('GET', '/v1.0/users')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);

      await control('POST', '/_emulator/faults', { path: '/v1.0/users', dropConnection: true });
      await expect(call('GET', '/v1.0/users')).rejects.toThrow();
      expect((await call('GET', '/v1.0/users')).status).toBe(200);
    });

    it('rejects a fault without path or effect', async () => {
      expect((await control('POST', '/_emulator/faults', { status: 503 })).status).toBe(400);
      expect((await control('POST', '/_emulator/faults', { path: '/v1.0/users' })).status).toBe(400);
    });
  });

  describe('write budget', () => {
    it('is off by default, then answers 429 with Retry-After once writes exceed it; reads are not counted', async () => {
      for (let i = 0; i < 5; i += 1) expect((await invite(`free${i}@fabrikam.com`)).status).toBe(201);

      await control('POST', '/_emulator/config', { writeLimit: { writes: 2, perSeconds: 60 } });
      expect((await invite('w1@fabrikam.com')).status).toBe(201);
      const second = await invite('w2@fabrikam.com');
      expect(second.status).toBe(201);
      expect(second.headers.get('x-ms-throttle-limit-percentage')).toBe('1.00');
      for (let i = 0; i < 3; i += 1) expect((await call('GET', '/v1.0/users')).status).toBe(200);
      const third = await invite('w3@fabrikam.com');
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('TooManyRequests');
      const retryAfter = Number(third.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(59);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(third.headers.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
      expect(emulator.state.usersByAddress('w3@fabrikam.com')).toEqual([]);

      await control('POST', '/_emulator/config', { writeLimit: null });
      expect((await invite('w3@fabrikam.com')).status).toBe(201);
    });

    it('frees budget as the window slides', async () => {
      await control('POST', '/_emulator/config', { writeLimit: { writes: 1, perSeconds: 0.4 } });
      expect((await invite('s1@fabrikam.com')).status).toBe(201);
      expect((await invite('s2@fabrikam.com')).status).toBe(429);
      await sleep(450);
      expect((await invite('s2@fabrikam.com')).status).toBe(201);
    });

    it('can be set at start-up', async () => {
      const limited = await startGraphEmulator({ port: 0, writeLimit: { writes: 1, perSeconds: 60 } });
      try {
        const post = () =>
          fetch(`${limited.url}/v1.0/groups`, {
            method: 'POST',
            headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
            body: JSON.stringify({
              displayName: 'g',
              mailNickname: 'g',
              mailEnabled: false,
              securityEnabled: true,
            }),
          });
        expect((await post()).status).toBe(201);
        expect((await post()).status).toBe(429);
      } finally {
        await limited.close();
      }
    });
  });

  describe('replication lag', () => {
    it('answers 404 on GET by id and on group add until the lag has passed; lists already show the user', async () => {
      await control('POST', '/_emulator/config', { replicationLagMs: 500 });
      const created = await invite('lag@fabrikam.com');
      const id = created.body.invitedUser.id as string;
      expect((await call('GET', `/v1.0/users/${id}`)).status).toBe(404);
      const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` };
      expect((await call('POST', '/v1.0/groups/g/members/$ref', { body: ref })).status).toBe(404);
      expect((await users("mail eq 'lag@fabrikam.com'")).body.value).toHaveLength(1);
      await sleep(550);
      expect((await call('GET', `/v1.0/users/${id}`)).status).toBe(200);
      expect((await call('POST', '/v1.0/groups/g/members/$ref', { body: ref })).status).toBe(204);
    });
  });

  describe('message traces', () => {
    interface Trace {
      id: string;
      recipientAddress: string;
      senderAddress: string;
      status: string;
      receivedDateTime: string;
    }
    const DAY = 86_400_000;
    const base = Date.parse('2026-11-01T12:00:00Z');

    it('pages a filtered list with @odata.nextLink: every matching trace exactly once, the filter held on every page', async () => {
      // 40 traces across two recipients, two senders, three statuses and 40 days.
      const seeded: Trace[] = [];
      for (let i = 0; i < 40; i++) {
        const reply = await control('POST', '/_emulator/message-traces', {
          recipientAddress: i % 4 === 3 ? 'other@fabrikam.com' : 'Ann@Fabrikam.com',
          senderAddress: i % 5 === 4 ? 'someone@contoso.com' : 'owner@contoso.com',
          status: ['Delivered', 'Failed', 'Delivered', 'Pending'][i % 4 === 3 ? 0 : i % 3],
          receivedDateTime: new Date(base - i * DAY).toISOString(),
        });
        expect(reply.status).toBe(201);
        seeded.push(reply.body as Trace);
      }
      const since = new Date(base - 30 * DAY);
      const until = new Date(base - 2 * DAY);
      const matches = (t: Trace) =>
        t.recipientAddress.toLowerCase() === 'ann@fabrikam.com' &&
        t.senderAddress === 'owner@contoso.com' &&
        t.status === 'Delivered' &&
        Date.parse(t.receivedDateTime) >= since.getTime() &&
        Date.parse(t.receivedDateTime) <= until.getTime();
      const expected = seeded.filter(matches).map((t) => t.id);
      expect(expected.length).toBeGreaterThan(4);

      const filter = [
        "recipientAddress eq 'ann@fabrikam.com'",
        "senderAddress eq 'owner@contoso.com'",
        "status eq 'Delivered'",
        `receivedDateTime ge ${since.toISOString()}`,
        `receivedDateTime le ${until.toISOString()}`,
      ].join(' and ');
      let path: string | undefined =
        `/v1.0/admin/exchange/tracing/messageTraces?$filter=${encodeURIComponent(filter)}&$top=4`;
      const seen: string[] = [];
      let pages = 0;
      while (path) {
        const reply = await call('GET', path);
        expect(reply.status).toBe(200);
        const page = reply.body as { value: Trace[]; '@odata.nextLink'?: string };
        expect(page.value.length).toBeLessThanOrEqual(4);
        expect(page.value.filter((t) => !matches(t))).toEqual([]);
        seen.push(...page.value.map((t) => t.id));
        pages += 1;
        const next = page['@odata.nextLink'];
        if (next)
          expect(next.startsWith(`${emulator.url}/v1.0/admin/exchange/tracing/messageTraces?`)).toBe(true);
        path = next?.slice(emulator.url.length);
      }
      expect(pages).toBe(Math.ceil(expected.length / 4));
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...expected].sort());
    });

    it('refuses a bad $top or $skiptoken with 400', async () => {
      const list = '/v1.0/admin/exchange/tracing/messageTraces';
      expect((await call('GET', `${list}?$top=0`)).status).toBe(400);
      expect((await call('GET', `${list}?$skiptoken=-1`)).status).toBe(400);
    });
  });

  describe('control endpoints', () => {
    it('logs every Graph request (method, path, status, time, selected headers) but not control calls or tokens', async () => {
      await call('GET', '/v1.0/users', { token: null });
      await call('GET', "/v1.0/users?$filter=mail eq 'a@b.com'", {
        headers: { 'x-ms-throttle-priority': 'low' },
      });
      await control('GET', '/_emulator/health');
      const entries = await log();
      expect(entries.map((e) => [e.method, e.path, e.status])).toEqual([
        ['GET', '/v1.0/users', 401],
        ['GET', '/v1.0/users', 200],
      ]);
      expect(entries[1]?.query).toBe("$filter=mail eq 'a@b.com'");
      expect(entries[1]?.headers['x-ms-throttle-priority']).toBe('low');
      expect(new Date(entries[0]?.time ?? '').getTime()).not.toBeNaN();
      expect(JSON.stringify(entries)).not.toMatch(/bearer|test-token/i);
    });

    it('reset clears users, groups, faults, the request log and run-time config', async () => {
      await seed({ mail: 'x@contoso.com', groups: ['g'] });
      await control('POST', '/_emulator/faults', { path: '/v1.0/users', status: 503 });
      await control('POST', '/_emulator/config', {
        replicationLagMs: 5000,
        writeLimit: { writes: 1, perSeconds: 1 },
      });
      await call('GET', '/v1.0/groups');
      expect((await control('POST', '/_emulator/reset')).status).toBe(204);
      expect((await control('GET', '/_emulator/health')).body).toMatchObject({
        status: 'ok',
        users: 0,
        groups: 0,
      });
      expect((await control('GET', '/_emulator/faults')).body).toEqual([]);
      expect((await control('GET', '/_emulator/config')).body).toEqual({
        writeLimit: null,
        replicationLagMs: 0,
      });
      expect(await log()).toEqual([]);
    });

    it('seeds members and guests directly, outside the write budget', async () => {
      await control('POST', '/_emulator/config', { writeLimit: { writes: 1, perSeconds: 60 } });
      const member = await seed({ userType: 'Member', mail: 'boss@contoso.onmicrosoft.com' });
      const guest = await seed({
        userType: 'Guest',
        mail: 'visitor@fabrikam.com',
        externalUserState: 'PendingAcceptance',
      });
      expect(emulator.state.users.get(member.id)).toMatchObject({
        userType: 'Member',
        userPrincipalName: 'boss@contoso.onmicrosoft.com',
      });
      expect(emulator.state.users.get(guest.id)).toMatchObject({
        userType: 'Guest',
        userPrincipalName: 'visitor_fabrikam.com#EXT#@contoso.onmicrosoft.com',
        externalUserState: 'PendingAcceptance',
      });
      expect((await control('POST', '/_emulator/users', { userType: 'Owner', mail: 'x@y.com' })).status).toBe(
        400,
      );
      expect((await invite('first.write@fabrikam.com')).status).toBe(201);
    });
  });
});
