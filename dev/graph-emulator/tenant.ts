/**
 * Tenant settings: the policy resources the readiness check reads (shared/services/readinessService.ts),
 * answered from a small model that starts as a tenant set up the way the app needs it, and the control
 * endpoint `POST /_emulator/tenant` that changes it to simulate a misconfigured tenant (GET shows it):
 *
 *   {"guestUserRoleId"?, "allowInvitesFrom"?, "emailOtpEnabled"?, "inboundB2bAllowed"?,
 *    "allowedDomains"?, "blockedDomains"?}
 *
 * Served (GET only; ./messageTraces.ts serves the message trace the readiness probe reads, and
 * `POST /_emulator/faults` with its path makes that read 403): /v1.0/policies/authorizationPolicy,
 * /v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email,
 * /v1.0/policies/crossTenantAccessPolicy/default, /beta/policies/b2bManagementPolicies.
 * Shapes follow the Graph v1.0/beta resource docs (only the properties the app reads, plus ids).
 * `emulatorAccessToken()` is a bearer token shaped like a managed identity's (an unsigned JWT whose `roles`
 * claim the readiness check reads); the emulator itself accepts any token.
 */
import { ALL_GRAPH_ROLES } from '../../shared/domain/graphPermissions';
import { badRequest, readJsonObject, sendJson, type Exchange } from './http';
import type { EmulatorContext, RouteModule } from './router';

export const RESTRICTED_GUEST_ROLE = '2af84b1e-32c8-42b7-82bc-daa82404023b';
const ALLOW_INVITES_FROM = ['none', 'adminsAndGuestInviters', 'adminsGuestInvitersAndAllMembers', 'everyone'];

export interface TenantSettings {
  guestUserRoleId: string;
  allowInvitesFrom: string;
  emailOtpEnabled: boolean;
  inboundB2bAllowed: boolean;
  allowedDomains: string[];
  blockedDomains: string[];
}

export function defaultTenant(): TenantSettings {
  return {
    guestUserRoleId: RESTRICTED_GUEST_ROLE,
    allowInvitesFrom: 'everyone',
    emailOtpEnabled: true,
    inboundB2bAllowed: true,
    allowedDomains: [],
    blockedDomains: [],
  };
}

export class TenantControlError extends Error {}

/**
 * The application permissions the app's Graph identity holds after a deployment with every feature on
 * (infra/main.bicep graphPermissions), so readiness passes whatever the local settings turn on.
 */
export const GRANTED_ROLES: readonly string[] = ALL_GRAPH_ROLES;

/** An unsigned JWT carrying `roles`, like the Graph token of a managed identity (never valid for Graph). */
export function emulatorAccessToken(roles: readonly string[] = GRANTED_ROLES): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return [
    part({ typ: 'JWT', alg: 'none' }),
    part({ aud: 'https://graph.microsoft.com', roles }),
    'emulator',
  ].join('.');
}

/** Applies a `POST /_emulator/tenant` body; throws `TenantControlError` naming the bad property. */
export function updateTenant(tenant: TenantSettings, body: Record<string, unknown>): TenantSettings {
  const next = { ...tenant };
  for (const [key, value] of Object.entries(body)) {
    switch (key) {
      case 'guestUserRoleId':
        if (typeof value !== 'string' || !/^[0-9a-f-]{36}$/i.test(value)) throw new TenantControlError(key);
        next.guestUserRoleId = value;
        break;
      case 'allowInvitesFrom':
        if (typeof value !== 'string' || !ALLOW_INVITES_FROM.includes(value))
          throw new TenantControlError(key);
        next.allowInvitesFrom = value;
        break;
      case 'emailOtpEnabled':
      case 'inboundB2bAllowed':
        if (typeof value !== 'boolean') throw new TenantControlError(key);
        next[key] = value;
        break;
      case 'allowedDomains':
      case 'blockedDomains':
        if (!Array.isArray(value) || !value.every((d) => typeof d === 'string'))
          throw new TenantControlError(key);
        next[key] = value;
        break;
      default:
        throw new TenantControlError(key);
    }
  }
  if (next.allowedDomains.length && next.blockedDomains.length)
    throw new TenantControlError('allowedDomains');
  return next;
}

