/**
 * The composition root: builds every adapter once per process, on first use, from the validated config.
 * Function files import `deps()`; tests build services from fakes instead.
 */
import { AcsEmailSender } from './adapters/acsEmailSender';
import { createAzureCredential } from './adapters/credential';
import { GraphDirectory, StaticTokenCredential } from './adapters/graphDirectory';
import { StorageQueueInspector } from './adapters/queueDepth';
import { SmtpEmailSender } from './adapters/smtpEmailSender';
import { createQueueClient, createTableClient, type StorageSettings } from './adapters/storageClients';
import { StorageQueuePublisher } from './adapters/storageQueuePublisher';
import { TableRateLimiter } from './adapters/tableRateLimiter';
import { TableAuditLog } from './adapters/tableAudit';
import { TableChallengeLedger } from './adapters/tableChallengeLedger';
import { TablePolicyStore } from './adapters/tablePolicyStore';
import { TableAddressStore, TableSignupStore } from './adapters/tableStores';
import { type Config, getConfig } from './config';
import type { Clock, EmailSender } from './ports';
import { CHALLENGE_BASE_MAX_NUMBER } from './domain/admission';
import { makeAdminService } from './services/adminService';
import { makeChallengeService } from './services/challengeService';
import { type EmailSettings, makeEmailService } from './services/emailService';
import { makeProvisioningService } from './services/provisioningService';
import { CachedPolicyProvider } from './services/policy';
import { makeRetentionService } from './services/retentionService';
import { makeSignupService, type SignupSettings } from './services/signupService';
import { TABLES } from './storageNames';

export const systemClock: Clock = { now: () => new Date() };

export function signupSettings(config: Config): SignupSettings {
  return {
    secret: config.CODE_HMAC_SECRET,
    codeTtlMinutes: config.CODE_TTL_MINUTES,
    codeMaxSubmissions: config.CODE_MAX_SUBMISSIONS,
    flowMaxFailures: config.FLOW_MAX_FAILURES,
    resendCooldownSeconds: config.RESEND_COOLDOWN_SECONDS,
    flowTtlHours: config.FLOW_TTL_HOURS,
    ipStartsPerMinute: config.IP_STARTS_PER_MINUTE,
    ipStartsPerHour: config.IP_STARTS_PER_HOUR,
    ipVerifiesPerMinute: config.IP_VERIFIES_PER_MINUTE,
    startBudgetPerMinute: config.START_BUDGET_PER_MINUTE,
    startBudgetPerHour: config.START_BUDGET_PER_HOUR,
    defaultLocale: config.DEFAULT_LOCALE,
    supportContact: config.SUPPORT_CONTACT,
    organizationName: config.BRAND_ORGANIZATION_NAME,
  };
}

export function emailSettings(config: Config): EmailSettings {
  return {
    ...signupSettings(config),
    publicBaseUrl: config.PUBLIC_BASE_URL,
    recipientPerMinute: config.RECIPIENT_EMAILS_PER_MINUTE,
    recipientPerHour: config.RECIPIENT_EMAILS_PER_HOUR,
    recipientPerDay: config.RECIPIENT_EMAILS_PER_DAY,
    budgetPerMinute: config.EMAIL_BUDGET_PER_MINUTE,
    budgetPerHour: config.EMAIL_BUDGET_PER_HOUR,
    retentionDays: config.RETENTION_FINISHED_DAYS,
    branding: {
      organizationName: config.BRAND_ORGANIZATION_NAME,
      logoUrl: config.BRAND_LOGO_URL,
      accentColor: config.BRAND_ACCENT_COLOR,
      supportContact: config.SUPPORT_CONTACT,
      privacyUrl: config.PRIVACY_URL,
    },
  };
}

function createEmailSender(
  config: Config,
  credential: () => ReturnType<typeof createAzureCredential>,
): EmailSender {
  if (config.EMAIL_TRANSPORT === 'smtp') {
    return new SmtpEmailSender({
      host: config.SMTP_HOST,
      port: config.SMTP_PORT,
      secure: config.SMTP_SECURE,
      requireTLS: config.SMTP_REQUIRE_TLS,
      auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } : undefined,
      senderAddress: config.EMAIL_SENDER_ADDRESS,
    });
  }
  return config.ACS_ENDPOINT
    ? new AcsEmailSender({
        endpoint: config.ACS_ENDPOINT,
        credential: credential(),
        senderAddress: config.EMAIL_SENDER_ADDRESS,
      })
    : new AcsEmailSender({
        connectionString: config.ACS_CONNECTION_STRING ?? '',
        senderAddress: config.EMAIL_SENDER_ADDRESS,
      });
}

