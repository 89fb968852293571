/**
 * Which Microsoft Graph application permissions (app roles) a deployment needs, from the features its
 * settings turn on. One source for the readiness check (`graph_roles`) and, through
 * test/unit/infraDrift.test.ts, for what infra/main.bicep `graphPermissions` grants. Pure.
 *
 * Each role is Graph's least privileged application permission for the calls the feature makes (Graph API
 * reference, "Permissions" table of each call):
 * - POST /invitations: User.Invite.All; GET /users (userType, externalUserState, otherMails): User.Read.All.
 * - POST /groups/{id}/members/$ref on a partner group: GroupMember.ReadWrite.All.
 * - GET /admin/exchange/tracing/messageTraces (proof of send): ExchangeMessageTrace.Read.All.
 * - DELETE /users/{id} (erasure that deletes, lifecycle deletion): User.DeleteRestore.All.
 * - PATCH /users/{id} accountEnabled (lifecycle disabling): User.EnableDisableAccount.All.
 * - GET /users?$select=signInActivity (inactivity): AuditLog.Read.All.
 * - Readiness reads (all read-only): GET /policies/authorizationPolicy and
 *   /policies/crossTenantAccessPolicy/default: Policy.Read.All; GET
 *   /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email:
 *   Policy.Read.AuthenticationMethod (Policy.Read.All is not listed for it); GET beta
 *   /policies/b2bManagementPolicies: Policy.Read.B2BManagementPolicy (nor here).
 */

/** What a deployment turns on that decides its Graph permissions. */
export interface GraphFeatures {
  /** PARTNER_GROUP_IDS is not empty (Bicep: `partnerGroupIds` or `createPartnerGroup`). */
  partnerGroups: boolean;
  /** Enrolment `proof_of_send` (Bicep: `enableProofOfSend`). */
  proofOfSend: boolean;
  /** Erasure may delete guest accounts (Bicep: `allowGuestDeletion`). */
  guestDeletion: boolean;
  /** GUEST_LIFETIME_DAYS. */
  guestLifetimeDays: number;
  /** GUEST_INACTIVE_DAYS. */
  guestInactiveDays: number;
}

/** One permission and the features that need it (for the readiness message). */
export interface GraphRoleNeed {
  role: string;
  neededFor: string[];
}

/** The readiness check's own reads of the tenant's policies. */
export const READINESS_GRAPH_ROLES = [
  'Policy.Read.All',
  'Policy.Read.AuthenticationMethod',
  'Policy.Read.B2BManagementPolicy',
] as const;

/** Every permission any combination of features can need, in the order `requiredGraphRoles` lists them. */
export const ALL_GRAPH_ROLES = [
  'User.Invite.All',
  'User.Read.All',
  'GroupMember.ReadWrite.All',
  'ExchangeMessageTrace.Read.All',
  'User.DeleteRestore.All',
  'User.EnableDisableAccount.All',
  'AuditLog.Read.All',
  ...READINESS_GRAPH_ROLES,
] as const;

/** The permissions `features` need, each once with every feature that needs it, in `ALL_GRAPH_ROLES` order. */
export function requiredGraphRoles(features: GraphFeatures): GraphRoleNeed[] {
  const lifecycle = features.guestLifetimeDays > 0 || features.guestInactiveDays > 0;
  const needs: [string, string, boolean][] = [
    ['User.Invite.All', 'inviting guests', true],
    ['User.Read.All', 'looking up existing users', true],
    [
      'GroupMember.ReadWrite.All',
      'adding guests to partner groups (PARTNER_GROUP_IDS)',
      features.partnerGroups,
    ],
    ['ExchangeMessageTrace.Read.All', 'proof of send (message trace)', features.proofOfSend],
    ['User.DeleteRestore.All', 'erasure that deletes guest accounts', features.guestDeletion],
    [
      'User.DeleteRestore.All',
      'deleting expired guests (GUEST_LIFETIME_DAYS or GUEST_INACTIVE_DAYS)',
      lifecycle,
    ],
    [
      'User.EnableDisableAccount.All',
      'disabling expired guests (GUEST_LIFETIME_DAYS or GUEST_INACTIVE_DAYS)',
      lifecycle,
    ],
    ['AuditLog.Read.All', 'reading sign-in activity (GUEST_INACTIVE_DAYS)', features.guestInactiveDays > 0],
    ['Policy.Read.All', 'the readiness check (authorization and cross-tenant access policies)', true],
    ['Policy.Read.AuthenticationMethod', 'the readiness check (email one-time passcode policy)', true],
    ['Policy.Read.B2BManagementPolicy', 'the readiness check (invitation domain list)', true],
  ];
  const byRole = new Map<string, string[]>();
  for (const [role, why, needed] of needs) {
    if (!needed) continue;
    byRole.set(role, [...(byRole.get(role) ?? []), why]);
  }
  return ALL_GRAPH_ROLES.filter((role) => byRole.has(role)).map((role) => ({
    role,
    neededFor: byRole.get(role)!,
  }));
}
