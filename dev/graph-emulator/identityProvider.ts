/**
 * A local OpenID provider shaped like Entra ID's v2.0 endpoints, for dev and tests only, served on the
 * Graph emulator's port so the admin console and the admin API work under `npm start` exactly as they do
 * against Entra:
 *
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration   discovery (issuer = `<base>/{tenant}/v2.0`)
 *   GET  /{tenant}/discovery/v2.0/keys                     JWKS (one RSA key generated per process)
 *   GET  /{tenant}/oauth2/v2.0/authorize                   a consent page: pick a user and app roles
 *   POST /{tenant}/oauth2/v2.0/authorize                   → 302 to redirect_uri with code and state
 *   POST /{tenant}/oauth2/v2.0/token                       authorization_code (+ PKCE S256 only) or
 *                                                          client_credentials (the dev CLI client)
 *   POST /_emulator/idp/token                              test-only: mint any token directly (JSON body)
 *
 * Access tokens carry `aud` = the resource of the requested scope (`<aud>/.default` or `<aud>/<scope>`),
 * `oid`, `preferred_username`, `roles`, `azp`, `tid`, `scp`. Not a security boundary: anyone who can reach
 * it can sign in as anyone, which is the point.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';

import type { Router } from './router';

export const DEV_ROLES = ['RmsSignup.Admin', 'RmsSignup.Reader'] as const;

export interface DevUser {
  oid: string;
  preferredUsername: string;
  name: string;
  roles: string[];
}

/** Stable object ids, so audit rows name the same dev admin across restarts. */
const devOid = (seed: string) => {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export const DEV_USERS: readonly DevUser[] = [
  { name: 'Ada Admin', preferredUsername: 'ada.admin@contoso.com', roles: ['RmsSignup.Admin'] },
  { name: 'Rita Reader', preferredUsername: 'rita.reader@contoso.com', roles: ['RmsSignup.Reader'] },
  { name: 'Nico Norole', preferredUsername: 'nico.norole@contoso.com', roles: [] },
].map((u) => ({ ...u, oid: devOid(u.preferredUsername) }));

/** The confidential client the admin CLI uses under `npm start` (client credentials). */
export const DEV_CLI_CLIENT = {
  clientId: 'rms-signup-dev-cli',
  clientSecret: 'dev-cli-secret',
  roles: ['RmsSignup.Admin'],
} as const;

export interface MintInput {
  oid?: string;
  preferred_username?: string;
  roles?: string[];
  aud?: string;
  iss?: string;
  azp?: string;
  /** Lifetime from now; negative makes an expired token. Default 3600. */
  expiresInSeconds?: number;
  /** `nbf` this many seconds from now (default 0). */
  notBeforeSeconds?: number;
  /** Sign with a throwaway key instead of the published one (a wrong signature). */
  foreignKey?: boolean;
}

export interface LocalIdentityProvider {
  /** Answers the request if it is one of ours; false leaves it to the Graph routes. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** `<base>/{tenant}/v2.0`: ADMIN_AUTHORITY for the app. */
  authority(): string;
  mint(input: MintInput): Promise<string>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  audience: string;
  scope: string;
  user: DevUser;
  expiresAt: number;
}

const CODE_TTL_MS = 5 * 60_000;
const TOKEN_TTL_SECONDS = 3600;
const MAX_FORM_BYTES = 16 * 1024;

export function createLocalIdentityProvider(options: {
  tenantId: string;
  baseUrl: () => string;
}): LocalIdentityProvider {
  const { tenantId } = options;
  const codes = new Map<string, PendingCode>();
  let keys: Promise<{ privateKey: KeyLike; jwk: JWK; kid: string }> | undefined;
  const signingKey = () =>
    (keys ??= (async () => {
      const pair = await generateKeyPair('RS256', { extractable: true });
      const kid = randomBytes(8).toString('hex');
      const jwk = { ...(await exportJWK(pair.publicKey)), kid, use: 'sig', alg: 'RS256' };
      return { privateKey: pair.privateKey, jwk, kid };
    })());

  const authority = () => `${options.baseUrl()}/${tenantId}/v2.0`;
  const prefix = `/${tenantId}`;

  async function mint(input: MintInput): Promise<string> {
    const key = input.foreignKey
      ? { privateKey: (await generateKeyPair('RS256')).privateKey, kid: (await signingKey()).kid }
      : await signingKey();
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      oid: input.oid ?? DEV_USERS[0]!.oid,
      sub: input.oid ?? DEV_USERS[0]!.oid,
      tid: tenantId,
      roles: input.roles ?? [],
      ver: '2.0',
      nbf: now + (input.notBeforeSeconds ?? 0),
    };
    if (input.preferred_username !== undefined) claims.preferred_username = input.preferred_username;
    if (input.azp !== undefined) claims.azp = input.azp;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .setIssuer(input.iss ?? authority())
      .setAudience(input.aud ?? 'api://rms-signup-dev')
      .setIssuedAt(now)
      .setExpirationTime(now + (input.expiresInSeconds ?? TOKEN_TTL_SECONDS))
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    if (path === '/_emulator/idp/token' && method === 'POST') {
      const body = JSON.parse((await readBody(req)) || '{}') as MintInput;
      sendJson(res, 201, { access_token: await mint(body), token_type: 'Bearer' });
      return true;
    }
    if (!path.startsWith(`${prefix}/`)) return false;
    const route = path.slice(prefix.length);
    // The console fetches discovery and the token endpoint from another origin, as from Entra.
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST',
        'Access-Control-Allow-Headers': 'content-type, accept, authorization',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return true;
    }
    switch (`${method} ${route}`) {
      case 'GET /v2.0/.well-known/openid-configuration':
        sendJson(res, 200, discovery());
        return true;
      case 'GET /discovery/v2.0/keys':
        sendJson(res, 200, { keys: [(await signingKey()).jwk] });
        return true;
      case 'GET /oauth2/v2.0/authorize':
        authorizePage(res, url.searchParams);
        return true;
      case 'POST /oauth2/v2.0/authorize':
        consent(res, new URLSearchParams(await readBody(req)));
        return true;
      case 'POST /oauth2/v2.0/token':
        await token(res, new URLSearchParams(await readBody(req)));
        return true;
      default:
        sendJson(res, 404, { error: 'not_found', error_description: `No endpoint ${method} ${path}.` });
        return true;
    }
  }

  function discovery() {
    const base = `${options.baseUrl()}${prefix}`;
    return {
      issuer: authority(),
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'offline_access'],
    };
  }

  /** Checks what /authorize needs; a problem before the redirect URI is known is shown, not redirected. */
  function authorizeRequest(params: URLSearchParams): { error?: string; request?: AuthorizeRequest } {
    const clientId = params.get('client_id') ?? '';
    const redirectUri = params.get('redirect_uri') ?? '';
    const codeChallenge = params.get('code_challenge') ?? '';
    const scope = params.get('scope') ?? '';
    if (!clientId) return { error: 'client_id is missing.' };
    if (!/^https?:\/\//.test(redirectUri)) return { error: 'redirect_uri must be an absolute http(s) URL.' };
    if (params.get('response_type') !== 'code') return { error: 'Only response_type=code is supported.' };
    if (params.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge))
      return { error: 'PKCE is required: code_challenge with code_challenge_method=S256.' };
    const audience = resourceOf(scope);
    if (!audience) return { error: 'scope must name the API, e.g. api://…/Console.Access.' };
    return {
      request: { clientId, redirectUri, codeChallenge, scope, audience, state: params.get('state') ?? '' },
    };
  }

  function authorizePage(res: ServerResponse, params: URLSearchParams) {
    const { error, request } = authorizeRequest(params);
    if (!request) return sendHtml(res, 400, page('Sign-in request refused', `<p>${escape(error ?? '')}</p>`));
    const hidden = [...params.entries()]
      .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
      .join('');
    const users = DEV_USERS.map(
      (u, i) =>
        `<li><label><input type="radio" name="login_hint" value="${escape(u.preferredUsername)}"${i === 0 ? ' checked' : ''}> ${escape(u.name)} (${escape(u.preferredUsername)})</label></li>`,
    ).join('');
    const roles = DEV_ROLES.map(
      (r) =>
        `<li><label><input type="checkbox" name="role" value="${r}"${r === 'RmsSignup.Admin' ? ' checked' : ''}> ${r}</label></li>`,
    ).join('');
    sendHtml(
      res,
      200,
      page(
        'Local identity provider',
        `<p>Development sign-in for <code>${escape(request.clientId)}</code>. Nothing here is checked.</p>
<form method="post">${hidden}
<fieldset><legend>User</legend><ul>${users}</ul></fieldset>
<fieldset><legend>App roles in the token</legend><ul>${roles}</ul></fieldset>
<button type="submit">Sign in</button></form>`,
      ),
    );
  }

  function consent(res: ServerResponse, form: URLSearchParams) {
    const { error, request } = authorizeRequest(form);
    if (!request) return sendHtml(res, 400, page('Sign-in request refused', `<p>${escape(error ?? '')}</p>`));
    const chosen = DEV_USERS.find((u) => u.preferredUsername === form.get('login_hint')) ?? DEV_USERS[0]!;
    const roles = form.getAll('role').filter((r) => (DEV_ROLES as readonly string[]).includes(r));
    const code = randomBytes(24).toString('base64url');
    for (const [key, pending] of codes) if (pending.expiresAt < Date.now()) codes.delete(key);
    codes.set(code, { ...request, user: { ...chosen, roles }, expiresAt: Date.now() + CODE_TTL_MS });
    const target = new URL(request.redirectUri);
    target.searchParams.set('code', code);
    if (request.state) target.searchParams.set('state', request.state);
    res.writeHead(302, { Location: target.toString(), 'Cache-Control': 'no-store' });
    res.end();
  }

  async function token(res: ServerResponse, form: URLSearchParams) {
    const fail = (error: string, description: string) =>
      sendJson(res, 400, { error, error_description: description });
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code); // single use, whatever happens next
      if (!pending || pending.expiresAt < Date.now())
        return fail('invalid_grant', 'The code is unknown, used or expired.');
      if (form.get('client_id') !== pending.clientId) return fail('invalid_client', 'client_id differs.');
      if (form.get('redirect_uri') !== pending.redirectUri)
        return fail('invalid_grant', 'redirect_uri differs from the authorization request.');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (challenge !== pending.codeChallenge) return fail('invalid_grant', 'PKCE verification failed.');
      const accessToken = await mint({
        oid: pending.user.oid,
        preferred_username: pending.user.preferredUsername,
        roles: pending.user.roles,
        aud: pending.audience,
        azp: pending.clientId,
      });
      return sendJson(res, 200, {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: TOKEN_TTL_SECONDS,
        scope: pending.scope,
      });
    }
    if (grant === 'client_credentials') {
      if (
        form.get('client_id') !== DEV_CLI_CLIENT.clientId ||
        form.get('client_secret') !== DEV_CLI_CLIENT.clientSecret
      )
        return fail('invalid_client', `Unknown client or wrong secret (dev: ${DEV_CLI_CLIENT.clientId}).`);
      const scope = form.get('scope') ?? '';
      const audience = scope.endsWith('/.default') ? scope.slice(0, -'/.default'.length) : undefined;
      if (!audience) return fail('invalid_scope', 'Client credentials need scope <resource>/.default.');
      const accessToken = await mint({
        oid: devOid(DEV_CLI_CLIENT.clientId),
        roles: [...DEV_CLI_CLIENT.roles],
        aud: audience,
        azp: DEV_CLI_CLIENT.clientId,
      });
      return sendJson(res, 200, {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: TOKEN_TTL_SECONDS,
      });
    }
    return fail('unsupported_grant_type', 'Use authorization_code or client_credentials.');
  }

  return { handle, authority, mint };
}

/** Serves the provider's routes on the emulator's router (open routes: no Graph token, log or faults). */
export function registerIdentityRoutes(router: Router, idp: LocalIdentityProvider, tenantId: string): void {
  const serve = async (ex: { req: IncomingMessage; res: ServerResponse; url: URL }) => {
    if (!(await idp.handle(ex.req, ex.res, ex.url))) {
      sendJson(ex.res, 404, { error: 'not_found' });
    }
  };
  router.openPrefix('/_emulator/idp/', serve);
  router.openPrefix(`/${tenantId}/`, serve);
}

interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  audience: string;
  state: string;
}

/** The API a scope string asks for: `api://x/Console.Access openid` → `api://x`. */
export function resourceOf(scope: string): string | undefined {
  for (const item of scope.split(/\s+/)) {
    const slash = item.lastIndexOf('/');
    if (slash > 0 && /^[a-z][a-z0-9+.-]*:\/\//i.test(item)) return item.slice(0, slash);
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new Error('The request body is too large.'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action *",
  });
  res.end(html);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}button{font:inherit;padding:.5rem 1.25rem}fieldset{margin-bottom:1rem}</style>
</head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function escape(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
