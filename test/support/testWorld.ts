/**
 * The whole app wired to in-memory fakes with a fixed clock: services exactly as production builds them,
 * only the ports differ. `deliverQueues()` plays the part of the queue triggers.
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
import { makeAdminService } from '../../shared/services/adminService';
import { type ChallengeMode, makeChallengeService } from '../../shared/services/challengeService';
import { makeEmailService } from '../../shared/services/emailService';
import { makeProvisioningService } from '../../shared/services/provisioningService';
import { makeRetentionService } from '../../shared/services/retentionService';
import { makeSignupService, type SignupSettings } from '../../shared/services/signupService';
import { QUEUES } from '../../shared/storageNames';
import { someSignupSettings } from './builders';
import {
  CapturingSink,
  emptyPolicy,
  FixedClock,
  FixedPolicy,
  InMemoryAuditLog,
  InMemoryAddressStore,
  InMemoryChallengeLedger,
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
  /** Default `off` (CHALLENGE_MODE=off); the challenge tests turn it on with a cheap difficulty. */
  challengeMode?: ChallengeMode;
}

/** The settings-level domain lists an admin service reports beside the run-time policy. */
export interface SettingsLists {
  ORGANIZATION_DOMAINS: readonly string[];
  ALLOWED_DOMAINS: readonly string[];
  BLOCKED_DOMAINS: readonly string[];
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
  const settings = someSignupSettings(options.settings);
  const challengeLedger = new InMemoryChallengeLedger();
  const challenges = makeChallengeService({
    ledger: challengeLedger,
    limiter,
    clock,
    settings: {
      mode: options.challengeMode ?? 'off',
      secret: settings.secret,
      baseMaxNumber: 1000,
      startBudget: { perMinute: settings.startBudgetPerMinute, perHour: settings.startBudgetPerHour },
    },
  });
  const signupService = makeSignupService({
    signups,
    addresses,
    limiter,
    queue,
    policy: options.policy ?? policy,
    challenges,
    clock,
    settings,
  });
  const emailService = makeEmailService({
    signups,
    addresses,
    limiter,
    sender,
    clock,
    settings: {
      ...settings,
      publicBaseUrl: 'https://signup.contoso.example',
      recipientPerMinute: 1,
      recipientPerHour: 5,
      recipientPerDay: 10,
      budgetPerMinute: options.budgetPerMinute ?? 30,
      budgetPerHour: options.budgetPerHour ?? 100,
      retentionDays: 30,
      branding: {
        organizationName: 'Contoso',
        accentColor: '#0b5cad',
        supportContact: 'help@contoso.example',
      },
    },
  });

  const directory = new InMemoryDirectory({ now: () => clock.now().getTime() });
  const sleeps: number[] = [];
  const provisioningService = makeProvisioningService({
    signups,
    directory,
    limiter,
    queue,
    audit,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    settings: {
      ...settings,
      accessGroupId: 'access-group',
      inviteRedirectUrl: 'https://signup.contoso.example/',
      signInUrl: 'https://myapplications.microsoft.com',
      graphWritesPerSecond: 20,
      replicationLagBudgetMs: 120_000,
    },
  });

  const retentionService = makeRetentionService({
    signups,
    addresses,
    limiter,
    audit,
    clock,
    settings: { finishedDays: 30, auditDays: 180 },
  });

  /** The admin service over this world's stores, with its own policy store and settings-level lists. */
  function makeAdmin(
    admin: { policyStore?: PolicyStore; lists?: SettingsLists; onPolicyChanged?: () => void } = {},
  ) {
    const lists = admin.lists ?? { ORGANIZATION_DOMAINS: [], ALLOWED_DOMAINS: [], BLOCKED_DOMAINS: [] };
    const policyStore = admin.policyStore ?? new InMemoryPolicyStore();
    const queues = new InMemoryQueueInspector();
    const service = makeAdminService({
      signups,
      addresses,
      limiter,
      queue,
      queues,
      policyStore,
      audit,
      directory,
      clock,
      settings: {
        ...settings,
        organizationDomains: lists.ORGANIZATION_DOMAINS,
        allowedDomains: lists.ALLOWED_DOMAINS,
        blockedDomains: lists.BLOCKED_DOMAINS,
        emailBudgetPerMinute: options.budgetPerMinute ?? 30,
        emailBudgetPerHour: options.budgetPerHour ?? 100,
        graphWritesPerSecond: 20,
      },
      onPolicyChanged: admin.onPolicyChanged,
    });
    return { service, policyStore, queues };
  }

  /** Runs every queued provisioning message once, re-queuing deferred ones. */
  async function deliverProvisioning() {
    const outcomes = [];
    for (const { message } of queue.take(QUEUES.provision)) {
      const outcome = await provisioningService.handle(message as never, log);
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
    challenges,
    challengeLedger,
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
