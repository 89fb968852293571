/**
 * Who may enrol and which groups a verified address gets. Pure: no I/O, no clock.
 *
 * Identity first: by default a verified address becomes a guest in no group, and the file's own
 * permissions (granted to the address or its domain) decide what opens. Groups come only from partners,
 * and only groups the deployment manages (`PARTNER_GROUP_IDS`) may ever be written.
 */
import { domainMatchesAny } from './domainPolicy';

export const ENROLMENT_MODES = ['open', 'partners', 'proof_of_send', 'approval'] as const;
export type EnrolmentMode = (typeof ENROLMENT_MODES)[number];

export const NOT_ELIGIBLE_REASONS = ['not_partner', 'no_recent_mail', 'denied', 'revoked'] as const;
export type NotEligibleReason = (typeof NOT_ELIGIBLE_REASONS)[number];

export interface Partner {
  /** Normalised ASCII domain; its subdomains match too. */
  domain: string;
  /** Entra object ids of the groups a verified address at this domain joins. */
  groupIds: string[];
  /** Addresses that approve this partner's sign-ups; none = no approval needed for this partner. */
  sponsors: string[];
}

export interface AccessPolicy {
  enrolment: EnrolmentMode;
  /** proof_of_send: mail delivered to the address within this many days counts. */
  proofOfSendDays: number;
  /** Who approves non-partner addresses (approval, and proof_of_send without a trace). */
  approvers: readonly string[];
  partners: readonly Partner[];
}

export const DEFAULT_PROOF_OF_SEND_DAYS = 30;

export const DEFAULT_ACCESS_POLICY: AccessPolicy = {
  enrolment: 'open',
  proofOfSendDays: DEFAULT_PROOF_OF_SEND_DAYS,
  approvers: [],
  partners: [],
};

/** An Entra object id: a GUID. */
export const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The partner whose domain is the address's domain or a parent of it; the most specific one wins. */
export function partnerFor(domain: string, partners: readonly Partner[]): Partner | undefined {
  let best: Partner | undefined;
  for (const p of partners) {
    if (!domainMatchesAny(domain, [p.domain])) continue;
    if (!best || p.domain.length > best.domain.length) best = p;
  }
  return best;
}

/** Every group id a policy would write, to check against the managed set. */
export function groupIdsIn(policy: Pick<AccessPolicy, 'partners'>): string[] {
  return [...new Set(policy.partners.flatMap((p) => p.groupIds.map((g) => g.toLowerCase())))];
}

/** Group ids of `policy` that the deployment does not manage (must be empty for a policy to be saved). */
export function unmanagedGroupIds(
  policy: Pick<AccessPolicy, 'partners'>,
  managed: readonly string[],
): string[] {
  const allowed = new Set(managed.map((g) => g.toLowerCase()));
  return groupIdsIn(policy).filter((g) => !allowed.has(g));
}

export type Eligibility =
  | { decision: 'provision'; groupIds: readonly string[] }
  /** Look for delivered mail within `days`, then call `afterMailCheck`. */
  | { decision: 'check_mail'; days: number }
  | { decision: 'approval'; approvers: readonly string[] }
  | { decision: 'not_eligible'; reason: NotEligibleReason };

/**
 * The decision for a verified address, taken after verification only (so `start` answers never depend on
 * it). A revoked address is never provisioned; a partner joins exactly its groups (after its sponsors
 * approve, when it has any); everyone else joins no group, subject to the enrolment mode.
 */
export function decideEligibility(input: {
  domain: string;
  policy: AccessPolicy;
  revoked: boolean;
  /** Set once a sponsor approved this flow: only revocation can still stop it. */
  approved?: boolean;
}): Eligibility {
  const { policy } = input;
  if (input.revoked) return { decision: 'not_eligible', reason: 'revoked' };
  const partner = partnerFor(input.domain, policy.partners);
  if (input.approved) return { decision: 'provision', groupIds: partner?.groupIds ?? [] };
  if (partner) {
    return partner.sponsors.length > 0
      ? { decision: 'approval', approvers: partner.sponsors }
      : { decision: 'provision', groupIds: partner.groupIds };
  }
  switch (policy.enrolment) {
    case 'open':
      return { decision: 'provision', groupIds: [] };
    case 'partners':
      return { decision: 'not_eligible', reason: 'not_partner' };
    case 'proof_of_send':
      return { decision: 'check_mail', days: policy.proofOfSendDays };
    case 'approval':
      return policy.approvers.length > 0
        ? { decision: 'approval', approvers: policy.approvers }
        : { decision: 'not_eligible', reason: 'not_partner' };
  }
}

/** proof_of_send after the trace look-up: delivered mail admits; otherwise a sponsor, or no. */
export function afterMailCheck(policy: AccessPolicy, delivered: boolean): Eligibility {
  if (delivered) return { decision: 'provision', groupIds: [] };
  return policy.approvers.length > 0
    ? { decision: 'approval', approvers: policy.approvers }
    : { decision: 'not_eligible', reason: 'no_recent_mail' };
}

/** Who approves a sign-up from `domain`: the partner's sponsors when it has any, else the policy's approvers. */
export function approversFor(domain: string, policy: AccessPolicy): readonly string[] {
  const partner = partnerFor(domain, policy.partners);
  return partner && partner.sponsors.length > 0 ? partner.sponsors : policy.approvers;
}

/**
 * The sponsor recorded for a guest our invitation creates (a staff address from the policy, not data of
 * the guest): for an approved flow the first approver its link went to (they share one link, so which of
 * them decided is not known; the audit trail holds the decision), else the partner's first sponsor.
 */
export function sponsorFor(domain: string, policy: AccessPolicy, approved: boolean): string | undefined {
  const approver = approved ? approversFor(domain, policy)[0] : undefined;
  return approver ?? partnerFor(domain, policy.partners)?.sponsors[0];
}
