/**
 * `Directory` over Microsoft Graph v1.0 with `@microsoft/microsoft-graph-client`.
 *
 * Least privilege (application permissions): User.Invite.All (POST /invitations), User.Read.All (lookups),
 * GroupMember.ReadWrite.All (partner group add/remove, group check) only when partner groups are configured,
 * ExchangeMessageTrace.Read.All (message traces) only for proof of send, and User.DeleteRestore.All only if
 * `deleteUser` is used (revocation or erasure with deleteGuest).
 *
 * Middleware chain (built here rather than the SDK default, on purpose):
 *   BearerToken → RetryHandler (bounded) → AttemptPolicy (priority header, 10 s timeout, counting) → fetch
 * - The SDK's AuthenticationHandler only attaches tokens to https:// Graph hosts (or https `customHosts`),
 *   so the http:// emulator would get no token. Ours attaches the token for the configured origin only,
 *   which also guarantees the token never follows a URL to another host.
 * - The default RetryHandler replays POSTs up to 3 times and sleeps up to 180 s on a 429 inside the queue
 *   handler. We keep it only for short 503/504 blips (2 retries, ≤ 5 s Retry-After). A 429, or a 5xx asking
 *   for a longer wait, surfaces at once as `TransientError` so the provisioner re-queues the message with
 *   Retry-After as visibility delay and the shared write budget can react. Replayed POSTs are safe here:
 *   re-inviting returns the same guest, and a replayed group add answers 400 "already exist".
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import {
  Client,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { randomUUID } from 'node:crypto';
import { TransientError } from '../errors';
import {
  AccessDeniedError,
  NotFoundYetError,
  type Directory,
  type DirectoryUser,
  type Invitation,
  type MessageTraces,
} from '../ports';
import { parseRetryAfter } from '../domain/retryAfter';
import { maskEmails } from '../domain/addressMask';

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';
const DEFAULT_THROTTLE_RETRY_SECONDS = 10;
const DEFAULT_UNAVAILABLE_RETRY_SECONDS = 5;

export interface GraphAttempt {
  method: string;
  /** 0 when no response arrived (network error or timeout). */
  status: number;
  durationMs: number;
  /** Graph's early warning (0.8–1.8) when a throttling limit is close; alert at ≥ 0.8. */
  throttleLimitPercentage?: number;
  requestId?: string;
}

export interface GraphDirectoryOptions {
  credential: TokenCredential;
  /** Default https://graph.microsoft.com; the emulator locally. */
  baseUrl?: string;
  scopes?: string[];
  /** Per HTTP attempt. Default 10 s. */
  timeoutMs?: number;
  /** In-process retries for 503/504 (default 2), and the longest Retry-After waited in process (default 5 s). */
  retry?: { maxRetries?: number; maxInProcessDelaySeconds?: number };
  /** Called after every HTTP attempt (retries included), for metrics and throttling alerts. */
  onAttempt?: (attempt: GraphAttempt) => void;
}

