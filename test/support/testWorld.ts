/**
 * The whole app wired to in-memory fakes with a fixed clock: services exactly as production builds them,
 * only the ports differ (both call `createServices`). `deliverQueues()` plays the part of the queue triggers.
 */
import { InvocationContext } from '@azure/functions';

import { createLogger } from '../../shared/log';
import type {
  AddressStore,
  AuditLog,
  ChallengeLedger,
  PolicyProvider,
  PolicyStore,
  RateLimiter,
  SignupStore,
  Suppressions,
} from '../../shared/ports';
import type { PolicyLists } from '../../shared/domain/policy';
import type { ChallengeMode } from '../../shared/services/challengeService';
import { createServices, type Ports, type Settings } from '../../shared/services/createServices';
import { FakeTenant } from './fakeTenant';
import type { SignupSettings } from '../../shared/services/signupService';
import { QUEUES } from '../../shared/storageNames';
import { someSignupSettings } from './builders';
import {
  CapturingSink,
  emptyPolicy,
  FixedClock,
  FixedPolicy,
  InMemoryAccessStore,
  InMemoryAuditLog,
  InMemoryAddressStore,
  InMemoryChallengeLedger,
  InMemorySuppressions,
  InMemoryPolicyStore,
  InMemoryQueue,
  InMemoryQueueInspector,
  InMemoryRateLimiter,
  InMemorySignupStore,
} from './fakes';
import { InMemoryDirectory } from './inMemoryDirectory';
import { FakeTenantDiscovery, InMemoryGuestLedger } from './inMemoryGuestLedger';

/** The defaults of the lifecycle settings (README): reminders after 3 and 6 days, a year's lifetime. */
export const LIFECYCLE = {
  redeemReminderDays: 3,
  lifetimeDays: 365,
  renewalNoticeDays: 14,
  deleteAfterDisabledDays: 30,
  inactiveDays: 0,
};
import { RecordingEmailSender } from './recordingEmailSender';

/** Groups the test world's provisioner manages (its PARTNER_GROUP_IDS). */
export const PARTNER_GROUP = '11111111-1111-4111-8111-111111111111';
export const OTHER_PARTNER_GROUP = '22222222-2222-4222-8222-222222222222';

export interface WorldOptions {
  settings?: Partial<SignupSettings>;
  signups?: SignupStore;
  addresses?: AddressStore;
  limiter?: RateLimiter;
  audit?: AuditLog;
  /** What start reads; default a `FixedPolicy` the test can change (`world.policy.policy = …`). */
  policy?: PolicyProvider;
  clock?: FixedClock;
  budgetPerMinute?: number;
  budgetPerHour?: number;
  /** Default `off` (CHALLENGE_MODE=off); the challenge tests turn it on with a cheap difficulty. */
  challengeMode?: ChallengeMode;
  /** Spent challenges; default in memory. */
  challengeLedger?: ChallengeLedger;
  /** The suppression list (bounces); default in memory. */
  suppressions?: Suppressions;
}

