/** Reading the App Service authentication principal and the ADMIN_REQUIRED_ROLE check. */
import { HttpRequest } from '@azure/functions';

import { authorizeAdmin, nameOf, parseClientPrincipal, rolesOf } from '../../shared/adminAuth';

const ROLE_TYP = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const request = (header?: string) =>
  new HttpRequest({
    method: 'GET',
    url: 'http://localhost/api/admin/stats',
    headers: header === undefined ? {} : { 'x-ms-client-principal': header },
  });

const entraPrincipal = encode({
  auth_typ: 'aad',
  claims: [
    { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', val: 'Alice Admin' },
    { typ: 'preferred_username', val: 'alice@contoso.com' },
    { typ: 'roles', val: 'Signup.Reader' },
    { typ: ROLE_TYP, val: 'Signup.Admin' },
  ],
  name_typ: 'preferred_username',
  role_typ: ROLE_TYP,
});

test('decodes the documented shape and finds roles under `roles` and role_typ', () => {
  const principal = parseClientPrincipal(entraPrincipal)!;
  expect(rolesOf(principal)).toEqual(['Signup.Reader', 'Signup.Admin']);
  expect(nameOf(principal)).toBe('alice@contoso.com');
});

test.each([undefined, '', 'not-base64-json', encode('a string'), encode({ claims: 'nope' })])(
  'an absent or malformed header (%p) is no principal',
  (header) => {
    expect(parseClientPrincipal(header)).toBeUndefined();
  },
);

test('claims that are not {typ, val} strings are ignored', () => {
  const principal = parseClientPrincipal(
    encode({ claims: [{ typ: 'roles', val: 1 }, null, { typ: 'roles', val: 'Signup.Admin' }] }),
  )!;
  expect(rolesOf(principal)).toEqual(['Signup.Admin']);
});

describe('authorizeAdmin', () => {
  test('without a required role: anyone past the key; the actor is the principal name or function-key', () => {
    expect(authorizeAdmin(request(), undefined)).toEqual({ actor: 'function-key', roles: [] });
    expect(authorizeAdmin(request(entraPrincipal), undefined).actor).toBe('alice@contoso.com');
  });

  test('with a required role: exact role match only (case-sensitive, like Entra app role values)', () => {
    expect(authorizeAdmin(request(entraPrincipal), 'Signup.Admin').actor).toBe('alice@contoso.com');
    for (const [header, role] of [
      [undefined, 'Signup.Admin'],
      [entraPrincipal, 'signup.admin'],
      [entraPrincipal, 'Signup.Owner'],
      ['garbage', 'Signup.Admin'],
    ] as const) {
      expect(() => authorizeAdmin(request(header), role)).toThrow(
        expect.objectContaining({ code: 'forbidden', status: 403 }),
      );
    }
  });

  test('control characters are stripped from the actor and it is bounded', () => {
    const header = encode({ claims: [{ typ: 'name', val: `evil\n{"forged":1}${'x'.repeat(300)}` }] });
    const { actor } = authorizeAdmin(request(header), undefined);
    expect(actor).not.toContain('\n');
    expect(actor.length).toBe(200);
  });
});
