import type { Config } from '../config';
import { DEFAULT_ACCESS_POLICY, type AccessPolicy } from '../domain/accessPolicy';
import type { Clock, PolicyProvider, PolicyStore, SignupPolicy, StoredPolicy } from '../ports';

export const EMPTY_STORED_POLICY: StoredPolicy = {
  signupsPaused: false,
  allowedDomains: [],
  blockedDomains: [],
  pausedDomains: [],
};

/** The organisation's settings with an admin's run-time policy layered on top. */
export function effectivePolicy(
  config: Pick<Config, 'ORGANIZATION_DOMAINS' | 'ALLOWED_DOMAINS' | 'BLOCKED_DOMAINS'>,
  stored: StoredPolicy,
): SignupPolicy {
  return {
    signupsPaused: stored.signupsPaused,
    pauseReason: stored.pauseReason,
    pauseUntil: stored.pauseUntil,
    organizationDomains: config.ORGANIZATION_DOMAINS,
    allowedDomains: [...config.ALLOWED_DOMAINS, ...stored.allowedDomains],
    blockedDomains: [...config.BLOCKED_DOMAINS, ...stored.blockedDomains],
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

export class StaticPolicyProvider implements PolicyProvider {
  constructor(private readonly policy: SignupPolicy) {}
  get(): Promise<SignupPolicy> {
    return Promise.resolve(this.policy);
  }
}

/**
 * Reads the stored policy at most once per `ttlMs` per instance, so a change is in force everywhere
 * within that time (issue: within 10 s) without a storage read on every request.
 */
export class CachedPolicyProvider implements PolicyProvider {
  private cached?: { policy: SignupPolicy; at: number };
  private inflight?: Promise<SignupPolicy>;

  constructor(
    private readonly store: PolicyStore,
    private readonly config: Pick<Config, 'ORGANIZATION_DOMAINS' | 'ALLOWED_DOMAINS' | 'BLOCKED_DOMAINS'>,
    private readonly clock: Clock,
    private readonly ttlMs = 5_000,
  ) {}

  async get(): Promise<SignupPolicy> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.policy;
    this.inflight ??= this.store
      .get()
      .then((stored) => {
        const policy = effectivePolicy(this.config, stored?.value ?? EMPTY_STORED_POLICY);
        this.cached = { policy, at: now };
        return policy;
      })
      .finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** Forget the cached copy (after this instance itself changed the policy). */
  invalidate(): void {
    this.cached = undefined;
  }
}
