/** The policy read–modify–write: `policy set` GETs the policy, applies the options and PUTs it back. */
import type { PolicyInput, StoredPolicy } from '../../shared/contracts/http';
import type { PolicyChanges } from './args';

/** The PUT body: the current policy with the changes applied (a PUT replaces the whole policy). */
export function applyChanges(current: StoredPolicy, changes: PolicyChanges): PolicyInput {
  const next: PolicyInput = {
    signupsPaused: changes.signupsPaused ?? current.signupsPaused,
    allowedDomains: changes.allowedDomains ?? current.allowedDomains,
    blockedDomains: changes.blockedDomains ?? current.blockedDomains,
  };
  const pauseReason = changes.pauseReason ?? current.pauseReason;
  if (pauseReason) next.pauseReason = pauseReason;
  const pauseUntil = changes.pauseUntil === null ? undefined : (changes.pauseUntil ?? current.pauseUntil);
  if (pauseUntil) next.pauseUntil = new Date(pauseUntil).toISOString();
  const cap =
    changes.domainDailyCap === null ? undefined : (changes.domainDailyCap ?? current.domainDailyCap);
  if (cap !== undefined) next.domainDailyCap = cap;
  const drop = new Set([
    ...(changes.unpauseDomains ?? []),
    ...(changes.pauseDomains ?? []).map((p) => p.domain.toLowerCase()),
  ]);
  next.pausedDomains = [
    ...current.pausedDomains.filter((p) => !drop.has(p.domain)),
    ...(changes.pauseDomains ?? []).map((p) =>
      p.until ? { ...p, until: new Date(p.until).toISOString() } : p,
    ),
  ];
  // The access model travels along unchanged unless asked: a PUT replaces the whole policy.
  const enrolment = changes.enrolment ?? current.enrolment;
  if (enrolment) next.enrolment = enrolment;
  const proofDays = changes.proofOfSendDays ?? current.proofOfSendDays;
  if (proofDays !== undefined) next.proofOfSendDays = proofDays;
  const approvers = changes.approvers ?? current.approvers ?? [];
  if (approvers.length > 0) next.approvers = approvers;
  const replaced = new Set([
    ...(changes.removePartners ?? []),
    ...(changes.partners ?? []).map((p) => p.domain.toLowerCase()),
  ]);
  const partners = [
    ...(current.partners ?? []).filter((p) => !replaced.has(p.domain)),
    ...(changes.partners ?? []),
  ];
  if (partners.length > 0) next.partners = partners;
  const why = changes.note ?? changes.pauseReason;
  if (why) next.reason = why;
  return next;
}
