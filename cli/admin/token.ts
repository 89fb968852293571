/**
 * The admin CLI's access token when the app runs with ADMIN_AUTH=entra:
 * - RMS_SIGNUP_TOKEN: a token you already have. In Azure:
 *   `export RMS_SIGNUP_TOKEN=$(az account get-access-token --resource <ADMIN_AUDIENCE> --query accessToken -o tsv)`
 *   (your account needs the app role RmsSignup.Admin, or RmsSignup.Reader for reads).
 * - or client credentials: RMS_SIGNUP_AUTHORITY + RMS_SIGNUP_AUDIENCE + RMS_SIGNUP_CLIENT_ID +
 *   RMS_SIGNUP_CLIENT_SECRET (a confidential client that holds the role as an application permission;
 *   under `npm start`, the local identity provider's dev CLI client, which `npm start` prints).
 * Without either, no token is sent (ADMIN_AUTH=key: the function key alone).
 */
export interface TokenEnv {
  RMS_SIGNUP_TOKEN?: string;
  RMS_SIGNUP_AUTHORITY?: string;
  RMS_SIGNUP_AUDIENCE?: string;
  RMS_SIGNUP_CLIENT_ID?: string;
  RMS_SIGNUP_CLIENT_SECRET?: string;
}

export async function acquireAdminToken(env: TokenEnv, fetchFn: typeof fetch): Promise<string | undefined> {
  if (env.RMS_SIGNUP_TOKEN) return env.RMS_SIGNUP_TOKEN;
  const { RMS_SIGNUP_AUTHORITY, RMS_SIGNUP_AUDIENCE, RMS_SIGNUP_CLIENT_ID, RMS_SIGNUP_CLIENT_SECRET } = env;
  if (!RMS_SIGNUP_AUTHORITY || !RMS_SIGNUP_AUDIENCE || !RMS_SIGNUP_CLIENT_ID || !RMS_SIGNUP_CLIENT_SECRET)
    return undefined;
  const discovery = await fetchFn(
    `${RMS_SIGNUP_AUTHORITY.replace(/\/+$/, '')}/.well-known/openid-configuration`,
  );
  if (!discovery.ok)
    throw new Error(`OpenID discovery at ${RMS_SIGNUP_AUTHORITY} answered ${discovery.status}`);
  const { token_endpoint: tokenEndpoint } = (await discovery.json()) as { token_endpoint?: string };
  if (!tokenEndpoint) throw new Error(`OpenID discovery at ${RMS_SIGNUP_AUTHORITY} names no token endpoint`);
  const res = await fetchFn(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: RMS_SIGNUP_CLIENT_ID,
      client_secret: RMS_SIGNUP_CLIENT_SECRET,
      scope: `${RMS_SIGNUP_AUDIENCE}/.default`,
    }).toString(),
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token)
    throw new Error(
      `The token endpoint refused: ${body.error ?? res.status} ${body.error_description ?? ''}`.trim(),
    );
  return body.access_token;
}
