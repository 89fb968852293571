/**
 * The kill switch (security review M2): one pure check of pause, domain verdict and
 * paused domains, used by every step (start, resend, verify, the email sender and the provisioner), so a
 * pause or a block stops flows already in progress, not only new starts.
 */
import { checkDomain, type DomainRefusal } from './domainPolicy';
import type { EmailAddress } from './emailAddress';
import { isPaused, pausedDomainFor, type SignupPolicy } from './policy';

export type GateRefusal =
  | { code: 'signups_paused'; message?: string }
  | { code: 'domain_not_allowed'; reason: DomainRefusal | 'paused'; message: string };

export type Gate = { open: true } | ({ open: false } & GateRefusal);

/** Whether `address` may take a step now: global pause first, then the domain verdict, then paused domains. */
export function gate(
  address: EmailAddress,
  policy: SignupPolicy,
  now: Date,
  organizationName?: string,
): Gate {
  if (isPaused(policy, now)) {
    return { open: false, code: 'signups_paused', message: policy.pauseReason || undefined };
  }
  const verdict = checkDomain(address, { ...policy, organizationName });
  if (!verdict.allowed) {
    return { open: false, code: 'domain_not_allowed', reason: verdict.reason, message: verdict.message };
  }
  const paused = pausedDomainFor(policy, address.domain, now);
  if (paused) return { open: false, code: 'domain_not_allowed', reason: 'paused', message: paused.reason };
  return { open: true };
}