/** The Graph body for a policy path (segments after the version), or undefined when it is not one. */
export function tenantResource(
  version: string,
  path: readonly string[],
  tenant: TenantSettings,
  baseUrl: string,
): Record<string, unknown> | undefined {
  const key = `${version} ${path.join('/')}`;
  switch (key) {
    case 'v1.0 policies/authorizationPolicy':
      return {
        '@odata.context': `${baseUrl}/v1.0/$metadata#policies/authorizationPolicy/$entity`,
        id: 'authorizationPolicy',
        displayName: 'Authorization Policy',
        allowInvitesFrom: tenant.allowInvitesFrom,
        allowedToSignUpEmailBasedSubscriptions: true,
        allowEmailVerifiedUsersToJoinOrganization: false,
        guestUserRoleId: tenant.guestUserRoleId,
      };
    case 'v1.0 policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email':
      return {
        '@odata.context': `${baseUrl}/v1.0/$metadata#authenticationMethodConfigurations/$entity`,
        '@odata.type': '#microsoft.graph.emailAuthenticationMethodConfiguration',
        id: 'Email',
        state: 'enabled',
        allowExternalIdToUseEmailOtp: tenant.emailOtpEnabled ? 'default' : 'disabled',
      };
    case 'v1.0 policies/crossTenantAccessPolicy/default': {
      const access = (allowed: boolean, target: string) => ({
        accessType: allowed ? 'allowed' : 'blocked',
        targets: [{ target, targetType: target === 'AllUsers' ? 'user' : 'application' }],
      });
      return {
        '@odata.context': `${baseUrl}/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity`,
        isServiceDefault: true,
        b2bCollaborationInbound: {
          usersAndGroups: access(tenant.inboundB2bAllowed, 'AllUsers'),
          applications: access(tenant.inboundB2bAllowed, 'AllApplications'),
        },
      };
    }
    case 'beta policies/b2bManagementPolicies': {
      const list = tenant.allowedDomains.length
        ? { AllowedDomains: tenant.allowedDomains }
        : tenant.blockedDomains.length
          ? { BlockedDomains: tenant.blockedDomains }
          : undefined;
      return {
        '@odata.context': `${baseUrl}/beta/$metadata#policies/b2bManagementPolicies`,
        value: list
          ? [
              {
                id: 'b2b-management-policy',
                displayName: 'B2BManagementPolicy',
                definition: [
                  JSON.stringify({
                    B2BManagementPolicy: { InvitationsAllowedAndBlockedDomainsPolicy: list },
                  }),
                ],
              },
            ]
          : [],
      };
    }
    default:
      return undefined;
  }
}

/** `POST /_emulator/tenant` (routed by ./controls.ts with the other controls). */
export async function updateTenantControl({ state }: EmulatorContext, ex: Exchange): Promise<void> {
  try {
    state.tenant = updateTenant(state.tenant, await readJsonObject(ex.req));
  } catch (error) {
    if (error instanceof TenantControlError) throw badRequest(`Invalid tenant setting: ${error.message}.`);
    throw error;
  }
  sendJson(ex, 200, state.tenant);
}

export const registerTenantRoutes: RouteModule = (router, { state, baseUrl }) => {
  for (const path of [
    '/v1.0/policies/authorizationPolicy',
    '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email',
    '/v1.0/policies/crossTenantAccessPolicy/default',
    '/beta/policies/b2bManagementPolicies',
  ]) {
    const [version = '', ...rest] = path.split('/').filter(Boolean);
    router.graph('GET', path, (ex) =>
      sendJson(ex, 200, tenantResource(version, rest, state.tenant, baseUrl())),
    );
  }
};
