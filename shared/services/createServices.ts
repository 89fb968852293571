/**
 * The one wiring of services from ports and settings. Production calls it from the container over Azure
 * adapters; the test world calls it over in-memory fakes, so tests exercise the services as production
 * builds them. Pure wiring: no config, no adapters, no I/O.
 */
import type {
  AccessStore,
  AddressStore,
  AuditLog,
  ChallengeLedger,
  Clock,
  Directory,
  EmailSender,
  GuestAccounts,
  GuestLedgerStore,
  Metrics,
  MessageTraces,
  PolicyProvider,
  PolicyStore,
  QueueInspector,
  QueuePublisher,
  RateLimiter,
  SignupStore,
  Suppressions,
  TenantDiscovery,
  TenantInspector,
  Tracing,
} from '../ports';
import { noMetrics, noTracing } from '../telemetry/noop';
import type { AdminSettings } from './adminDeps';
import { makeAdminService } from './adminService';
import { makeApprovalService } from './approvalService';
import { type BounceSettings, makeBounceService } from './bounceService';
import { type ChallengeSettings, makeChallengeService } from './challengeService';
import { type EmailSettings, makeEmailService } from './emailService';
import { makeGraphBudget } from './graphBudget';
import { makeMarkUndeliverable } from './undeliverableFlow';
import { type GuestIntentSettings, makeGuestIntents } from './guestIntents';
import { type GuestLifecycleSettings, makeGuestLifecycle } from './guestLifecycle';
import { CachedPolicyProvider } from './policy';
import { registerOperationalGauges } from './operationalGauges';
import { makeProvisioningService, type ProvisioningSettings } from './provisioningService';
import { makeReadinessService, type ReadinessSettings } from './readinessService';
import { makeRetentionService, type RetentionSettings } from './retentionService';
import { makeRevocationService } from './revocationService';
import { makeSignupService, type SignupSettings } from './signupService';

export interface Ports {
  signups: SignupStore;
  addresses: AddressStore;
  limiter: RateLimiter;
  queue: QueuePublisher;
  queues: QueueInspector;
  policyStore: PolicyStore;
  audit: AuditLog;
  /** Spent proof-of-work solutions (shared by every instance). */
  challenges: ChallengeLedger;
  /** Addresses that bounced: no code emails to them for EMAIL_SUPPRESSION_DAYS. */
  suppressions: Suppressions;
  directory: Directory;
  /** Lifecycle operations on guest accounts (the Graph adapter implements both). */
  accounts: GuestAccounts;
  /** The ledger of guests this service created. */
  ledger: GuestLedgerStore;
  tenants: TenantDiscovery;
  /** Exchange message traces (proof of send); the Graph adapter implements it beside `Directory`. */
  traces: MessageTraces;
  /** Revocations and the guests this service created. */
  access: AccessStore;
  sender: EmailSender;
  clock: Clock;
  /**
   * The policy start reads. Default: the policy store through a 5 s per-instance cache, which the admin
   * service invalidates after this instance saves a policy. Tests pin one here.
   */
  policy?: PolicyProvider & { invalidate?(): void };
  /** How the provisioner waits in process (tests advance a fixed clock instead). */
  sleep?: (ms: number) => Promise<void>;
  /** The tenant's B2B settings, for the readiness check. */
  tenant: TenantInspector;
  /** Counters and gauges (OpenTelemetry in production); default: none. */
  metrics?: Metrics;
  /** Spans; default: none. */
  tracing?: Tracing;
}

/** Every service's settings, derived from config once (`settingsFromConfig` in the container). */
export interface Settings {
  signup: SignupSettings;
  email: EmailSettings;
  provisioning: ProvisioningSettings;
  /** Also holds the settings-level domain lists the policy provider layers the stored policy on. */
  admin: AdminSettings;
  retention: RetentionSettings;
  lifecycle: GuestLifecycleSettings;
  bounces: BounceSettings;
  intents: GuestIntentSettings;
  readiness: ReadinessSettings;
  challenge: ChallengeSettings;
}

