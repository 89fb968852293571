/**
 * Sign-in for the console: OAuth 2.0 authorization code with PKCE (S256) against the configured authority
 * (Entra ID, or the local identity provider in dev), with oauth4webapi. The access token lives in
 * sessionStorage (this tab only) until it expires; the PKCE verifier and state only for the round trip.
 */
import type { AuthorizationServer, Client } from 'oauth4webapi' with { 'resolution-mode': 'import' };

// oauth4webapi is ESM only; esbuild bundles this dynamic import into the same file (no extra request).
const load = () => import('oauth4webapi');

export interface AuthConfig {
  authority: string;
  clientId: string;
  /** e.g. `api://…/Console.Access`. */
  scope: string;
  redirectUri: string;
}

export interface Session {
  accessToken: string;
  expiresAt: number;
  name: string;
  roles: string[];
}

const SESSION_KEY = 'rms-signup.console.session';
const PENDING_KEY = 'rms-signup.console.pending';

/** http:// is only for the local identity provider; Entra is https. */
const insecure = (oauth: Awaited<ReturnType<typeof load>>, authority: string) => ({
  [oauth.allowInsecureRequests]: authority.startsWith('http://'),
});

async function discover(config: AuthConfig): Promise<AuthorizationServer> {
  const oauth = await load();
  const issuer = new URL(config.authority);
  const response = await oauth.discoveryRequest(issuer, insecure(oauth, config.authority));
  return oauth.processDiscoveryResponse(issuer, response);
}

/** Sends the browser to the authority's sign-in page. */
export async function signIn(config: AuthConfig): Promise<void> {
  const oauth = await load();
  const as = await discover(config);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, hash: location.hash }));
  const url = new URL(as.authorization_endpoint ?? '');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', config.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('response_mode', 'query');
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  location.assign(url.toString());
}

/** On return from the authority (`?code=…&state=…`): exchanges the code; undefined when not a return. */
export async function completeSignIn(config: AuthConfig): Promise<Session | undefined> {
  const current = new URL(location.href);
  if (!current.searchParams.has('code') && !current.searchParams.has('error')) return undefined;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as {
    verifier: string;
    state: string;
    hash: string;
  } | null;
  sessionStorage.removeItem(PENDING_KEY);
  // The code must not stay in the address bar or the history.
  history.replaceState(null, '', current.pathname + (pending?.hash ?? ''));
  if (!pending) throw new Error('No sign-in was started in this tab.');
  const oauth = await load();
  const as = await discover(config);
  const client: Client = { client_id: config.clientId };
  const params = oauth.validateAuthResponse(as, client, current, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    config.redirectUri,
    pending.verifier,
    insecure(oauth, config.authority),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  const session = sessionFrom(result.access_token, result.expires_in);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/** The stored session while its token is valid for at least another minute. */
export function currentSession(): Session | undefined {
  const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
  if (!session || session.expiresAt - 60_000 < Date.now()) return undefined;
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/**
 * Name and roles for display only, read from the token's payload: the API checks the signature, the
 * console does not need to (it never decides anything from these).
 */
function sessionFrom(accessToken: string, expiresIn: number | undefined): Session {
  let claims: { preferred_username?: string; name?: string; roles?: unknown; exp?: number } = {};
  try {
    const payload = accessToken.split('.')[1] ?? '';
    const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    claims = JSON.parse(json) as typeof claims;
  } catch {
    // An opaque token: still usable, shown without a name.
  }
  const expiresAt =
    typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + (expiresIn ?? 3600) * 1000;
  return {
    accessToken,
    expiresAt,
    name: claims.preferred_username ?? claims.name ?? '',
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [],
  };
}
