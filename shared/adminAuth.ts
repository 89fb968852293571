/**
 * Who may call /api/admin. The Functions host checks the function key first (authLevel `function`).
 * When ADMIN_REQUIRED_ROLE is set, the caller must also hold that Entra app role, read from the
 * `x-ms-client-principal` header that App Service authentication writes (and strips from incoming
 * requests, so a client cannot forge it while authentication is enabled on the app).
 */
import type { HttpRequest } from '@azure/functions';

import { AppError } from './errors';
import type { AppHttpHandler } from './httpFunction';
import type { Logger } from './log';

/** The decoded `x-ms-client-principal` payload. */
export interface ClientPrincipal {
  auth_typ?: string;
  claims: { typ: string; val: string }[];
  name_typ?: string;
  role_typ?: string;
}

export interface AdminCaller {
  /** Recorded as the audit actor: the principal's name, or `function-key` without one. */
  actor: string;
  roles: string[];
}

export const PRINCIPAL_HEADER = 'x-ms-client-principal';
export const KEY_ACTOR = 'function-key';

/** Decodes the header; undefined when it is absent or not the documented shape. */
export function parseClientPrincipal(header: string | null | undefined): ClientPrincipal | undefined {
  if (!header) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const p = parsed as Partial<ClientPrincipal>;
    if (!Array.isArray(p.claims)) return undefined;
    const claims = p.claims.filter(
      (c): c is { typ: string; val: string } =>
        typeof c === 'object' && c !== null && typeof c.typ === 'string' && typeof c.val === 'string',
    );
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { auth_typ: str(p.auth_typ), claims, name_typ: str(p.name_typ), role_typ: str(p.role_typ) };
  } catch {
    return undefined;
  }
}

/** App roles: claims typed `roles` (Entra's token claim) or the principal's `role_typ`. */
export function rolesOf(principal: ClientPrincipal): string[] {
  return principal.claims
    .filter((c) => c.typ === 'roles' || (principal.role_typ !== undefined && c.typ === principal.role_typ))
    .map((c) => c.val);
}

const NAME_CLAIMS = [
  'preferred_username',
  'name',
  'upn',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
];

export function nameOf(principal: ClientPrincipal): string | undefined {
  const order = [principal.name_typ, ...NAME_CLAIMS].filter((t): t is string => !!t);
  for (const typ of order) {
    const claim = principal.claims.find((c) => c.typ === typ && c.val.trim() !== '');
    if (claim) return claim.val;
  }
  return undefined;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * The caller of an admin route, or 403 `forbidden` when a role is required and the principal does not
 * hold it (a missing or undecodable header counts as "does not hold it").
 */
export function authorizeAdmin(req: HttpRequest, requiredRole: string | undefined): AdminCaller {
  const principal = parseClientPrincipal(req.headers.get(PRINCIPAL_HEADER));
  const roles = principal ? rolesOf(principal) : [];
  if (requiredRole && !roles.includes(requiredRole)) {
    throw new AppError(
      'forbidden',
      `This needs the app role "${requiredRole}" (sign in through App Service authentication with an account that holds it).`,
    );
  }
  const name = principal ? nameOf(principal) : undefined;
  const actor = name ? name.replace(CONTROL, '').trim().slice(0, 200) || KEY_ACTOR : KEY_ACTOR;
  return { actor, roles };
}

export type AdminHttpHandler = (
  req: HttpRequest,
  log: Logger,
  caller: AdminCaller,
  ctx: Parameters<AppHttpHandler>[2],
) => ReturnType<AppHttpHandler>;

/** Wraps an admin handler: authorise first (403 before anything is read), log who called. */
export function adminHandler(
  requiredRole: () => string | undefined,
  handler: AdminHttpHandler,
): AppHttpHandler {
  return async (req, log, ctx) => {
    let caller: AdminCaller;
    try {
      caller = authorizeAdmin(req, requiredRole());
    } catch (error) {
      log.event('admin_forbidden', { function: ctx.functionName }, 'warn');
      throw error;
    }
    log.event('admin_call', { function: ctx.functionName, actor: caller.actor });
    return handler(req, log, caller, ctx);
  };
}
