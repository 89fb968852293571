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
  const why = changes.note ?? changes.pauseReason;
  if (why) next.reason = why;
  return next;
}
