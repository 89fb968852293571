import { ALL_GRAPH_ROLES } from '../../shared/domain/graphPermissions';
import { AccessDeniedError, type TenantInspector } from '../../shared/ports';
import { RESTRICTED_GUEST_ROLE_ID } from '../../shared/services/readinessService';

/** A tenant set up the way the app needs it; tests change one field at a time. */
export class FakeTenant implements TenantInspector {
  /** Every role any feature can need (a role granted but not needed is never reported). */
  roles: string[] | undefined = [...ALL_GRAPH_ROLES];
  allowInvitesFrom = 'everyone';
  guestUserRoleId = RESTRICTED_GUEST_ROLE_ID;
  allowExternalIdToUseEmailOtp = 'default';
  inbound = { usersAndGroups: 'allowed', applications: 'allowed' };
  domainList: { allowed?: string[]; blocked?: string[] } | undefined = undefined;
  groups = new Map<string, string | null>();
  /** Reads answered 403 (a permission the identity lacks). */
  denied = new Set<keyof TenantInspector>();

  private guard(read: keyof TenantInspector) {
    if (this.denied.has(read)) throw new AccessDeniedError(403);
  }
  async grantedRoles() {
    this.guard('grantedRoles');
    return this.roles;
  }
  async authorizationPolicy() {
    this.guard('authorizationPolicy');
    return { allowInvitesFrom: this.allowInvitesFrom, guestUserRoleId: this.guestUserRoleId };
  }
  async emailOtpConfiguration() {
    this.guard('emailOtpConfiguration');
    return { state: 'enabled', allowExternalIdToUseEmailOtp: this.allowExternalIdToUseEmailOtp };
  }
  async inboundB2bCollaboration() {
    this.guard('inboundB2bCollaboration');
    return this.inbound;
  }
  async invitationDomainList() {
    this.guard('invitationDomainList');
    return this.domainList;
  }
  async group(groupId: string) {
    this.guard('group');
    return this.groups.has(groupId) ? { id: groupId, visibility: this.groups.get(groupId) } : undefined;
  }
  async probeMessageTraces() {
    this.guard('probeMessageTraces');
  }
}
