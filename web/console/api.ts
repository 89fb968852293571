/**
 * The admin API as the console calls it: the same routes and bodies as the CLI (cli/admin.ts), with
 * the signed-in user's access token. Bodies are typed by shared/contracts, as the CLI's are.
 */
import type {
  AdminSignup,
  AdminSignupDetail,
  AdminSignupPage,
  AdminStats,
  ApprovalDecided,
  AuditEvent,
  Partner,
  PolicyInput,
  PolicyView,
  RetryResult,
  Revocation,
  RevocationList,
  RevokeRequest,
} from '../../shared/contracts/http';

export type { AdminSignup, AdminStats, AuditEvent, Partner, PolicyInput, PolicyView, Revocation };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AdminApi {
  stats(): Promise<AdminStats>;
  policy(): Promise<PolicyView>;
  putPolicy(body: PolicyInput, etag: string | null): Promise<PolicyView>;
  list(query: Record<string, string>): Promise<AdminSignupPage>;
  signup(id: string): Promise<AdminSignupDetail>;
  retry(id: string): Promise<RetryResult>;
  erase(id: string): Promise<void>;
  decide(id: string, decision: 'approve' | 'deny'): Promise<ApprovalDecided>;
  revocations(): Promise<RevocationList>;
  revoke(body: RevokeRequest): Promise<Revocation>;
  lift(emailHash: string): Promise<void>;
}

export function adminApi(token: () => string): AdminApi {
  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token()}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    const text = await res.text();
    const data: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? res.statusText);
    }
    return data as T;
  }
  const id = (value: string) => encodeURIComponent(value);
  return {
    stats: () => call<AdminStats>('GET', '/api/admin/stats'),
    policy: () => call<PolicyView>('GET', '/api/admin/policy'),
    putPolicy: (body, etag) =>
      call<PolicyView>('PUT', '/api/admin/policy', body, etag ? { 'if-match': etag } : {}),
    list: (query) => call('GET', `/api/admin/signups?${new URLSearchParams(query).toString()}`),
    signup: (signupId) => call('GET', `/api/admin/signups/${id(signupId)}`),
    retry: (signupId) => call('POST', `/api/admin/signups/${id(signupId)}/retry`),
    erase: (signupId) => call<void>('DELETE', `/api/admin/signups/${id(signupId)}`),
    decide: (signupId, decision) => call('POST', `/api/admin/signups/${id(signupId)}/decision`, { decision }),
    revocations: () => call('GET', '/api/admin/revocations'),
    revoke: (body) => call('POST', '/api/admin/revocations', body),
    lift: (emailHash) => call<void>('DELETE', `/api/admin/revocations/${id(emailHash)}`),
  };
}
