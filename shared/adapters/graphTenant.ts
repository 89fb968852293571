/**
 * `TenantInspector` over Microsoft Graph: read-only GETs of the tenant's B2B settings and the `roles` claim
 * of the app's own token. Least privileged permissions (shared/domain/graphPermissions.ts): Policy.Read.All
 * for the authorization and cross-tenant access policies, Policy.Read.AuthenticationMethod for email OTP,
 * Policy.Read.B2BManagementPolicy for the (beta) domain list; the group read is covered by the
 * GroupMember.ReadWrite.All the provisioner already has, the message trace probe by proof of send's
 * ExchangeMessageTrace.Read.All.
 */
import type { TenantInspector } from '../ports';
import type { GraphDirectory } from './graphDirectory';

type Reader = Pick<GraphDirectory, 'read' | 'accessToken'>;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The `roles` claim of a JWT, or undefined when the token is not a JWT (the emulator's static token). */
export function rolesClaim(token: string): string[] | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = record(JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')));
    return Array.isArray(payload.roles)
      ? payload.roles.filter((r): r is string => typeof r === 'string')
      : [];
  } catch {
    return undefined;
  }
}

/** The domain list inside a b2bManagementPolicy `definition` (a JSON string per the beta resource). */
export function invitationDomains(
  definition: unknown,
): { allowed?: string[]; blocked?: string[] } | undefined {
  const texts = Array.isArray(definition) ? definition : [definition];
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    const list = record(record(record(parsed).B2BManagementPolicy).InvitationsAllowedAndBlockedDomainsPolicy);
    const strings = (v: unknown) =>
      Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string') : undefined;
    const allowed = strings(list.AllowedDomains);
    const blocked = strings(list.BlockedDomains);
    if (allowed || blocked) return { allowed, blocked };
  }
  return undefined;
}

export class GraphTenantInspector implements TenantInspector {
  constructor(private readonly graph: Reader) {}

  async grantedRoles() {
    return rolesClaim(await this.graph.accessToken());
  }

  async authorizationPolicy() {
    // v1.0 returns the single policy object; older tenants answered a collection: accept both.
    const body = record(await this.graph.read('/policies/authorizationPolicy'));
    const policy = Array.isArray(body.value) ? record(body.value[0]) : body;
    return { allowInvitesFrom: str(policy.allowInvitesFrom), guestUserRoleId: str(policy.guestUserRoleId) };
  }

  async emailOtpConfiguration() {
    const body = record(
      await this.graph.read('/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email'),
    );
    return { state: str(body.state), allowExternalIdToUseEmailOtp: str(body.allowExternalIdToUseEmailOtp) };
  }

  async inboundB2bCollaboration() {
    const inbound = record(
      record(await this.graph.read('/policies/crossTenantAccessPolicy/default')).b2bCollaborationInbound,
    );
    return {
      usersAndGroups: str(record(inbound.usersAndGroups).accessType),
      applications: str(record(inbound.applications).accessType),
    };
  }

  async invitationDomainList() {
    const body = record(await this.graph.read('/policies/b2bManagementPolicies', 'beta'));
    const policies = Array.isArray(body.value) ? body.value : [];
    for (const policy of policies) {
      const found = invitationDomains(record(policy).definition);
      if (found) return found;
    }
    return undefined;
  }

  async group(groupId: string) {
    const body = await this.graph.read(`/groups/${encodeURIComponent(groupId)}?$select=id,visibility`);
    if (body === undefined) return undefined;
    const group = record(body);
    return { id: str(group.id) ?? groupId, visibility: str(group.visibility) ?? null };
  }

  async probeMessageTraces() {
    // One trace at most: only whether Graph answers matters (a 403 throws AccessDeniedError).
    await this.graph.read('/admin/exchange/tracing/messageTraces?$top=1');
  }
}