function build() {
  const config = getConfig();
  const storage: StorageSettings = {
    connectionString: config.AzureWebJobsStorage,
    tableServiceUri: config.AzureWebJobsStorage__tableServiceUri,
    queueServiceUri: config.AzureWebJobsStorage__queueServiceUri,
  };
  let azureCredential: ReturnType<typeof createAzureCredential> | undefined;
  const credential = () => (azureCredential ??= createAzureCredential(config.AzureWebJobsStorage__clientId));
  if (!storage.connectionString) storage.credential = credential();
  const table = (name: string) => createTableClient(storage, name);

  const signups = new TableSignupStore(table(TABLES.signups));
  const addresses = new TableAddressStore(table(TABLES.addresses));
  const limiter = new TableRateLimiter(table(TABLES.rateLimits));
  const queueClients = new Map<string, ReturnType<typeof createQueueClient>>();
  const queueClient = (name: string) => {
    let client = queueClients.get(name);
    if (!client) queueClients.set(name, (client = createQueueClient(storage, name)));
    return client;
  };
  const queue = new StorageQueuePublisher(queueClient);
  const clock = systemClock;
  const policyStore = new TablePolicyStore(table(TABLES.policy));
  const policy = new CachedPolicyProvider(policyStore, config, clock);
  const auditLog = new TableAuditLog(table(TABLES.audit), table(TABLES.signups));

  const limits = signupSettings(config);
  const challengeLedger = new TableChallengeLedger(table(TABLES.challenges));
  const challengeService = makeChallengeService({
    ledger: challengeLedger,
    limiter,
    clock,
    settings: {
      mode: config.CHALLENGE_MODE,
      secret: config.CODE_HMAC_SECRET,
      baseMaxNumber: CHALLENGE_BASE_MAX_NUMBER,
      startBudget: { perMinute: config.START_BUDGET_PER_MINUTE, perHour: config.START_BUDGET_PER_HOUR },
    },
  });
  const signupService = makeSignupService({
    signups,
    addresses,
    limiter,
    queue,
    policy,
    challenges: challengeService,
    clock,
    settings: limits,
  });

  const emailService = makeEmailService({
    signups,
    addresses,
    limiter,
    clock,
    sender: createEmailSender(config, credential),
    settings: emailSettings(config),
  });

  const directory = new GraphDirectory({
    baseUrl: config.GRAPH_BASE_URL,
    credential: config.GRAPH_STATIC_TOKEN
      ? new StaticTokenCredential(config.GRAPH_STATIC_TOKEN)
      : credential(),
  });
  const provisioningService = makeProvisioningService({
    signups,
    directory,
    limiter,
    queue,
    audit: auditLog,
    clock,
    settings: {
      ...limits,
      accessGroupId: config.GRAPH_ACCESS_GROUP_ID,
      inviteRedirectUrl: config.INVITE_REDIRECT_URL,
      signInUrl: config.SIGN_IN_URL,
      graphWritesPerSecond: config.GRAPH_WRITES_PER_SECOND,
      replicationLagBudgetMs: 120_000,
    },
  });

  return {
    config,
    emailService,
    provisioningService,
    directory,
    clock,
    signups,
    addresses,
    limiter,
    queue,
    policy,
    policyStore,
    auditLog,
    signupService,
    challengeService,
    adminService: makeAdminService({
      signups,
      addresses,
      limiter,
      queue,
      queues: new StorageQueueInspector(queueClient),
      policyStore,
      audit: auditLog,
      directory,
      clock,
      settings: {
        ...limits,
        secret: config.CODE_HMAC_SECRET,
        organizationDomains: config.ORGANIZATION_DOMAINS,
        allowedDomains: config.ALLOWED_DOMAINS,
        blockedDomains: config.BLOCKED_DOMAINS,
        emailBudgetPerMinute: config.EMAIL_BUDGET_PER_MINUTE,
        emailBudgetPerHour: config.EMAIL_BUDGET_PER_HOUR,
        graphWritesPerSecond: config.GRAPH_WRITES_PER_SECOND,
      },
      // This instance serves the new policy at once; the others within the provider's 5 s cache.
      onPolicyChanged: () => policy.invalidate(),
    }),
    retentionService: makeRetentionService({
      signups,
      addresses,
      limiter,
      audit: auditLog,
      challenges: challengeLedger,
      clock,
      settings: { finishedDays: config.RETENTION_FINISHED_DAYS, auditDays: config.RETENTION_AUDIT_DAYS },
    }),
    /** Storage is reachable when a point read answers (404 included). */
    checkStorage: async () => {
      await signups.get('health-probe-000000000000');
    },
  };
}

export type Deps = ReturnType<typeof build>;
let built: Deps | undefined;

/** The process-wide dependencies, built on first use (never at module load, so cold start stays cheap). */
export function deps(): Deps {
  built ??= build();
  return built;
}