export function createServices(ports: Ports, settings: Settings) {
  const { signups, addresses, limiter, queue, audit, directory, clock, access } = ports;
  const policy = ports.policy ?? new CachedPolicyProvider(ports.policyStore, settings.admin, clock);
  const intents = makeGuestIntents({
    ledger: ports.ledger,
    accounts: ports.accounts,
    directory,
    signups,
    addresses,
    audit,
    tenants: ports.tenants,
    policy,
    budget: makeGraphBudget({
      limiter,
      clock,
      perSecond: settings.provisioning.graphWritesPerSecond,
      sleep: ports.sleep,
    }),
    clock,
    settings: settings.intents,
  });
  const metrics = ports.metrics ?? noMetrics;
  const tracing = ports.tracing ?? noTracing;
  registerOperationalGauges(metrics, { limiter, queues: ports.queues, clock, settings: settings.admin });
  const managedGroupIds = settings.provisioning.managedGroupIds;
  /** Managed partner groups that do not exist (asked once at first use, and by the readiness check). */
  const missingManagedGroups = async () => {
    const missing: string[] = [];
    for (const id of managedGroupIds) if (!(await directory.groupExists(id))) missing.push(id);
    return missing;
  };
  const bounceService = makeBounceService({
    suppressions: ports.suppressions,
    limiter,
    clock,
    settings: settings.bounces,
    metrics,
    markUndeliverable: makeMarkUndeliverable({ signups, addresses, clock, limits: settings.email }),
  });
  const challengeService = makeChallengeService({
    ledger: ports.challenges,
    limiter,
    clock,
    settings: settings.challenge,
  });
  return {
    missingManagedGroups,
    policy,
    challengeService,
    bounceService,
    signupService: makeSignupService({
      signups,
      addresses,
      limiter,
      queue,
      policy,
      challenges: challengeService,
      clock,
      settings: settings.signup,
      metrics,
      tracing,
    }),
    emailService: makeEmailService({
      signups,
      addresses,
      limiter,
      clock,
      policy,
      sender: ports.sender,
      settings: settings.email,
      metrics,
      bounces: bounceService,
    }),
    provisioningService: makeProvisioningService({
      signups,
      directory,
      traces: ports.traces,
      access,
      policy,
      missingManagedGroups,
      limiter,
      queue,
      audit,
      clock,
      sleep: ports.sleep,
      settings: settings.provisioning,
      intents,
      metrics,
    }),
    guestLifecycle: makeGuestLifecycle({
      ledger: ports.ledger,
      accounts: ports.accounts,
      directory,
      limiter,
      sender: ports.sender,
      audit,
      clock,
      sleep: ports.sleep,
      settings: settings.lifecycle,
    }),
    adminService: makeAdminService({
      signups,
      addresses,
      limiter,
      queue,
      queues: ports.queues,
      policyStore: ports.policyStore,
      audit,
      directory,
      ledger: ports.ledger,
      accounts: ports.accounts,
      clock,
      settings: settings.admin,
      bounces: bounceService,
      // This instance serves the new policy at once; the others within the provider's 5 s cache.
      onPolicyChanged: () => policy.invalidate?.(),
    }),
    readinessService: makeReadinessService({ tenant: ports.tenant, policy, settings: settings.readiness }),
    retentionService: makeRetentionService({
      signups,
      addresses,
      limiter,
      audit,
      ledger: ports.ledger,
      challenges: ports.challenges,
      suppressions: ports.suppressions,
      clock,
      settings: settings.retention,
    }),
    approvalService: makeApprovalService({ signups, queue, clock, settings: settings.signup }),
    revocationService: makeRevocationService({
      access,
      directory,
      audit,
      clock,
      settings: { secret: settings.signup.secret, managedGroupIds },
      ledger: ports.ledger,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
