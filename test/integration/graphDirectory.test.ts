/**
 * GraphDirectory (the real @microsoft/microsoft-graph-client stack) against the Graph emulator over HTTP.
 */
import type { TokenCredential } from '@azure/identity';
import { randomUUID } from 'node:crypto';
import {
  startGraphEmulator,
  type FaultSpec,
  type GraphEmulator,
  type RequestLogEntry,
} from '../../dev/graph-emulator';
import { maskEmail } from '../../shared/domain/addressMask';
import {
  GraphDirectory,
  GraphRequestError,
  StaticTokenCredential,
  type GraphAttempt,
  type GraphDirectoryOptions,
} from '../../shared/adapters/graphDirectory';
import { isTransientError, type TransientError } from '../../shared/errors';
import { NotFoundYetError } from '../../shared/ports';
import { describeDirectoryContract } from '../support/directoryContract';

async function control(
  emulator: GraphEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`control ${method} ${path} → ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

async function seed(emulator: GraphEmulator, userType: 'Member' | 'Guest', mail: string): Promise<string> {
  const user = (await control(emulator, 'POST', '/_emulator/users', { userType, mail })) as { id: string };
  return user.id;
}

describeDirectoryContract('GraphDirectory + Graph emulator over HTTP', async () => {
  const emulator = await startGraphEmulator({ port: 0 });
  return {
    directory: new GraphDirectory({ credential: new StaticTokenCredential(), baseUrl: emulator.url }),
    seedMember: (email) => seed(emulator, 'Member', email),
    seedGuest: (email) => seed(emulator, 'Guest', email),
    close: () => emulator.close(),
  };
});

describe('GraphDirectory behaviour on the wire', () => {
  let emulator: GraphEmulator;
  const redirectUrl = 'https://myapplications.microsoft.com';
  const newAddress = () => `guest.${randomUUID().slice(0, 8)}@fabrikam.example.com`;
  const make = (options: Partial<GraphDirectoryOptions> = {}) =>
    new GraphDirectory({ credential: new StaticTokenCredential(), baseUrl: emulator.url, ...options });
  const requests = async () => (await control(emulator, 'GET', '/_emulator/requests')) as RequestLogEntry[];
  const fault = (spec: FaultSpec) => control(emulator, 'POST', '/_emulator/faults', spec);
  const failure = <T>(promise: Promise<T>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error,
    );

  beforeAll(async () => {
    emulator = await startGraphEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    await control(emulator, 'POST', '/_emulator/reset');
  });

  it('looks an address up with exactly one request: escaped filter, $select with userType, advanced-query headers, low priority', async () => {
    const directory = make();
    await directory.findUserByEmail("o'neil@fabrikam.example.com");
    const log = await requests();
    expect(log).toHaveLength(1);
    expect(directory.requestCount).toBe(1);
    const [lookup] = log;
    expect(lookup).toMatchObject({ method: 'GET', path: '/v1.0/users', status: 200 });
    expect(lookup?.query).toContain("mail eq 'o''neil@fabrikam.example.com'");
    expect(lookup?.query).toContain("proxyAddresses/any(x:x eq 'smtp:o''neil@fabrikam.example.com')");
    expect(lookup?.query).toContain("otherMails/any(x:x eq 'o''neil@fabrikam.example.com')");
    expect(lookup?.query).toMatch(/\$select=[^&]*userType/);
    expect(lookup?.query).toContain('$count=true');
    expect(lookup?.headers).toMatchObject({ consistencylevel: 'eventual', 'x-ms-throttle-priority': 'low' });
  });

  it('a new guest costs exactly 3 Graph requests (lookup, invitation, group add), all low priority', async () => {
    const directory = make();
    const email = newAddress();
    expect(await directory.findUserByEmail(email)).toBeUndefined();
    const { userId } = await directory.inviteGuest({ email, displayName: 'Guest', redirectUrl });
    await expect(directory.addToGroup('access-group', userId)).resolves.toBe('added');

    const log = await requests();
    expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /v1.0/users 200',
      'POST /v1.0/invitations 201',
      'POST /v1.0/groups/access-group/members/$ref 204',
    ]);
    expect(log.every((r) => r.headers['x-ms-throttle-priority'] === 'low')).toBe(true);
    expect(directory.requestCount).toBe(3);
    expect(emulator.state.groups.get('access-group')?.members.has(userId)).toBe(true);
  });

  it('invites without a Microsoft email, as a Guest, with the display name and redirect URL', async () => {
    const directory = make();
    const email = newAddress();
    const { userId } = await directory.inviteGuest({ email, displayName: 'Display Name', redirectUrl });
    const user = emulator.state.users.get(userId);
    expect(user).toMatchObject({ userType: 'Guest', displayName: 'Display Name', mail: email });
    const [invitation] = emulator.state.invitations.values();
    expect(invitation?.inviteRedirectUrl).toBe(redirectUrl);
  });

  it('429 with Retry-After surfaces at once as TransientError(throttled) with that delay — no in-process retry', async () => {
    await fault({ method: 'POST', path: '/v1.0/invitations', status: 429, retryAfterSeconds: 7, times: 5 });
    const directory = make();
    const started = Date.now();
    const error = await failure(
      directory.inviteGuest({ email: newAddress(), displayName: 'x', redirectUrl }),
    );
    expect(isTransientError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'throttled', retryAfterSeconds: 7 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await requests()).toHaveLength(1);
  });

  it('429 without Retry-After defaults to 10 seconds', async () => {
    await fault({ method: 'GET', path: '/v1.0/users', status: 429 });
    const error = await failure(make().findUserByEmail(newAddress()));
    expect(error).toMatchObject({ name: 'TransientError', kind: 'throttled', retryAfterSeconds: 10 });
  });

  it("the emulator's write budget 429 maps to throttled with the budget's Retry-After; reads still pass", async () => {
    await control(emulator, 'POST', '/_emulator/config', { writeLimit: { writes: 1, perSeconds: 30 } });
    const directory = make();
    await directory.inviteGuest({ email: newAddress(), displayName: 'x', redirectUrl });
    const error = (await failure(
      directory.inviteGuest({ email: newAddress(), displayName: 'y', redirectUrl }),
    )) as TransientError;
    expect(error).toMatchObject({ name: 'TransientError', kind: 'throttled' });
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(30);
    await expect(directory.findUserByEmail(newAddress())).resolves.toBeUndefined();
  });

  it('reports the throttle-limit percentage Graph sends near a limit to onAttempt', async () => {
    await control(emulator, 'POST', '/_emulator/config', { writeLimit: { writes: 5, perSeconds: 60 } });
    const attempts: GraphAttempt[] = [];
    const directory = make({ onAttempt: (a) => attempts.push(a) });
    for (let i = 0; i < 4; i += 1)
      await directory.inviteGuest({ email: newAddress(), displayName: 'x', redirectUrl });
    expect(attempts.map((a) => a.throttleLimitPercentage)).toEqual([undefined, undefined, undefined, 0.8]);
    expect(
      attempts.every((a) => a.method === 'POST' && a.status === 201 && typeof a.requestId === 'string'),
    ).toBe(true);
  });

  it('retries a short 503 in process (the replayed POST still makes one guest)', async () => {
    await fault({ method: 'POST', path: '/v1.0/invitations', status: 503, retryAfterSeconds: 1, times: 1 });
    const directory = make();
    const email = newAddress();
    await expect(directory.inviteGuest({ email, displayName: 'x', redirectUrl })).resolves.toMatchObject({
      userId: expect.any(String),
    });
    const log = await requests();
    expect(log.map((r) => r.status)).toEqual([503, 201]);
    expect(log[1]?.headers['retry-attempt']).toBe('1');
    expect(directory.requestCount).toBe(2);
    expect(emulator.state.usersByAddress(email)).toHaveLength(1);
  });

  it('503 ×3 exhausts the bounded retries as TransientError(unavailable); the next delivery creates one guest', async () => {
    await fault({ method: 'POST', path: '/v1.0/invitations', status: 503, retryAfterSeconds: 1, times: 3 });
    const directory = make();
    const email = newAddress();
    const error = await failure(directory.inviteGuest({ email, displayName: 'x', redirectUrl }));
    expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable', retryAfterSeconds: 1 });
    expect((await requests()).map((r) => r.status)).toEqual([503, 503, 503]);
    await directory.inviteGuest({ email, displayName: 'x', redirectUrl });
    expect(emulator.state.usersByAddress(email)).toHaveLength(1);
  });

  it('a 503 asking for a long wait surfaces at once with that Retry-After', async () => {
    await fault({ method: 'GET', path: '/v1.0/users', status: 503, retryAfterSeconds: 30 });
    const error = await failure(make().findUserByEmail(newAddress()));
    expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable', retryAfterSeconds: 30 });
    expect(await requests()).toHaveLength(1);
  });

  it('502 is transient and not retried in process', async () => {
    await fault({ method: 'GET', path: '/v1.0/users', status: 502 });
    const error = await failure(make().findUserByEmail(newAddress()));
    expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable' });
    expect(await requests()).toHaveLength(1);
  });

  it('500 is a permanent GraphRequestError whose message never contains an email address', async () => {
    const email = newAddress();
    await fault({
      method: 'POST',
      path: '/v1.0/invitations',
      status: 500,
      message: `Boom while inviting ${email}`,
    });
    const error = await failure(make().inviteGuest({ email, displayName: 'x', redirectUrl }));
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(isTransientError(error)).toBe(false);
    expect(error).toMatchObject({ status: 500, graphCode: 'InternalServerError' });
    expect((error as Error).message).not.toContain(email);
    expect((error as Error).message).toContain(maskEmail(email));
    expect(await requests()).toHaveLength(1);
  });

  it("inviting a member's address is a permanent 400 BadRequest", async () => {
    const email = newAddress();
    await seed(emulator, 'Member', email);
    const error = await failure(make().inviteGuest({ email, displayName: 'x', redirectUrl }));
    expect(error).toMatchObject({ name: 'GraphRequestError', status: 400, graphCode: 'BadRequest' });
  });

  it('a dropped connection is TransientError(unavailable)', async () => {
    await fault({ method: 'GET', path: '/v1.0/users', dropConnection: true });
    const error = await failure(make().findUserByEmail(newAddress()));
    expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable' });
  });

  it('a slow Graph hits the per-request timeout and is TransientError(unavailable)', async () => {
    await fault({ method: 'GET', path: '/v1.0/users', delayMs: 3_000 });
    const started = Date.now();
    const error = await failure(make({ timeoutMs: 300 }).findUserByEmail(newAddress()));
    expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('group add during replication lag throws NotFoundYetError, then succeeds once replicated', async () => {
    await control(emulator, 'POST', '/_emulator/config', { replicationLagMs: 700 });
    const directory = make();
    const { userId } = await directory.inviteGuest({ email: newAddress(), displayName: 'x', redirectUrl });
    await expect(directory.addToGroup('g-lag', userId)).rejects.toBeInstanceOf(NotFoundYetError);
    await new Promise((resolve) => setTimeout(resolve, 750));
    await expect(directory.addToGroup('g-lag', userId)).resolves.toBe('added');
  });

  it('a 404 naming the group itself is a permanent configuration error, not replication lag', async () => {
    const groupId = randomUUID();
    await fault({
      method: 'POST',
      path: `/v1.0/groups/${groupId}/members/$ref`,
      status: 404,
      code: 'Request_ResourceNotFound',
      message: `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`,
    });
    const error = await failure(make().addToGroup(groupId, randomUUID()));
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).not.toBeInstanceOf(NotFoundYetError);
  });

  it('sends the token from the credential, and an empty token is refused by Graph (401, permanent)', async () => {
    const error = await failure(
      new GraphDirectory({
        credential: new StaticTokenCredential(' '),
        baseUrl: emulator.url,
      }).findUserByEmail(newAddress()),
    );
    expect(error).toMatchObject({
      name: 'GraphRequestError',
      status: 401,
      graphCode: 'InvalidAuthenticationToken',
    });
  });

  it('a credential that cannot produce a token: permanent when misconfigured, transient when the identity platform is down', async () => {
    const refusing: TokenCredential = {
      getToken: () =>
        Promise.reject(Object.assign(new Error('no identity'), { name: 'CredentialUnavailableError' })),
    };
    const down: TokenCredential = {
      getToken: () =>
        Promise.reject(
          Object.assign(new Error('IMDS 503'), { name: 'AuthenticationError', statusCode: 503 }),
        ),
    };
    const permanent = await failure(
      new GraphDirectory({ credential: refusing, baseUrl: emulator.url }).findUserByEmail(newAddress()),
    );
    const transient = await failure(
      new GraphDirectory({ credential: down, baseUrl: emulator.url }).findUserByEmail(newAddress()),
    );
    expect(permanent).toMatchObject({ name: 'GraphRequestError', status: 0 });
    expect(transient).toMatchObject({ name: 'TransientError', kind: 'unavailable' });
    expect(await requests()).toHaveLength(0);
  });

  it('deleteUser resolves for an unknown user (404) and removes a known one', async () => {
    const directory = make();
    await expect(directory.deleteUser(randomUUID())).resolves.toBeUndefined();
    const id = await seed(emulator, 'Guest', newAddress());
    await directory.deleteUser(id);
    expect(emulator.state.users.has(id)).toBe(false);
  });

  describe('proof of send (message traces)', () => {
    const DAY = 86_400_000;
    const until = new Date();
    const since = new Date(until.getTime() - 30 * DAY);
    const trace = (recipientAddress: string, status: string, daysAgo: number) =>
      control(emulator, 'POST', '/_emulator/message-traces', {
        recipientAddress,
        senderAddress: 'owner@contoso.com',
        status,
        receivedDateTime: new Date(until.getTime() - daysAgo * DAY).toISOString(),
      });
    const traceCalls = async () =>
      (await requests()).filter((r) => r.path === '/v1.0/admin/exchange/tracing/messageTraces');

    it('follows @odata.nextLink to a Delivered trace on page 2 behind newer failed and pending ones', async () => {
      const email = newAddress();
      await trace(email, 'Failed', 1);
      await trace(email, 'Pending', 2);
      await trace(email, 'Failed', 3);
      await trace(email, 'Delivered', 10);
      await trace(newAddress(), 'Delivered', 1); // someone else's mail never counts
      await expect(make({ messageTracePageSize: 2 }).deliveredTo(email, since, until)).resolves.toBe(true);
      const calls = await traceCalls();
      expect(calls).toHaveLength(2);
      expect(calls[0]?.query).toContain(`recipientAddress eq '${email}'`);
      expect(calls[0]?.query).toContain('$top=2');
      expect(calls[1]?.query).toContain('$skiptoken=2');
      expect(calls[1]?.query).toContain(`recipientAddress eq '${email}'`);
    });

    it('stops at the first page with a match, and reads every page before saying no', async () => {
      const email = newAddress();
      await trace(email, 'Delivered', 1);
      for (let i = 2; i < 7; i++) await trace(email, 'Failed', i);
      await trace(email, 'Delivered', 45); // outside the window
      await expect(make({ messageTracePageSize: 2 }).deliveredTo(email, since, until)).resolves.toBe(true);
      expect(await traceCalls()).toHaveLength(1);

      await control(emulator, 'DELETE', '/_emulator/requests');
      const failedOnly = newAddress();
      for (let i = 1; i < 6; i++) await trace(failedOnly, 'Failed', i);
      await trace(failedOnly, 'Delivered', 45);
      await expect(make({ messageTracePageSize: 2 }).deliveredTo(failedOnly, since, until)).resolves.toBe(
        false,
      );
      expect(await traceCalls()).toHaveLength(3);
    });
  });

  it('refuses the static dev token for the real Microsoft Graph', () => {
    expect(
      () =>
        new GraphDirectory({
          credential: new StaticTokenCredential(),
          baseUrl: 'https://graph.microsoft.com',
        }),
    ).toThrow(/emulator only/);
  });
});
