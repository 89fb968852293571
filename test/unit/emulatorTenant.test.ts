/**
 * The Graph emulator's tenant model (dev/graph-emulator/tenant.ts): the control endpoint's body is
 * validated property by property, and each policy resource reflects the model in Graph's shape.
 */
import { ALL_GRAPH_ROLES } from '../../shared/domain/graphPermissions';
import {
  defaultTenant,
  emulatorAccessToken,
  RESTRICTED_GUEST_ROLE,
  tenantResource,
  TenantControlError,
  updateTenant,
} from '../../dev/graph-emulator/tenant';
import { invitationDomains, rolesClaim } from '../../shared/adapters/graphTenant';

const BASE = 'http://127.0.0.1:7072';

test('the default tenant is set up as the app needs it', () => {
  const tenant = defaultTenant();
  expect(tenantResource('v1.0', ['policies', 'authorizationPolicy'], tenant, BASE)).toMatchObject({
    allowInvitesFrom: 'everyone',
    guestUserRoleId: RESTRICTED_GUEST_ROLE,
  });
  expect(
    tenantResource(
      'v1.0',
      'policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email'.split('/'),
      tenant,
      BASE,
    ),
  ).toMatchObject({ allowExternalIdToUseEmailOtp: 'default' });
  expect(
    tenantResource('v1.0', ['policies', 'crossTenantAccessPolicy', 'default'], tenant, BASE),
  ).toMatchObject({ b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed' } } });
  expect(tenantResource('beta', ['policies', 'b2bManagementPolicies'], tenant, BASE)).toMatchObject({
    value: [],
  });
  expect(tenantResource('v1.0', ['policies', 'unknown'], tenant, BASE)).toBeUndefined();
});

test('each control property changes its resource; the domain list reads back through the adapter', () => {
  const tenant = updateTenant(defaultTenant(), {
    emailOtpEnabled: false,
    inboundB2bAllowed: false,
    blockedDomains: ['gmail.com'],
  });
  expect(
    tenantResource(
      'v1.0',
      'policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email'.split('/'),
      tenant,
      BASE,
    ),
  ).toMatchObject({ allowExternalIdToUseEmailOtp: 'disabled' });
  expect(
    tenantResource('v1.0', ['policies', 'crossTenantAccessPolicy', 'default'], tenant, BASE),
  ).toMatchObject({ b2bCollaborationInbound: { usersAndGroups: { accessType: 'blocked' } } });
  const list = tenantResource('beta', ['policies', 'b2bManagementPolicies'], tenant, BASE) as {
    value: Array<{ definition: unknown }>;
  };
  expect(invitationDomains(list.value[0]!.definition)).toEqual({ blocked: ['gmail.com'] });
});

test.each([
  [{ allowInvitesFrom: 'anyone' }, 'allowInvitesFrom'],
  [{ guestUserRoleId: 'restricted' }, 'guestUserRoleId'],
  [{ emailOtpEnabled: 'no' }, 'emailOtpEnabled'],
  [{ blockedDomains: 'gmail.com' }, 'blockedDomains'],
  [{ allowedDomains: ['a.com'], blockedDomains: ['b.com'] }, 'allowedDomains'],
  [{ mystery: true }, 'mystery'],
])('a bad control body %j is refused naming %s', (body, property) => {
  expect(() => updateTenant(defaultTenant(), body)).toThrow(new TenantControlError(property));
});

test("the emulator's token carries every role a deployment with all features gets", () => {
  expect(rolesClaim(emulatorAccessToken())).toEqual([...ALL_GRAPH_ROLES]);
  expect(rolesClaim(emulatorAccessToken(['User.Read.All']))).toEqual(['User.Read.All']);
});
