/**
 * Who may sign up right now: the organisation's settings-level domain lists with an admin's run-time
 * policy on top, and the rules that read it (a pause, a paused domain). Pure: the caller passes `now`.
 */
import { type AccessPolicy, DEFAULT_ACCESS_POLICY, type EnrolmentMode, type Partner } from './accessPolicy';
import { domainMatchesAny } from './domainPolicy';

export interface PausedDomain {
  domain: string;
  reason: string;
  until?: string;
}

export interface SignupPolicy {
  signupsPaused: boolean;
  pauseReason?: string;
  pauseUntil?: string;
  organizationDomains: readonly string[];
  allowedDomains: readonly string[];
  blockedDomains: readonly string[];
  pausedDomains: readonly PausedDomain[];
  domainDailyCap?: number;
  /** Who may enrol and which groups partners join. */
  access: AccessPolicy;
}

/** What admins can change at run time (added on top of the settings' lists). */
export interface StoredPolicy {
  signupsPaused: boolean;
  pauseReason?: string;
  pauseUntil?: string;
  allowedDomains: string[];
  blockedDomains: string[];
  domainDailyCap?: number;
  pausedDomains: PausedDomain[];
  /** Absent in policies saved before the access model: read as the defaults (open, 30 days, none). */
  enrolment?: EnrolmentMode;
  proofOfSendDays?: number;
  approvers?: string[];
  partners?: Partner[];
  updatedAt?: string;
  updatedBy?: string;
}

/** The settings-level lists (read-only at run time). */
export interface PolicyLists {
  organizationDomains: readonly string[];
  allowedDomains: readonly string[];
  blockedDomains: readonly string[];
}

export const EMPTY_STORED_POLICY: StoredPolicy = {
  signupsPaused: false,
  allowedDomains: [],
  blockedDomains: [],
  pausedDomains: [],
};

/** The organisation's settings with an admin's run-time policy layered on top. */
export function effectivePolicy(lists: PolicyLists, stored: StoredPolicy): SignupPolicy {
  return {
    signupsPaused: stored.signupsPaused,
    pauseReason: stored.pauseReason,
    pauseUntil: stored.pauseUntil,
    organizationDomains: [...lists.organizationDomains],
    allowedDomains: [...lists.allowedDomains, ...stored.allowedDomains],
    blockedDomains: [...lists.blockedDomains, ...stored.blockedDomains],
    pausedDomains: stored.pausedDomains,
    domainDailyCap: stored.domainDailyCap,
    access: accessPolicyOf(stored),
  };
}

/** The access part of a stored policy, with defaults for fields saved before they existed. */
export function accessPolicyOf(stored: StoredPolicy): AccessPolicy {
  return {
    enrolment: stored.enrolment ?? DEFAULT_ACCESS_POLICY.enrolment,
    proofOfSendDays: stored.proofOfSendDays ?? DEFAULT_ACCESS_POLICY.proofOfSendDays,
    approvers: stored.approvers ?? [],
    partners: stored.partners ?? [],
  };
}

/** Sign-ups are paused at `now`: the pause is on and its `pauseUntil` (if any) is still ahead. */
export function isPaused(policy: Pick<SignupPolicy, 'signupsPaused' | 'pauseUntil'>, now: Date): boolean {
  const until = policy.pauseUntil ? Date.parse(policy.pauseUntil) : Infinity;
  return policy.signupsPaused && now.getTime() < until;
}

/** The pause that covers `domain` (or a parent of it) at `now`, if any. */
export function pausedDomainFor(
  policy: Pick<SignupPolicy, 'pausedDomains'>,
  domain: string,
  now: Date,
): PausedDomain | undefined {
  return policy.pausedDomains.find(
    (p) => domainMatchesAny(domain, [p.domain]) && (!p.until || now.getTime() < Date.parse(p.until)),
  );
}
