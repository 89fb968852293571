import { effectivePolicy, EMPTY_STORED_POLICY, type PolicyLists } from '../domain/policy';
import type { Clock, PolicyProvider, PolicyStore, SignupPolicy } from '../ports';

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
    private readonly lists: PolicyLists,
    private readonly clock: Clock,
    private readonly ttlMs = 5_000,
  ) {}

  async get(): Promise<SignupPolicy> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.policy;
    this.inflight ??= this.store
      .get()
      .then((stored) => {
        const policy = effectivePolicy(this.lists, stored?.value ?? EMPTY_STORED_POLICY);
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
