/**
 * Who may call /api/admin (security review M1). Two modes, chosen by ADMIN_AUTH:
 * - `entra` (the default, and the only mode in Azure): an Entra ID access token in `Authorization: Bearer`,
 *   checked in the app (signature, issuer, audience, lifetime: shared/adapters/joseTokenVerifier.ts) and
 *   the app role `RmsSignup.Admin` (everything) or `RmsSignup.Reader` (reads only). The audit actor is the
 *   token's user name and object id. The routes are `anonymous` to the host: the token is the credential.
 * - `key` (local development only; config refuses it in Azure): the host checks the function key and the
 *   actor is `function-key`.
 * No header other than the bearer token is read: `x-ms-client-principal` can be forged when nothing in
 * front of the app strips it, so it never names a role or an actor.
 */
import type { HttpRequest } from '@azure/functions';

import { AppError } from './errors';
import type { AppHttpHandler } from './httpFunction';
import type { Logger } from './log';
import { type AccessTokenVerifier, InvalidTokenError } from './ports';

export const ADMIN_ROLE = 'RmsSignup.Admin';
export const READER_ROLE = 'RmsSignup.Reader';
export const KEY_ACTOR = 'function-key';

/** `read` routes accept either role; `write` routes need the admin role. */
export type AdminAccess = 'read' | 'write';

export interface AdminCaller {
  /** Recorded as the audit actor. */
  actor: string;
  roles: string[];
}

/** A refusal: the error the client sees and a reason for the log (never the token). */
export class AdminRefusal extends Error {
  override name = 'AdminRefusal' as const;
  constructor(
    readonly error: AppError,
    readonly reason: string,
  ) {
    super(error.message);
  }
}

export type AdminAuthenticator = (req: HttpRequest, access: AdminAccess) => Promise<AdminCaller>;

/** Key mode: the Functions host has already checked the function key. */
export const keyAuthenticator: AdminAuthenticator = () =>
  Promise.resolve({ actor: KEY_ACTOR, roles: [ADMIN_ROLE] });

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const clean = (value: string) => value.replace(CONTROL, '').trim().slice(0, 200);

const unauthorized = (message: string, error = 'invalid_token') =>
  new AppError('unauthorized', message, {
    headers: { 'WWW-Authenticate': `Bearer error="${error}"` },
  });

/** The bearer token of the Authorization header, or undefined. */
export function bearerToken(req: HttpRequest): string | undefined {
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(req.headers.get('authorization') ?? '');
  return match?.[1];
}

/** Entra mode: a verified access token holding the role the route needs. */
export function entraAuthenticator(verifier: AccessTokenVerifier): AdminAuthenticator {
  return async (req, access) => {
    const token = bearerToken(req);
    if (!token) {
      throw new AdminRefusal(
        new AppError('unauthorized', 'Sign in: send an Entra access token (Authorization: Bearer …).', {
          headers: { 'WWW-Authenticate': 'Bearer' },
        }),
        'no_token',
      );
    }
    let claims;
    try {
      claims = await verifier.verify(token);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      if (error.problem === 'unavailable')
        throw new AdminRefusal(new AppError('identity_provider_unavailable'), error.problem);
      throw new AdminRefusal(
        unauthorized('The access token is not valid here (expired, or for another app). Sign in again.'),
        error.problem,
      );
    }
    const allowed = access === 'write' ? [ADMIN_ROLE] : [ADMIN_ROLE, READER_ROLE];
    if (!claims.roles.some((role) => allowed.includes(role))) {
      throw new AdminRefusal(
        new AppError(
          'forbidden',
          access === 'write'
            ? `This needs the app role ${ADMIN_ROLE}.`
            : `This needs the app role ${ADMIN_ROLE} or ${READER_ROLE}.`,
        ),
        claims.roles.length ? 'role_too_weak' : 'no_role',
      );
    }
    const name = clean(claims.preferredUsername ?? (claims.clientId ? `app ${claims.clientId}` : 'app'));
    return { actor: `${name} (${clean(claims.oid)})`, roles: claims.roles };
  };
}

/**
 * The host-level auth level of the admin routes, read at registration: in entra mode the token is the
 * credential, so the host must not also demand a function key; key mode keeps the key.
 */
export function adminAuthLevel(env: NodeJS.ProcessEnv = process.env): 'anonymous' | 'function' {
  return env.ADMIN_AUTH?.trim().toLowerCase() === 'key' ? 'function' : 'anonymous';
}

export type AdminHttpHandler = (
  req: HttpRequest,
  log: Logger,
  caller: AdminCaller,
  ctx: Parameters<AppHttpHandler>[2],
) => ReturnType<AppHttpHandler>;

/** Wraps an admin handler: authenticate and authorise first (nothing is read before), log who called. */
export function adminHandler(
  access: AdminAccess,
  authenticator: () => AdminAuthenticator,
  handler: AdminHttpHandler,
): AppHttpHandler {
  return async (req, log, ctx) => {
    let caller: AdminCaller;
    try {
      caller = await authenticator()(req, access);
    } catch (error) {
      if (!(error instanceof AdminRefusal)) throw error;
      log.event(
        'admin_refused',
        { function: ctx.functionName, status: error.error.status, reason: error.reason },
        'warn',
      );
      throw error.error;
    }
    log.event('admin_call', { function: ctx.functionName, actor: caller.actor });
    return handler(req, log, caller, ctx);
  };
}
