/** The admin sign-in mode: what the app accepts as a credential, and which settings it refuses. */
import { HttpRequest } from '@azure/functions';

import { adminAuthLevel, bearerToken } from '../../shared/adminAuth';
import { ConfigError, parseConfig } from '../../shared/config';

const BASE = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  CODE_HMAC_SECRET: 'x'.repeat(32),
  EMAIL_TRANSPORT: 'smtp',
};
const ENTRA = {
  ADMIN_AUDIENCE: 'api://11111111-2222-4333-8444-555555555555/rms-signup-admin',
  ADMIN_CLIENT_ID: '66666666-7777-4888-8999-000000000000',
};

const problems = (env: Record<string, string>) => {
  try {
    parseConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('ADMIN_AUTH settings', () => {
  test('entra is the default and needs the audience, the client id and an authority (or TENANT_ID)', () => {
    expect(problems(BASE)).toEqual([
      'ADMIN_AUDIENCE is not set (required when ADMIN_AUTH is entra)',
      'ADMIN_CLIENT_ID is not set (required when ADMIN_AUTH is entra)',
      'ADMIN_AUTHORITY is not set (set it, or TENANT_ID, when ADMIN_AUTH is entra)',
    ]);
  });

  test('the authority defaults to the tenant on login.microsoftonline.com', () => {
    const config = parseConfig({ ...BASE, ...ENTRA, TENANT_ID: '11111111-2222-4333-8444-555555555555' });
    expect(config.ADMIN_AUTH).toBe('entra');
    expect(config.ADMIN_AUTHORITY).toBe(
      'https://login.microsoftonline.com/11111111-2222-4333-8444-555555555555/v2.0',
    );
  });

  test('key mode (the function key alone) is refused when WEBSITE_SITE_NAME says the app runs in Azure', () => {
    expect(parseConfig({ ...BASE, ADMIN_AUTH: 'key' }).ADMIN_AUTH).toBe('key');
    expect(problems({ ...BASE, ADMIN_AUTH: 'key', WEBSITE_SITE_NAME: 'rms-signup-prod' })).toEqual([
      'ADMIN_AUTH is key, which is for local development only: in Azure (WEBSITE_SITE_NAME is set) use entra',
    ]);
  });

  test('an unknown mode is named', () => {
    expect(problems({ ...BASE, ...ENTRA, ADMIN_AUTH: 'easyauth' })[0]).toMatch(/^ADMIN_AUTH /);
  });
});

describe('adminAuthLevel: the host-level key check of the admin routes', () => {
  test('entra (default): anonymous to the host, the token is the credential; key: the function key', () => {
    expect(adminAuthLevel({})).toBe('anonymous');
    expect(adminAuthLevel({ ADMIN_AUTH: 'entra' })).toBe('anonymous');
    expect(adminAuthLevel({ ADMIN_AUTH: 'key' })).toBe('function');
  });
});

describe('bearerToken', () => {
  const req = (authorization?: string) =>
    new HttpRequest({
      method: 'GET',
      url: 'http://localhost/api/admin/stats',
      headers: authorization === undefined ? {} : { authorization },
    });

  test('reads a Bearer token (any case of the scheme) and nothing else', () => {
    expect(bearerToken(req('Bearer aaa.bbb.ccc'))).toBe('aaa.bbb.ccc');
    expect(bearerToken(req('bearer aaa.bbb.ccc'))).toBe('aaa.bbb.ccc');
    for (const value of [undefined, '', 'Bearer', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearer <script>'])
      expect(bearerToken(req(value))).toBeUndefined();
  });
});
