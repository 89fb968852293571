/**
 * What the guest lifecycle needs: PATCH /v1.0/users/{id} (accountEnabled), the control
 * `POST /_emulator/users/{id}/state` that simulates a redemption or sign-ins, and the Entra OpenID
 * configuration endpoint (`/_login/{domain}/v2.0/.well-known/openid-configuration`, with
 * `POST /_emulator/tenants` naming domains that have their own tenant). Redemption resets are in
 * invitations.ts.
 */
import { badRequest, HttpProblem, notFound, readJsonObject, sendJson, type Exchange } from './http';
import type { EmulatorContext, RouteModule } from './router';

/** The prefix LOGIN_BASE_URL points at locally (e.g. http://127.0.0.1:7072/_login). */
export const LOGIN_PREFIX = '/_login/';

const PATCHABLE = new Set(['accountEnabled', 'displayName', 'mail', 'otherMails']);

async function patchUser({ state }: EmulatorContext, ex: Exchange, key: string): Promise<void> {
  const user = state.userByKey(key);
  if (!user || !state.isVisible(user)) throw notFound(key);
  const body = await readJsonObject(ex.req);
  for (const property of Object.keys(body)) {
    if (!PATCHABLE.has(property))
      throw badRequest(`Property '${property}' cannot be updated by this emulator.`);
  }
  if ('accountEnabled' in body) {
    if (typeof body.accountEnabled !== 'boolean')
      throw badRequest("Invalid value specified for property 'accountEnabled' of resource 'User'.");
    user.accountEnabled = body.accountEnabled;
  }
  if (typeof body.displayName === 'string') user.displayName = body.displayName;
  sendJson(ex, 204, undefined);
}

const STATES = new Set(['PendingAcceptance', 'Accepted']);

/** `{"externalUserState"?, "lastSignInDateTime"?}`: what a redemption or a sign-in would change. */
async function setUserState({ state }: EmulatorContext, ex: Exchange, id: string): Promise<void> {
  const user = state.userByKey(id);
  if (!user) throw notFound(id);
  const body = await readJsonObject(ex.req);
  if ('externalUserState' in body) {
    if (typeof body.externalUserState !== 'string' || !STATES.has(body.externalUserState))
      throw badRequest('externalUserState must be PendingAcceptance or Accepted.');
    user.externalUserState = body.externalUserState;
    user.externalUserStateChangeDateTime = new Date(state.now()).toISOString();
  }
  if ('lastSignInDateTime' in body) {
    const at = body.lastSignInDateTime;
    if (at !== null && (typeof at !== 'string' || Number.isNaN(Date.parse(at))))
      throw badRequest('lastSignInDateTime must be an ISO date or null.');
    user.lastSignInDateTime = at;
  }
  sendJson(ex, 200, user);
}

function openIdConfiguration({ state, baseUrl }: EmulatorContext, ex: Exchange): void {
  const match = /^\/_login\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(ex.path);
  const domain = match?.[1]?.toLowerCase();
  if (ex.method !== 'GET' || !domain) throw new HttpProblem(404, 'NotFound', 'Not found.');
  const known =
    domain === state.tenantId ||
    state.isVerifiedDomain(domain) ||
    [...state.entraDomains].some((d) => d === domain);
  if (!known) {
    // What login.microsoftonline.com answers for a domain no tenant has verified.
    sendJson(ex, 400, {
      error: 'invalid_tenant',
      error_description: `AADSTS90002: Tenant '${domain}' not found.`,
    });
    return;
  }
  const issuer = `${baseUrl()}${LOGIN_PREFIX}${domain}/v2.0`;
  sendJson(ex, 200, {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
  });
}

export const registerLifecycleRoutes: RouteModule = (router, context) => {
  router
    .graph('PATCH', '/v1.0/users/{id}', (ex, { id = '' }) => patchUser(context, ex, id))
    .openPrefix(LOGIN_PREFIX, (ex) => {
      openIdConfiguration(context, ex);
    })
    // Registered before the general /_emulator/ controls, so this prefix is matched first.
    .openPrefix('/_emulator/users/', (ex) => {
      const match = /^\/_emulator\/users\/([^/]+)\/state$/.exec(ex.path);
      if (ex.method !== 'POST' || !match?.[1])
        throw new HttpProblem(404, 'NotFound', `No emulator control endpoint ${ex.method} ${ex.path}.`);
      return setUserState(context, ex, match[1]);
    })
    .openPrefix('/_emulator/tenants', async (ex) => {
      if (ex.method !== 'POST') throw new HttpProblem(404, 'NotFound', 'Only POST /_emulator/tenants.');
      const body = await readJsonObject(ex.req);
      if (typeof body.domain !== 'string' || body.domain === '') throw badRequest('domain is required.');
      context.state.entraDomains.add(body.domain.toLowerCase());
      sendJson(ex, 201, { domains: [...context.state.entraDomains] });
    });
};
