/**
 * Tenant readiness: is this tenant set up so that a recipient who verified their address actually gets a
 * working guest account? Each check reads one setting through `TenantInspector` and says what to fix.
 * Run by `GET /api/admin/readiness`, `npm run admin -- readiness` and infra/deploy.sh after a deployment,
 * so a misconfiguration is found by the operator, not by the first recipient.
 *
 * A setting the identity may not read (403) is `warn`, never `fail`: the check could not tell. The
 * exception is the message trace probe: proof of send depends on that very read, so a 403 there is `fail`.
 */
import type { AdminReadiness, ReadinessCheck } from '../contracts/http';
import { type GraphFeatures, requiredGraphRoles } from '../domain/graphPermissions';
import type { SignupPolicy } from '../domain/policy';
import { AccessDeniedError, type PolicyProvider, type TenantInspector } from '../ports';

export type { AdminReadiness as ReadinessReport, ReadinessCheck } from '../contracts/http';
export { READINESS_CHECK_IDS as READINESS_CHECKS } from '../contracts/http';
type ReadinessCheckId = ReadinessCheck['id'];

/** "Guest user access is restricted to properties and memberships of their own directory objects". */
export const RESTRICTED_GUEST_ROLE_ID = '2af84b1e-32c8-42b7-82bc-daa82404023b';
const DELETION_ROLE = 'User.DeleteRestore.All';

export interface ReadinessSettings {
  /** Groups every guest is added to (the access group, partner groups). */
  groupIds: readonly string[];
  emailTransport: 'acs' | 'smtp';
  /** Sender address (its domain is the ACS sender domain). */
  senderAddress: string;
  /** The HMAC secret as the app sees it: an unresolved Key Vault reference is a literal `@Microsoft.KeyVault(`. */
  codeHmacSecret: string;
  /** GUEST_LIFETIME_DAYS and GUEST_INACTIVE_DAYS: the lifecycle's Graph permissions. */
  guestLifetimeDays: number;
  guestInactiveDays: number;
}

export interface ReadinessDeps {
  tenant: TenantInspector;
  policy: PolicyProvider;
  settings: ReadinessSettings;
}

const pass = (id: ReadinessCheckId, message: string): ReadinessCheck => ({
  id,
  status: 'pass',
  message,
  fix: '',
});

function unreadable(id: ReadinessCheckId, what: string, permission: string, error: unknown): ReadinessCheck {
  if (error instanceof AccessDeniedError) {
    return {
      id,
      status: 'warn',
      message: `${what} could not be read (Graph ${error.status}).`,
      fix: `Grant the Graph identity the application permission ${permission} (read-only) so this can be checked, or check it in the Entra admin center.`,
    };
  }
  const reason = error instanceof Error ? error.name : 'error';
  return {
    id,
    status: 'warn',
    message: `${what} could not be read (${reason}).`,
    fix: 'Run the check again; if it persists, check Graph connectivity.',
  };
}

/**
 * The features this deployment runs, as far as the app can see them. Erasure deletes a guest only when an
 * admin asks for it and no setting says whether that is allowed (Bicep's allowGuestDeletion only grants
 * the permission), so deletion is not required here: the pass message says when it is unavailable.
 */
export function graphFeaturesOf(
  settings: Pick<ReadinessSettings, 'groupIds' | 'guestLifetimeDays' | 'guestInactiveDays'>,
  policy: Pick<SignupPolicy, 'access'>,
): GraphFeatures {
  return {
    partnerGroups: settings.groupIds.length > 0,
    proofOfSend: policy.access.enrolment === 'proof_of_send',
    guestDeletion: false,
    guestLifetimeDays: settings.guestLifetimeDays,
    guestInactiveDays: settings.guestInactiveDays,
  };
}

