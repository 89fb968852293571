/**
 * The whole app wired to in-memory fakes with a fixed clock: services exactly as production builds them,
 * only the ports differ (both call `createServices`). `deliverQueues()` plays the part of the queue triggers.
 */
import { InvocationContext } from '@azure/functions';

import { createLogger } from '../../shared/log';
import type {
  AddressStore,
  AuditLog,
  PolicyProvider,
  PolicyStore,
  RateLimiter,
  SignupStore,
} from '../../shared/ports';
import type { PolicyLists } from '../../shared/domain/policy';
import { createServices, type Ports, type Settings } from '../../shared/services/createServices';
import type { SignupSettings } from '../../shared/services/signupService';
import { QUEUES } from '../../shared/storageNames';
import { someSignupSettings } from './builders';
import {
  CapturingSink,
  emptyPolicy,
  FixedClock,
  FixedPolicy,
  InMemoryAuditLog,
  InMemoryAddressStore,
  InMemoryPolicyStore,
  InMemoryQueue,
  InMemoryQueueInspector,
  InMemoryRateLimiter,
  InMemorySignupStore,
} from './fakes';
import { InMemoryDirectory } from './inMemoryDirectory';
import { RecordingEmailSender } from './recordingEmailSender';

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
  const ports: Ports = {
    signups,
    addresses,
    limiter,
    queue,
    queues: new InMemoryQueueInspector(),
    policyStore: new InMemoryPolicyStore(),
    audit,
    directory,
    sender,
    clock,
    policy: options.policy ?? policy,
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
      branding: {
        organizationName: 'Contoso',
        accentColor: '#0b5cad',
        supportContact: 'help@contoso.example',
      },
    },
    provisioning: {
      ...settings,
      accessGroupId: 'access-group',
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
    },
    retention: { finishedDays: 30, auditDays: 180 },
  });
  const noLists: PolicyLists = { organizationDomains: [], allowedDomains: [], blockedDomains: [] };
  const { signupService, emailService, provisioningService, retentionService } = createServices(
    ports,
    servicesSettings(noLists),
  );

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
  async function verifiedSignup(email: string): Promise<string> {
    const { signupId } = await signupService.start({ email, ip: '203.0.113.50', correlationId: 'c' }, log);
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
    emailService,
    directory,
    sleeps,
    provisioningService,
    retentionService,
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
