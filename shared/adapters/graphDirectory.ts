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
import type { TokenCredential } from '@azure/identity';
import {
  Client,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import {
  AccessDeniedError,
  NotFoundYetError,
  type Directory,
  type DirectoryUser,
  type GuestAccount,
  type GuestAccounts,
  type Invitation,
  type MessageTraces,
} from '../ports';
import {
  AttemptPolicyHandler,
  BearerTokenHandler,
  type GraphAttempt,
  GraphRequestError,
  StaticTokenCredential,
  asGraphFailure,
  odataString,
  shouldRetryInProcess,
  toDirectoryError,
} from './graphHttp';

export { GraphRequestError, StaticTokenCredential, odataString, type GraphAttempt } from './graphHttp';

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';
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
  /** `$top` of a proof-of-send message trace look-up (default 100). */
  messageTracePageSize?: number;
}

interface GraphUserPayload {
  id?: unknown;
  userType?: unknown;
  mail?: unknown;
  userPrincipalName?: unknown;
  externalUserState?: unknown;
}

const USER_SELECT = ['id', 'userType', 'mail', 'userPrincipalName', 'externalUserState'];

export class GraphDirectory implements Directory, GuestAccounts, MessageTraces {
  private readonly client: Client;
  private readonly baseUrl: string;
  private readonly authProvider: TokenCredentialAuthenticationProvider;
  private attempts = 0;
  private readonly tracePageSize: number;

  constructor(options: GraphDirectoryOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
    this.tracePageSize = options.messageTracePageSize ?? 100;
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

  // ---- GuestAccounts (guest lifecycle) ----

  async getGuest(
    userId: string,
    options: { signInActivity?: boolean } = {},
  ): Promise<GuestAccount | undefined> {
    // signInActivity needs AuditLog.Read.All: only asked for when GUEST_INACTIVE_DAYS is on.
    const select = [...USER_SELECT, 'accountEnabled', ...(options.signInActivity ? ['signInActivity'] : [])];
    let body: unknown;
    try {
      body = (await this.client
        .api(`/users/${encodeURIComponent(userId)}`)
        .select(select)
        .get()) as unknown;
    } catch (error) {
      if (asGraphFailure(error)?.status === 404) return undefined;
      throw toDirectoryError(error, 'user read');
    }
    const payload = body as
      (GraphUserPayload & { accountEnabled?: unknown; signInActivity?: unknown }) | null;
    const user = payload ? toDirectoryUser(payload) : undefined;
    if (!user || !payload) throw new GraphRequestError('Graph user read returned no user', 200, undefined);
    const activity = payload.signInActivity as { lastSignInDateTime?: unknown } | null | undefined;
    const last = activity?.lastSignInDateTime;
    return {
      id: user.id,
      userType: user.userType,
      mail: user.mail,
      externalUserState: user.externalUserState,
      accountEnabled: payload.accountEnabled !== false,
      ...(typeof last === 'string' ? { lastSignInDateTime: last } : {}),
    };
  }

  async resetRedemption(input: { userId: string; email: string; redirectUrl: string }): Promise<Invitation> {
    let response: unknown;
    try {
      response = (await this.client.api('/invitations').post({
        invitedUserEmailAddress: input.email,
        inviteRedirectUrl: input.redirectUrl,
        sendInvitationMessage: false,
        resetRedemption: true,
        invitedUser: { id: input.userId },
      })) as unknown;
    } catch (error) {
      throw toDirectoryError(error, 'redemption reset');
    }
    const body = response as { inviteRedeemUrl?: unknown; invitedUser?: { id?: unknown } } | null;
    const inviteRedeemUrl = body?.inviteRedeemUrl;
    if (typeof inviteRedeemUrl !== 'string')
      throw new GraphRequestError('Graph redemption reset response lacks inviteRedeemUrl', 201, undefined);
    return { userId: input.userId, inviteRedeemUrl };
  }

  async setAccountEnabled(userId: string, enabled: boolean): Promise<void> {
    try {
      await this.client.api(`/users/${encodeURIComponent(userId)}`).patch({ accountEnabled: enabled });
    } catch (error) {
      if (asGraphFailure(error)?.status === 404) return;
      throw toDirectoryError(error, 'account update');
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
    // The service narrows by recipient and window; the status and every other condition are judged here
    // on each row, so a row the service returns loosely is never taken as proof. A recipient's failed or
    // pending traces can fill the first pages, so the look-up follows @odata.nextLink to the first match.
    const filter = [
      `recipientAddress eq ${odataString(recipient)}`,
      `receivedDateTime ge ${since.toISOString()}`,
      `receivedDateTime le ${until.toISOString()}`,
    ].join(' and ');
    let request = this.client.api(MESSAGE_TRACES).filter(encodeURIComponent(filter)).top(this.tracePageSize);
    for (let pages = 0; pages < MAX_TRACE_PAGES; pages++) {
      let page: { value?: unknown; '@odata.nextLink'?: unknown } | null;
      try {
        page = (await request.get()) as typeof page;
      } catch (error) {
        throw toDirectoryError(error, 'message trace');
      }
      const value = page?.value;
      if (!Array.isArray(value))
        throw new GraphRequestError('Graph message trace returned no value array', 200, undefined);
      if (value.some((row) => isDeliveredTrace(row, recipient, since, until))) return true;
      const next = page?.['@odata.nextLink'];
      if (typeof next !== 'string') return false;
      request = this.client.api(this.pathOf(next));
    }
    // So many undelivered traces in the window prove nothing: not eligible by proof of send.
    return false;
  }

  /** A nextLink as a path under our base URL and version; a link elsewhere is refused (the token stays here). */
  private pathOf(link: string): string {
    const prefix = `${this.baseUrl}/v1.0/`;
    if (!link.toLowerCase().startsWith(prefix.toLowerCase()))
      throw new GraphRequestError('Graph returned a nextLink outside its base URL', 200, undefined);
    return `/${link.slice(prefix.length)}`;
  }
}

const MESSAGE_TRACES = '/admin/exchange/tracing/messageTraces';
/** At most this many pages per proof-of-send look-up (with the default page size, 1,000 traces). */
const MAX_TRACE_PAGES = 10;

/** A trace row that shows mail reached `recipient` with status Delivered within [since, until]. */
function isDeliveredTrace(row: unknown, recipient: string, since: Date, until: Date): boolean {
  if (typeof row !== 'object' || row === null) return false;
  const { recipientAddress, status, receivedDateTime } = row as Record<string, unknown>;
  if (typeof recipientAddress !== 'string' || typeof status !== 'string') return false;
  const at = typeof receivedDateTime === 'string' ? Date.parse(receivedDateTime) : NaN;
  return (
    recipientAddress.toLowerCase() === recipient.toLowerCase() &&
    status === 'Delivered' &&
    at >= since.getTime() &&
    at <= until.getTime()
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