export function makeReadinessService(deps: ReadinessDeps) {
  const { tenant, settings } = deps;

  async function roles(): Promise<ReadinessCheck> {
    const id = 'graph_roles';
    const granted = await tenant.grantedRoles();
    if (!granted) {
      return {
        id,
        status: 'warn',
        message: 'The Graph access token carries no readable roles claim.',
        fix: 'Run the check in Azure, where the managed identity’s token is a JWT.',
      };
    }
    const needs = requiredGraphRoles(graphFeaturesOf(settings, await deps.policy.get()));
    const missing = needs.filter((n) => !granted.includes(n.role));
    if (missing.length) {
      const names = missing.map((n) => n.role).join(', ');
      return {
        id,
        status: 'fail',
        message: `The Graph identity lacks ${missing.map((n) => `${n.role} (for ${n.neededFor.join('; ')})`).join(', ')}.`,
        fix: `Grant the application permission(s) ${names} to the Graph identity (infra/main.bicep graphPermissions does it on deployment; docs/DEPLOY.md lists each), then restart the app so it gets a new token.`,
      };
    }
    // A role granted but no longer needed is not reported: least privilege is Bicep's job, not a failure.
    const deletion = needs.some((n) => n.role === DELETION_ROLE) || granted.includes(DELETION_ROLE);
    return pass(
      id,
      `Granted: ${needs.map((n) => n.role).join(', ')}.${deletion ? '' : ` Erasure cannot delete guest accounts (${DELETION_ROLE} not granted).`}`,
    );
  }

  // PUT /api/admin/policy refuses approval without approvers; a policy stored before that rule, or edited
  // in the table, can still have none, and then nobody can ever be approved.
  async function approvers(): Promise<ReadinessCheck> {
    const id = 'approvers';
    const { access } = await deps.policy.get();
    const sponsored = access.partners.filter((p) => p.sponsors.length > 0).length;
    if (access.enrolment === 'approval' && !access.approvers.length && !sponsored) {
      return {
        id,
        status: 'fail',
        message:
          'Enrolment is approval but no approvers are configured anywhere: every sign-up outside a partner domain is refused and none can be approved.',
        fix: 'Add approvers to the run-time policy (admin console → Policy → Approvers, or PUT /api/admin/policy with approvers), or sponsors to a partner.',
      };
    }
    if (access.enrolment === 'approval' || access.enrolment === 'proof_of_send')
      return pass(
        id,
        `${access.approvers.length} approver(s) and ${sponsored} partner(s) with sponsors (enrolment ${access.enrolment}).`,
      );
    return pass(id, `Enrolment ${access.enrolment} needs no approvers.`);
  }

  async function messageTrace(): Promise<ReadinessCheck> {
    const id = 'message_trace';
    const { access } = await deps.policy.get();
    if (access.enrolment !== 'proof_of_send')
      return pass(id, 'Proof of send is off: no message trace is read.');
    try {
      await tenant.probeMessageTraces();
    } catch (error) {
      if (!(error instanceof AccessDeniedError)) throw error;
      return {
        id,
        status: 'fail',
        message: `Enrolment is proof_of_send but Graph refused the message trace read (${error.status}): every sign-up without an approver would be refused.`,
        fix: 'Grant the Graph identity ExchangeMessageTrace.Read.All (Bicep: enableProofOfSend=true; docs/DEPLOY.md), check the tenant has Exchange Online, then restart the app so it gets a new token.',
      };
    }
    return pass(id, 'Message trace answers: proof of send can look up delivered mail.');
  }

  async function emailOtp(): Promise<ReadinessCheck> {
    const id = 'email_otp';
    const config = await tenant.emailOtpConfiguration();
    // `default` means on for every tenant since October 2021 (mission-anchors §2.3).
    if (config.allowExternalIdToUseEmailOtp === 'disabled') {
      return {
        id,
        status: 'fail',
        message:
          'Email one-time passcode for guests is off: recipients without a Microsoft account cannot redeem.',
        fix: 'Entra admin center → Authentication methods → Email OTP → "Allow external users to use email OTP": Yes (allowExternalIdToUseEmailOtp = enabled).',
      };
    }
    return pass(id, 'Email one-time passcode is available to guests.');
  }

  async function authorization(): Promise<ReadinessCheck[]> {
    const policy = await tenant.authorizationPolicy();
    const invites: ReadinessCheck =
      policy.allowInvitesFrom === 'none'
        ? {
            id: 'guest_invitations',
            status: 'fail',
            message: 'Guest invitations are turned off for everyone (allowInvitesFrom = none).',
            fix: 'Entra admin center → External Identities → External collaboration settings → Guest invite settings: at least "Only users assigned to specific admin roles" (the app invites with User.Invite.All).',
          }
        : pass(
            'guest_invitations',
            `Guest invitations allowed (allowInvitesFrom = ${policy.allowInvitesFrom ?? 'default'}).`,
          );
    const restricted: ReadinessCheck =
      policy.guestUserRoleId?.toLowerCase() === RESTRICTED_GUEST_ROLE_ID
        ? pass('guest_access_restricted', 'Guest user access is restricted to their own directory objects.')
        : {
            id: 'guest_access_restricted',
            status: 'warn',
            message: 'Guests can see more of the directory than their own objects.',
            fix: `Entra admin center → External collaboration settings → Guest user access: "most restrictive" (guestUserRoleId = ${RESTRICTED_GUEST_ROLE_ID}).`,
          };
    return [invites, restricted];
  }

  async function inbound(): Promise<ReadinessCheck> {
    const id = 'inbound_b2b';
    const b2b = await tenant.inboundB2bCollaboration();
    if (b2b.usersAndGroups !== 'allowed' || b2b.applications === 'blocked') {
      return {
        id,
        status: 'fail',
        message:
          'The cross-tenant access default blocks inbound B2B collaboration: guests from other organisations cannot sign in.',
        fix: 'Entra admin center → External Identities → Cross-tenant access settings → Default settings → Inbound access → B2B collaboration: allow all users and applications.',
      };
    }
    return pass(id, 'Inbound B2B collaboration is allowed by default.');
  }

  async function domains(): Promise<ReadinessCheck> {
    const id = 'invitation_domains';
    const list = await tenant.invitationDomainList();
    const ours = await deps.policy.get();
    const lower = (d: readonly string[]) => d.map((x) => x.toLowerCase());
    if (!list || (!list.allowed?.length && !list.blocked?.length)) {
      return pass(id, 'The tenant restricts no invitation domains.');
    }
    if (list.allowed?.length) {
      const tenantAllowed = lower(list.allowed);
      const ourAllowed = lower(ours.allowedDomains);
      if (!ourAllowed.length) {
        return {
          id,
          status: 'fail',
          message: `The tenant invites only ${tenantAllowed.length} domain(s) but this app accepts every domain: other recipients verify and then fail at the invitation.`,
          fix: `Set ALLOWED_DOMAINS to the tenant's allow list (${tenantAllowed.slice(0, 5).join(', ')}${tenantAllowed.length > 5 ? ', …' : ''}).`,
        };
      }
      const outside = ourAllowed.filter((d) => !tenantAllowed.includes(d));
      if (outside.length) {
        return {
          id,
          status: 'fail',
          message: `Allowed here but not by the tenant: ${outside.join(', ')}.`,
          fix: 'Add them to the tenant’s collaboration allow list, or remove them from ALLOWED_DOMAINS.',
        };
      }
      return pass(id, 'Every domain allowed here is on the tenant’s allow list.');
    }
    const tenantBlocked = lower(list.blocked ?? []);
    const contradicted = lower(ours.allowedDomains).filter((d) => tenantBlocked.includes(d));
    if (contradicted.length) {
      return {
        id,
        status: 'fail',
        message: `Allowed here but blocked by the tenant: ${contradicted.join(', ')}.`,
        fix: 'Remove them from the tenant’s block list, or from ALLOWED_DOMAINS.',
      };
    }
    const unblocked = tenantBlocked.filter((d) => !lower(ours.blockedDomains).includes(d));
    if (unblocked.length) {
      return {
        id,
        status: 'warn',
        message: `Blocked by the tenant but not here: ${unblocked.join(', ')}; their recipients verify and then fail at the invitation.`,
        fix: `Add ${unblocked.join(', ')} to BLOCKED_DOMAINS (or the run-time policy's blocked domains).`,
      };
    }
    return pass(id, 'The tenant’s block list is blocked here too.');
  }

  async function groups(): Promise<ReadinessCheck> {
    const id = 'groups';
    if (!settings.groupIds.length) return pass(id, 'No groups configured.');
    const problems: string[] = [];
    for (const groupId of settings.groupIds) {
      const group = await tenant.group(groupId);
      if (!group) problems.push(`${groupId} does not exist`);
      else if (group.visibility !== 'HiddenMembership')
        problems.push(`${groupId} does not hide its membership`);
    }
    if (problems.length) {
      return {
        id,
        status: 'fail',
        message: `${problems.join('; ')}.`,
        fix: 'Use a security group created with visibility HiddenMembership (infra/modules/graph.bicep creates one), so guests cannot list each other.',
      };
    }
    return pass(id, `${settings.groupIds.length} group(s) exist with hidden membership.`);
  }

  function acs(): ReadinessCheck {
    const id = 'acs_sender_domain';
    if (settings.emailTransport !== 'acs') return pass(id, 'Email goes through SMTP: no ACS sender domain.');
    const domain = settings.senderAddress.slice(settings.senderAddress.lastIndexOf('@') + 1);
    return {
      id,
      status: 'warn',
      message: `The app cannot read whether ${domain} is linked to the Communication Service and verified.`,
      fix: `az communication email domain show --domain-name ${domain} --email-service-name <email service> -g <resource group> --query "{verification: verificationStates}" and check it is linked (az communication show … linkedDomains).`,
    };
  }

  function keyVault(): ReadinessCheck {
    const id = 'key_vault_secret';
    if (settings.codeHmacSecret.trim().startsWith('@Microsoft.KeyVault(')) {
      return {
        id,
        status: 'fail',
        message: 'CODE_HMAC_SECRET is an unresolved Key Vault reference.',
        fix: 'Give the app’s identity "Key Vault Secrets User" on the vault, then restart the app (a failed reference is not retried for up to 24 h).',
      };
    }
    return pass(id, 'CODE_HMAC_SECRET is resolved.');
  }

  /** Runs every check; one that throws becomes a `warn` saying what could not be read. */
  async function check(): Promise<AdminReadiness> {
    const guarded = async (
      ids: readonly ReadinessCheckId[],
      what: string,
      permission: string,
      run: () => Promise<ReadinessCheck | ReadinessCheck[]>,
    ): Promise<ReadinessCheck[]> => {
      try {
        return [await run()].flat();
      } catch (error) {
        return ids.map((id) => unreadable(id, what, permission, error));
      }
    };
    const results = await Promise.all([
      guarded(['graph_roles'], 'The token’s roles', 'User.Read.All', roles),
      guarded(['email_otp'], 'The email OTP policy', 'Policy.Read.AuthenticationMethod', emailOtp),
      guarded(
        ['guest_invitations', 'guest_access_restricted'],
        'The authorization policy',
        'Policy.Read.All',
        authorization,
      ),
      guarded(['inbound_b2b'], 'The cross-tenant access default', 'Policy.Read.All', inbound),
      guarded(
        ['invitation_domains'],
        'The B2B invitation domain list',
        'Policy.Read.B2BManagementPolicy',
        domains,
      ),
      guarded(['groups'], 'The configured groups', 'GroupMember.ReadWrite.All', groups),
      guarded(['approvers'], 'The run-time policy', 'User.Read.All', approvers),
      guarded(['message_trace'], 'The message trace', 'ExchangeMessageTrace.Read.All', messageTrace),
    ]);
    return { checks: [...results.flat(), acs(), keyVault()] };
  }

  return { check };
}

export type ReadinessService = ReturnType<typeof makeReadinessService>;
