import type { Config } from '../config';
import type { PolicyProvider, SignupPolicy } from '../ports';

/** The policy from settings alone; the admin API layers run-time changes on top of it. */
export function policyFromConfig(config: Config): SignupPolicy {
  return {
    signupsPaused: false,
    organizationDomains: config.ORGANIZATION_DOMAINS,
    allowedDomains: config.ALLOWED_DOMAINS,
    blockedDomains: config.BLOCKED_DOMAINS,
    pausedDomains: [],
  };
}

export class StaticPolicyProvider implements PolicyProvider {
  constructor(private readonly policy: SignupPolicy) {}
  get(): Promise<SignupPolicy> {
    return Promise.resolve(this.policy);
  }
}
