/**
 * The sign-up API as the page uses it. The bodies are the server's contracts (shared/contracts, types
 * only: nothing of it reaches the bundle). Every call resolves to a result, never throws: network
 * failures and unexpected answers become `network` / `generic` errors the page can word kindly.
 */
import type { DomainRefusal, ErrorCode } from '../shared/contracts/errors';
import type {
  ApprovalDecided,
  ApprovalRequest,
  Resent,
  Signup,
  StartedSignup,
  Verified,
} from '../shared/contracts/http';
import { parseRetryAfter } from '../shared/domain/retryAfter';

export type { ApprovalRequest, Outcome, Resent, Signup, StartedSignup } from '../shared/contracts/http';
export type NotEligibleReason = NonNullable<Signup['reason']>;

export interface ApiError {
  /** The API's error code, or `network` (no answer) / `generic` (an answer we do not understand). */
  code: ErrorCode | 'network' | 'generic';
  status: number;
  message: string;
  /** Why a domain is refused (`domain_not_allowed`). */
  reason?: DomainRefusal;
  /** Text an admin wrote for the public (the pause reason), shown as is. */
  detail?: string;
  retryAfterSeconds?: number;
}

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; error: ApiError };

const TIMEOUT_MS = 20_000;

/** Where start and resend get their solved proof-of-work challenge (web/challenge.ts). */
export interface ChallengeSource {
  take(): Promise<string | undefined>;
}

const CHALLENGE_ERRORS: ReadonlySet<string> = new Set(['challenge_required', 'challenge_failed']);

export class SignupApi {
  /** Server clock minus ours, from the Date header, so countdowns do not depend on the phone's clock. */
  private offsetMs = 0;

  constructor(
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
    private readonly challenges?: ChallengeSource,
  ) {}

  /** "Now" on the server's clock. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  start(email: string, locale: string): Promise<ApiResult<StartedSignup>> {
    return this.withChallenge((altcha) =>
      this.request<StartedSignup>('POST', '/api/signups', { email, locale, ...altcha }),
    );
  }

  verify(signupId: string, code: string): Promise<ApiResult<Verified>> {
    return this.request('POST', `/api/signups/${encodeURIComponent(signupId)}/verify`, { code });
  }

  resend(signupId: string): Promise<ApiResult<Resent>> {
    const path = `/api/signups/${encodeURIComponent(signupId)}/resend`;
    return this.withChallenge((altcha) => this.request<Resent>('POST', path, { ...altcha }));
  }

  /** Sends with a solved challenge; one retry with a fresh one if the server refused it (e.g. it expired). */
  private async withChallenge<T>(
    send: (altcha: { altcha?: string }) => Promise<ApiResult<T>>,
  ): Promise<ApiResult<T>> {
    const attempt = async () => {
      const altcha = await this.challenges?.take();
      return send(altcha ? { altcha } : {});
    };
    const first = await attempt();
    if (first.ok || !this.challenges || !CHALLENGE_ERRORS.has(first.error.code)) return first;
    return attempt();
  }

  status(signupId: string): Promise<ApiResult<Signup>> {
    return this.request<Signup>('GET', `/api/signups/${encodeURIComponent(signupId)}`);
  }

  /** The request behind a sponsor's link; reading it decides nothing. */
  approval(token: string): Promise<ApiResult<ApprovalRequest>> {
    return this.request<ApprovalRequest>('GET', `/api/approvals/${encodeURIComponent(token)}`);
  }

  decide(token: string, decision: 'approve' | 'deny'): Promise<ApiResult<ApprovalDecided>> {
    return this.request('POST', `/api/approvals/${encodeURIComponent(token)}`, { decision });
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResult<T>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response: Response;
    try {
      response = await this.fetcher(path, {
        method,
        headers:
          body === undefined
            ? { Accept: 'application/json' }
            : { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch {
      return { ok: false, error: { code: 'network', status: 0, message: '' } };
    } finally {
      clearTimeout(timer);
    }
    this.calibrate(response.headers.get('date'));

    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      payload = undefined;
    }
    if (response.ok && typeof payload === 'object' && payload !== null) {
      return { ok: true, status: response.status, data: payload as T };
    }
    return { ok: false, error: toApiError(response, payload) };
  }

  private calibrate(dateHeader: string | null): void {
    const serverTime = dateHeader ? Date.parse(dateHeader) : NaN;
    // The header has whole seconds: ignore differences smaller than that.
    if (Number.isFinite(serverTime) && Math.abs(serverTime - Date.now()) > 1500)
      this.offsetMs = serverTime - Date.now();
    else if (Number.isFinite(serverTime)) this.offsetMs = 0;
  }
}

function toApiError(response: Response, payload: unknown): ApiError {
  const error =
    typeof payload === 'object' &&
    payload !== null &&
    typeof (payload as { error?: unknown }).error === 'object'
      ? ((payload as { error: Record<string, unknown> }).error ?? {})
      : {};
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 500) : undefined);
  return {
    // An unknown code (a newer server) is worded like any other error: `error.generic`.
    code: (text(error.code) as ErrorCode | undefined) ?? 'generic',
    status: response.status,
    message: text(error.message) ?? '',
    reason: text(error.reason) as DomainRefusal | undefined,
    detail: text(error.detail),
    // Capped at a day: a countdown longer than that is a server bug, not a wait.
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after'), Date.now(), 86_400),
  };
}