/** A fixed bearer token, for the local Graph emulator only. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token = 'graph-emulator-dev-token') {}
  getToken(): Promise<AccessToken> {
    return Promise.resolve({
      token: this.token,
      expiresOnTimestamp: Date.now() + 60 * 60 * 1000,
      tokenType: 'Bearer',
    });
  }
}

/** A Graph answer that retrying will not fix (4xx other than the mapped ones, 500, token refused). */
export class GraphRequestError extends Error {
  override name = 'GraphRequestError' as const;
  constructor(
    message: string,
    /** HTTP status, or 0 when no response arrived. */
    readonly status: number,
    readonly graphCode: string | undefined,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

interface GraphUserPayload {
  id?: unknown;
  userType?: unknown;
  mail?: unknown;
  userPrincipalName?: unknown;
  externalUserState?: unknown;
}

const USER_SELECT = ['id', 'userType', 'mail', 'userPrincipalName', 'externalUserState'];

export class GraphDirectory implements Directory, MessageTraces {
  private readonly client: Client;
  private readonly baseUrl: string;
  private readonly authProvider: TokenCredentialAuthenticationProvider;
  private attempts = 0;

  constructor(options: GraphDirectoryOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
    const origin = new URL(this.baseUrl).origin;
    if (
      options.credential instanceof StaticTokenCredential &&
      new URL(this.baseUrl).hostname.endsWith('graph.microsoft.com')
    ) {
      throw new Error('StaticTokenCredential is for the Graph emulator only, not for Microsoft Graph.');
    }
    const authProvider = new TokenCredentialAuthenticationProvider(options.credential, {
      scopes: options.scopes ?? [GRAPH_DEFAULT_SCOPE],
    });
    this.authProvider = authProvider;
    const maxInProcessDelay = options.retry?.maxInProcessDelaySeconds ?? 5;
    const retryOptions = new RetryHandlerOptions(
      1,
      options.retry?.maxRetries ?? 2,
      (_delay, _attempt, _request, _options, response) => shouldRetryInProcess(response, maxInProcessDelay),
    );
    this.client = Client.initWithMiddleware({
      baseUrl: this.baseUrl,
      defaultVersion: 'v1.0',
      middleware: [
        new BearerTokenHandler(authProvider, origin),
        new RetryHandler(retryOptions),
        new AttemptPolicyHandler(options.timeoutMs ?? 10_000, (attempt) => {
          this.attempts += 1;
          options.onAttempt?.(attempt);
        }),
        new HTTPMessageHandler(),
      ],
    });
  }

  /** HTTP requests sent so far (each retry counts), e.g. for "Graph requests per guest" in benchmarks. */
  get requestCount(): number {
    return this.attempts;
  }

  async findUserByEmail(email: string): Promise<DirectoryUser | undefined> {
    const address = odataString(email);
    const smtp = odataString(`smtp:${email}`);
    // eq on these four works without advanced query parameters per the docs, but the `or` across two any()
    // lambdas is run as an advanced query by well-known scripts; the headers cost nothing, so send them.
    const filter = [
      `mail eq ${address}`,
      `userPrincipalName eq ${address}`,
      `otherMails/any(x:x eq ${address})`,
      `proxyAddresses/any(x:x eq ${smtp})`,
    ].join(' or ');
    let page: unknown;
    try {
      page = (await this.client
        .api('/users')
        .header('ConsistencyLevel', 'eventual')
        // The SDK puts query values into the URL as they are: encode so '+', '&' and '#' survive.
        .filter(encodeURIComponent(filter))
        .select(USER_SELECT)
        .count(true)
        .top(10)
        .get()) as unknown;
    } catch (error) {
      throw toDirectoryError(error, 'user lookup');
    }
    const value = (page as { value?: unknown } | null)?.value;
    if (!Array.isArray(value))
      throw new GraphRequestError('Graph user lookup returned no value array', 200, undefined);
    const users = (value as GraphUserPayload[])
      .map(toDirectoryUser)
      .filter((u): u is DirectoryUser => u !== undefined);
    // A member means "sign in with your organisation account"; it wins over a guest with the same address.
    return users.find((u) => u.userType === 'Member') ?? users[0];
  }

  async inviteGuest(input: { email: string; displayName: string; redirectUrl: string }): Promise<Invitation> {
    let response: unknown;
    try {
      response = (await this.client.api('/invitations').post({
        invitedUserEmailAddress: input.email,
        invitedUserDisplayName: input.displayName,
        inviteRedirectUrl: input.redirectUrl,
        sendInvitationMessage: false,
        invitedUserType: 'Guest',
      })) as unknown;
    } catch (error) {
      throw toDirectoryError(error, 'invitation');
    }
    const body = response as { inviteRedeemUrl?: unknown; invitedUser?: { id?: unknown } } | null;
    const userId = body?.invitedUser?.id;
    const inviteRedeemUrl = body?.inviteRedeemUrl;
    if (typeof userId !== 'string' || typeof inviteRedeemUrl !== 'string') {
      throw new GraphRequestError(
        'Graph invitation response lacks invitedUser.id or inviteRedeemUrl',
        201,
        undefined,
      );
    }
    return { userId, inviteRedeemUrl };
  }

  async addToGroup(groupId: string, userId: string): Promise<'added' | 'already_member'> {
    try {
      await this.client
        .api(`/groups/${encodeURIComponent(groupId)}/members/$ref`)
        .post({ '@odata.id': `${this.baseUrl}/v1.0/directoryObjects/${encodeURIComponent(userId)}` });
      return 'added';
    } catch (error) {
      const graph = asGraphFailure(error);
      // Graph gives no specific code here (Request_BadRequest); the message is the only signal.
      if (graph?.status === 400 && /already exist/i.test(graph.message)) return 'already_member';
      if (graph?.status === 404) {
        // A missing *group* is configuration, not replication lag: do not let it be retried for minutes.
        if (groupId !== userId && graph.message.includes(groupId)) {
          throw new GraphRequestError(
            `Graph group add failed: the access group does not exist (404 ${graph.code ?? ''})`,
            404,
            graph.code,
            graph.requestId,
          );
        }
        throw new NotFoundYetError(
          `Graph group add: user not found yet (404, request-id ${graph.requestId ?? 'n/a'})`,
        );
      }
      throw toDirectoryError(error, 'group add');
    }
  }

  /**
   * GET of a read-only resource (tenant readiness): the body, undefined on 404, `AccessDeniedError` on
   * 401/403 (a permission the identity lacks), `TransientError`/`GraphRequestError` otherwise.
   */
  async read(path: string, version: 'v1.0' | 'beta' = 'v1.0'): Promise<unknown> {
    try {
      return (await this.client.api(path).version(version).get()) as unknown;
    } catch (error) {
      const status = asGraphFailure(error)?.status;
      if (status === 404) return undefined;
      if (status === 401 || status === 403) throw new AccessDeniedError(status);
      throw toDirectoryError(error, 'read');
    }
  }

  /** The bearer token the client sends (its claims name the identity's app roles). */
  async accessToken(): Promise<string> {
    return this.authProvider.getAccessToken();
  }

  async deleteUser(userId: string): Promise<void> {
    try {
      await this.client.api(`/users/${encodeURIComponent(userId)}`).delete();
    } catch (error) {
      if (asGraphFailure(error)?.status === 404) return;
      throw toDirectoryError(error, 'user delete');
    }
  }

  async removeFromGroup(groupId: string, userId: string): Promise<'removed' | 'not_member'> {
    try {
      await this.client
        .api(`/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(userId)}/$ref`)
        .delete();
      return 'removed';
    } catch (error) {
      if (asGraphFailure(error)?.status === 404) return 'not_member';
      throw toDirectoryError(error, 'group remove');
    }
  }

  async groupExists(groupId: string): Promise<boolean> {
    try {
      await this.client
        .api(`/groups/${encodeURIComponent(groupId)}`)
        .select(['id'])
        .get();
      return true;
    } catch (error) {
      if (asGraphFailure(error)?.status === 404) return false;
      throw toDirectoryError(error, 'group read');
    }
  }

  async deliveredTo(recipient: string, since: Date, until: Date): Promise<boolean> {
    const filter = [
      `recipientAddress eq ${odataString(recipient)}`,
      `status eq 'Delivered'`,
      `receivedDateTime ge ${since.toISOString()}`,
      `receivedDateTime le ${until.toISOString()}`,
    ].join(' and ');
    let page: unknown;
    try {
      page = (await this.client
        .api('/admin/exchange/tracing/messageTraces')
        .filter(encodeURIComponent(filter))
        .top(1)
        .get()) as unknown;
    } catch (error) {
      throw toDirectoryError(error, 'message trace');
    }
    const value = (page as { value?: unknown } | null)?.value;
    if (!Array.isArray(value))
      throw new GraphRequestError('Graph message trace returned no value array', 200, undefined);
    return value.length > 0;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Middleware

function requestUrl(context: Context): string {
  return typeof context.request === 'string' ? context.request : context.request.url;
}

function setHeader(context: Context, name: string, value: string): void {
  if (typeof context.request !== 'string') {
    context.request.headers.set(name, value);
    return;
  }
  const options = (context.options ??= {});
  const headers = options.headers;
  if (headers instanceof Headers) headers.set(name, value);
  else if (Array.isArray(headers)) headers.push([name, value]);
  else options.headers = { ...(headers ?? {}), [name]: value };
}

function getHeader(context: Context, name: string): string | undefined {
  if (typeof context.request !== 'string') return context.request.headers.get(name) ?? undefined;
  const headers = context.options?.headers;
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  if (Array.isArray(headers)) return headers.find(([key]) => key?.toLowerCase() === name.toLowerCase())?.[1];
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

/** Adds `Authorization: Bearer` for the configured Graph origin only. */
class BearerTokenHandler implements Middleware {
  private next?: Middleware;
  constructor(
    private readonly provider: TokenCredentialAuthenticationProvider,
    private readonly origin: string,
  ) {}

  async execute(context: Context): Promise<void> {
    if (new URL(requestUrl(context)).origin === this.origin) {
      let token: string;
      try {
        token = await this.provider.getAccessToken();
      } catch (error) {
        throw tokenError(error);
      }
      setHeader(context, 'Authorization', `Bearer ${token}`);
    }
    await this.next?.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Per HTTP attempt: low throttle priority (background work), a client request id, a timeout, a count. */
class AttemptPolicyHandler implements Middleware {
  private next?: Middleware;
  constructor(
    private readonly timeoutMs: number,
    private readonly onAttempt: (attempt: GraphAttempt) => void,
  ) {}

  async execute(context: Context): Promise<void> {
    setHeader(context, 'x-ms-throttle-priority', 'low');
    if (!getHeader(context, 'client-request-id')) setHeader(context, 'client-request-id', randomUUID());
    const options = (context.options ??= {});
    options.signal = AbortSignal.timeout(this.timeoutMs);
    const started = Date.now();
    try {
      await this.next?.execute(context);
    } finally {
      const response = context.response;
      const percentage = Number(response?.headers.get('x-ms-throttle-limit-percentage') ?? NaN);
      this.onAttempt({
        method: (options.method ?? 'GET').toUpperCase(),
        status: response?.status ?? 0,
        durationMs: Date.now() - started,
        ...(Number.isFinite(percentage) ? { throttleLimitPercentage: percentage } : {}),
        ...(response?.headers.get('request-id')
          ? { requestId: response.headers.get('request-id') ?? '' }
          : {}),
      });
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** OData string literal: single quotes doubled, so an address cannot change the filter. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function shouldRetryInProcess(response: Response, maxInProcessDelaySeconds: number): boolean {
  if (response.status === 429) return false; // the queue handler re-queues with Retry-After instead
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  return retryAfter === undefined || retryAfter <= maxInProcessDelaySeconds;
}

interface GraphFailure {
  status: number;
  code: string | undefined;
  message: string;
  requestId: string | undefined;
  retryAfterSeconds: number | undefined;
}

/** Reads the SDK's GraphError by shape (statusCode −1 or undefined when no response arrived). */
function asGraphFailure(error: unknown): GraphFailure | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  const e = error as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
    requestId?: unknown;
    headers?: unknown;
  };
  const status = typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : 0;
  const headers = e.headers instanceof Headers ? e.headers : undefined;
  return {
    status,
    code: typeof e.code === 'string' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message : '',
    requestId:
      (typeof e.requestId === 'string' ? e.requestId : undefined) ?? headers?.get('request-id') ?? undefined,
    retryAfterSeconds: parseRetryAfter(headers?.get('Retry-After')),
  };
}

const TOKEN_TRANSIENT = 'GraphTokenUnavailable';
const TOKEN_PERMANENT = 'GraphTokenRefused';

/**
 * The SDK turns middleware errors into GraphError with `code = error.name`, so the token failure kind
 * travels in the name: identity-platform throttling or outage is transient, anything else (no managed
 * identity, consent missing) is permanent and should end in the poison queue rather than loop.
 */
function tokenError(error: unknown): Error {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  const transient = typeof status === 'number' && (status === 429 || status >= 500);
  const wrapped = new Error(
    `Could not get a Graph access token (${error instanceof Error ? error.name : 'unknown error'})`,
  );
  wrapped.name = transient ? TOKEN_TRANSIENT : TOKEN_PERMANENT;
  return wrapped;
}

function toDirectoryError(error: unknown, operation: string): Error {
  const failure = asGraphFailure(error);
  if (!failure) {
    const name = error instanceof Error ? error.name : 'unknown';
    return new GraphRequestError(`Graph ${operation} failed before sending (${name})`, 0, undefined);
  }
  const where = `Graph ${operation}`;
  const id = failure.requestId ? `, request-id ${failure.requestId}` : '';
  if (failure.status === 429) {
    return new TransientError(
      `${where} throttled (429${id})`,
      failure.retryAfterSeconds ?? DEFAULT_THROTTLE_RETRY_SECONDS,
      'throttled',
    );
  }
  if ([408, 502, 503, 504].includes(failure.status)) {
    return new TransientError(
      `${where} unavailable (${failure.status} ${failure.code ?? ''}${id})`,
      failure.retryAfterSeconds ?? DEFAULT_UNAVAILABLE_RETRY_SECONDS,
      'unavailable',
    );
  }
  if (failure.status === 0) {
    if (failure.code === TOKEN_PERMANENT)
      return new GraphRequestError(`${where} failed: ${failure.message}`, 0, failure.code);
    // Network failure, timeout (TimeoutError/AbortError) or a transient token failure.
    return new TransientError(
      `${where} got no response (${failure.code ?? 'network error'})`,
      DEFAULT_UNAVAILABLE_RETRY_SECONDS,
      'unavailable',
    );
  }
  return new GraphRequestError(
    `${where} failed: ${failure.status} ${failure.code ?? ''}: ${maskEmails(failure.message.slice(0, 500))}${id}`,
    failure.status,
    failure.code,
    failure.requestId,
  );
}

function toDirectoryUser(payload: GraphUserPayload): DirectoryUser | undefined {
  if (typeof payload.id !== 'string' || typeof payload.userPrincipalName !== 'string') return undefined;
  return {
    id: payload.id,
    // Graph leaves userType null on some old synced accounts; those are members.
    userType: payload.userType === 'Guest' ? 'Guest' : 'Member',
    mail: typeof payload.mail === 'string' ? payload.mail : null,
    userPrincipalName: payload.userPrincipalName,
    externalUserState: typeof payload.externalUserState === 'string' ? payload.externalUserState : null,
  };
}