export function testWorld<A extends AuditLog = InMemoryAuditLog>(options: WorldOptions & { audit?: A } = {}) {
  const clock = options.clock ?? new FixedClock();
  const audit = (options.audit ?? new InMemoryAuditLog()) as A;
  const signups = options.signups ?? new InMemorySignupStore(audit);
  const addresses = options.addresses ?? new InMemoryAddressStore();
  const limiter = options.limiter ?? new InMemoryRateLimiter();
  const queue = new InMemoryQueue();
  const policy = new FixedPolicy(emptyPolicy());
  const sender = new RecordingEmailSender();
  const sink = new CapturingSink();
  const log = createLogger(sink);
  const settings = someSignupSettings({
    emailBudgetPerMinute: options.budgetPerMinute ?? 30,
    emailBudgetPerHour: options.budgetPerHour ?? 100,
    ...options.settings,
  });
  const directory = new InMemoryDirectory({ now: () => clock.now().getTime() });
  const sleeps: number[] = [];
  const ledger = new InMemoryGuestLedger();
  const tenants = new FakeTenantDiscovery();
  const challengeLedger = options.challengeLedger ?? new InMemoryChallengeLedger();
  const access = new InMemoryAccessStore();
  const suppressions = options.suppressions ?? new InMemorySuppressions();
  const ports: Ports = {
    signups,
    addresses,
    limiter,
    queue,
    queues: new InMemoryQueueInspector(),
    policyStore: new InMemoryPolicyStore(),
    audit,
    challenges: challengeLedger,
    suppressions,
    directory,
    accounts: directory,
    ledger,
    tenants,
    traces: directory,
    access,
    sender,
    clock,
    policy: options.policy ?? policy,
    tenant: new FakeTenant(),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
  };
  const servicesSettings = (lists: PolicyLists): Settings => ({
    signup: settings,
    email: {
      ...settings,
      publicBaseUrl: 'https://signup.contoso.example',
      recipientPerMinute: 1,
      recipientPerHour: 5,
      recipientPerDay: 10,
      budgetPerMinute: options.budgetPerMinute ?? 30,
      budgetPerHour: options.budgetPerHour ?? 100,
      domainShare: settings.emailDomainShare,
      retentionDays: 30,
      approvalTtlDays: 7,
      branding: {
        organizationName: 'Contoso',
        accentColor: '#0b5cad',
        supportContact: 'help@contoso.example',
      },
    },
    provisioning: {
      ...settings,
      managedGroupIds: [PARTNER_GROUP, OTHER_PARTNER_GROUP],
      approvalTtlDays: 7,
      inviteRedirectUrl: 'https://signup.contoso.example/',
      signInUrl: 'https://myapplications.microsoft.com',
      graphWritesPerSecond: 20,
      replicationLagBudgetMs: 120_000,
    },
    admin: {
      ...settings,
      ...lists,
      emailBudgetPerMinute: options.budgetPerMinute ?? 30,
      emailBudgetPerHour: options.budgetPerHour ?? 100,
      graphWritesPerSecond: 20,
      managedGroupIds: [PARTNER_GROUP, OTHER_PARTNER_GROUP],
    },
    retention: { finishedDays: 30, auditDays: 180 },
    lifecycle: {
      ...LIFECYCLE,
      publicBaseUrl: 'https://signup.contoso.example',
      inviteRedirectUrl: 'https://signup.contoso.example/',
      graphWritesPerSecond: 20,
      emailBudgetPerMinute: options.budgetPerMinute ?? 30,
      emailBudgetPerHour: options.budgetPerHour ?? 100,
      emailDomainShare: 0.2,
      flowTtlHours: 24,
      defaultLocale: 'en',
      branding: {
        organizationName: 'Contoso',
        accentColor: '#0b5cad',
        supportContact: 'help@contoso.example',
      },
    },
    intents: {
      secret: settings.secret,
      inviteRedirectUrl: 'https://signup.contoso.example/',
      lifecycle: LIFECYCLE,
    },
    bounces: { secret: settings.secret, suppressionDays: 30 },
    readiness: {
      groupIds: ['access-group'],
      emailTransport: 'smtp',
      senderAddress: 'DoNotReply@contoso.example',
      codeHmacSecret: settings.secret,
      guestLifetimeDays: LIFECYCLE.lifetimeDays,
      guestInactiveDays: LIFECYCLE.inactiveDays,
    },
    challenge: {
      mode: options.challengeMode ?? 'off',
      secret: settings.secret,
      baseMaxNumber: 1000,
      startBudget: { perMinute: settings.startBudgetPerMinute, perHour: settings.startBudgetPerHour },
    },
  });
  const noLists: PolicyLists = { organizationDomains: [], allowedDomains: [], blockedDomains: [] };
  const {
    signupService,
    challengeService: challenges,
    emailService,
    provisioningService,
    retentionService,
    approvalService,
    revocationService,
    guestLifecycle,
    bounceService,
  } = createServices(ports, servicesSettings(noLists));

  /**
   * The admin service over this world's stores, with its own policy store and settings-level lists.
   * `onPolicyChanged` stands in for the cache the container's admin service invalidates.
   */
  function makeAdmin(
    admin: { policyStore?: PolicyStore; lists?: PolicyLists; onPolicyChanged?: () => void } = {},
  ) {
    const policyStore = admin.policyStore ?? new InMemoryPolicyStore();
    const queues = new InMemoryQueueInspector();
    const served = options.policy ?? policy;
    const { adminService: service } = createServices(
      {
        ...ports,
        policyStore,
        queues,
        policy: { get: () => served.get(), invalidate: () => admin.onPolicyChanged?.() },
      },
      servicesSettings(admin.lists ?? noLists),
    );
    return { service, policyStore, queues };
  }

  /** Runs every queued provisioning message once, re-queuing deferred ones. */
  async function deliverProvisioning() {
    const outcomes = [];
    for (const { message } of queue.take(QUEUES.provision)) {
      const outcome = await provisioningService.handle(message, log);
      if (outcome.action === 'requeue')
        await queue.send(QUEUES.provision, message, { visibilityDelaySeconds: outcome.delaySeconds });
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** Start → code email → verify: a flow waiting for the provisioner. */
  async function verifiedSignup(email: string, intent?: 'join' | 'leave' | 'reset'): Promise<string> {
    const { signupId } = await signupService.start(
      { email, ip: '203.0.113.50', correlationId: 'c', intent },
      log,
    );
    await deliverEmails();
    await signupService.verify({ signupId, code: latestCode(email), ip: '203.0.113.50' }, log);
    return signupId;
  }

  /** Runs every queued email message once (like the trigger), re-queuing deferred ones. */
  async function deliverEmails(): Promise<void> {
    for (const { message } of queue.take(QUEUES.email)) {
      const outcome = await emailService.handle(message as never, log);
      if (outcome.action === 'requeue')
        await queue.send(QUEUES.email, message, { visibilityDelaySeconds: outcome.delaySeconds });
    }
  }

  /** The 6-digit code in the newest email to `address`. */
  function latestCode(address: string): string {
    const mails = sender.deliveredTo(address);
    const text = mails[mails.length - 1]?.text ?? '';
    const match = /\b(\d{6})\b/.exec(text);
    if (!match?.[1]) throw new Error(`no code email for ${address}`);
    return match[1];
  }

  const context = (functionName = 'test') =>
    new InvocationContext({ functionName, logHandler: (_level, ...args) => sink.log(...args) });

  return {
    clock,
    signups,
    addresses,
    limiter,
    queue,
    policy,
    sender,
    sink,
    audit,
    log,
    settings,
    signupService,
    challenges,
    challengeLedger,
    emailService,
    approvalService,
    revocationService,
    access,
    suppressions,
    bounceService,
    directory,
    sleeps,
    provisioningService,
    retentionService,
    guestLifecycle,
    ledger,
    tenants,
    makeAdmin,
    deliverProvisioning,
    /** Emails, then provisioning, then the emails provisioning queued. */
    deliver: async () => {
      await deliverEmails();
      await deliverProvisioning();
      await deliverEmails();
    },
    verifiedSignup,
    deliverEmails,
    latestCode,
    context,
  };
}
