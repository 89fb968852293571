/** The admin API over HTTP: base URL, function key and bearer token, and errors worded for a person. */
import type { ErrorBody } from '../../shared/contracts/errors';
import type { Invocation } from './args';
import { acquireAdminToken } from './token';

export const DEFAULT_URL = 'http://127.0.0.1:7071';
export const DEFAULT_KEY = 'dev-function-key';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What to tell a person for an API error: the server's message plus what to check. */
export function explain(error: ApiError): string {
  if (error.status === 0) return error.message; // never reached the app
  const head = `${error.status} ${error.code}: ${error.message}`;
  switch (error.status) {
    case 401:
      return `${head}\nWith ADMIN_AUTH=entra set RMS_SIGNUP_TOKEN (in Azure: az account get-access-token --resource <ADMIN_AUDIENCE>) or the RMS_SIGNUP_CLIENT_* client credentials; with ADMIN_AUTH=key check RMS_SIGNUP_ADMIN_KEY (or --key).`;
    case 403:
      return `${head}\nThe token lacks the app role RmsSignup.Admin (RmsSignup.Reader can only read).`;
    case 412:
      return `${head}\nSomeone changed the policy at the same time: run the command again.`;
    default:
      return head;
  }
}

export function client(invocation: Pick<Invocation, 'url' | 'key'>, io: CliIo) {
  const base = (invocation.url ?? io.env.RMS_SIGNUP_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  const key = invocation.key ?? io.env.RMS_SIGNUP_ADMIN_KEY ?? DEFAULT_KEY;
  let token: Promise<string | undefined> | undefined;
  return async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ data: T; headers: Headers }> {
    let res: Response;
    let bearer: string | undefined;
    try {
      bearer = await (token ??= acquireAdminToken(io.env, io.fetch));
    } catch (error) {
      throw new ApiError(0, 'no_token', `Cannot get an access token: ${(error as Error).message}`);
    }
    try {
      res = await io.fetch(`${base}${path}`, {
        method,
        headers: {
          'x-functions-key': key,
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause =
        (error as { cause?: { code?: string } }).cause?.code ??
        (error instanceof Error ? error.message : String(error));
      throw new ApiError(
        0,
        'unreachable',
        `Cannot reach ${base} (${cause}). Is the app running (npm start)? Set RMS_SIGNUP_URL or --url.`,
      );
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const err = (data as Partial<ErrorBody> | undefined)?.error;
      throw new ApiError(
        res.status,
        err?.code ?? 'http_error',
        err?.message ?? (text.slice(0, 200) || res.statusText),
      );
    }
    return { data: data as T, headers: res.headers };
  };
}
