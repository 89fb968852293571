/**
 * The composition root: `createPorts(config)` builds the adapters, `settingsFromConfig(config)` derives
 * every service's settings once, and `createServices` (shared/services/createServices.ts, also used by the
 * test world over fakes) wires the services. `deps()` does all three once per process, on first use.
 * Only this file reads the config; functions get what they need (proxy hops, CORS origins, the admin role,
 * the landing page) through `deps()`.
 */
// First, for its effect: telemetry starts when the app loads (shared/telemetry/bootstrap.ts).
import './telemetry/bootstrap';
import { AcsEmailSender } from './adapters/acsEmailSender';
import { JoseTokenVerifier } from './adapters/joseTokenVerifier';
import { createAzureCredential, createGraphCredential } from './adapters/credential';
import { GraphDirectory, StaticTokenCredential } from './adapters/graphDirectory';
import { OpenIdTenantDiscovery } from './adapters/openIdTenantDiscovery';
import { GraphTenantInspector } from './adapters/graphTenant';
import { StorageQueueInspector } from './adapters/queueDepth';
import { SmtpEmailSender } from './adapters/smtpEmailSender';
import { createQueueClient, createTableClient, type StorageSettings } from './adapters/storageClients';
import { StorageQueuePublisher } from './adapters/storageQueuePublisher';
import { TableRateLimiter } from './adapters/tableRateLimiter';
import { TableAccessStore } from './adapters/tableAccessStore';
import { TableAuditLog } from './adapters/tableAudit';
import { TableGuestLedger } from './adapters/tableGuestLedger';
import { TableChallengeLedger } from './adapters/tableChallengeLedger';
import { TablePolicyStore } from './adapters/tablePolicyStore';
import { TableSuppressions } from './adapters/tableSuppressions';
import { TableAddressStore, TableSignupStore } from './adapters/tableStores';

import type { LifecycleSettings } from './domain/guestLedger';
import { type AdminAuthenticator, entraAuthenticator, keyAuthenticator } from './adminAuth';
import { type Config, getConfig, signInUrlOf } from './config';
import { CHALLENGE_BASE_MAX_NUMBER } from './domain/admission';
import type { Clock, EmailSender } from './ports';
import { createServices, type Ports, type Settings } from './services/createServices';
import type { EmailSettings } from './services/emailService';
import type { SignupSettings } from './services/signupService';
import { TABLES } from './storageNames';
import { metrics, TracedDirectory, TracedEmailSender, TracedQueuePublisher, tracing } from './telemetry';
import { brandingFromConfig } from './web/branding';
import { makeCspReportHandler } from './web/cspReportHandler';
import { type ConsolePage, consoleSettingsFromConfig, makeConsolePage } from './web/consolePage';
import { type LandingPage, loadLandingPage } from './web/landingPage';

export { createServices, type Ports, type Settings } from './services/createServices';

export const systemClock: Clock = { now: () => new Date() };

export function signupSettings(config: Config): SignupSettings {
  return {
    secret: config.CODE_HMAC_SECRET,
    codeTtlMinutes: config.CODE_TTL_MINUTES,
    codeMaxSubmissions: config.CODE_MAX_SUBMISSIONS,
    flowMaxFailures: config.FLOW_MAX_FAILURES,
    resendCooldownSeconds: config.RESEND_COOLDOWN_SECONDS,
    flowTtlHours: config.FLOW_TTL_HOURS,
    emailBudgetPerMinute: config.EMAIL_BUDGET_PER_MINUTE,
    emailBudgetPerHour: config.EMAIL_BUDGET_PER_HOUR,
    emailDomainShare: config.EMAIL_DOMAIN_SHARE,
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
    domainShare: config.EMAIL_DOMAIN_SHARE,
    retentionDays: config.RETENTION_FINISHED_DAYS,
    approvalTtlDays: config.APPROVAL_TTL_DAYS,
    branding: {
      organizationName: config.BRAND_ORGANIZATION_NAME,
      logoUrl: config.BRAND_LOGO_URL,
      accentColor: config.BRAND_ACCENT_COLOR,
      supportContact: config.SUPPORT_CONTACT,
      privacyUrl: config.PRIVACY_URL,
    },
  };
}

export function lifecycleSettings(config: Config): LifecycleSettings {
  return {
    redeemReminderDays: config.REDEEM_REMINDER_DAYS,
    lifetimeDays: config.GUEST_LIFETIME_DAYS,
    renewalNoticeDays: config.GUEST_RENEWAL_NOTICE_DAYS,
    deleteAfterDisabledDays: config.GUEST_DELETE_AFTER_DISABLED_DAYS,
    inactiveDays: config.GUEST_INACTIVE_DAYS,
  };
}

/** What the HTTP functions read besides their service. */
export interface HttpSettings {
  trustedProxyHops: number;
  corsAllowedOrigins: readonly string[];
}

/** Every setting the services and functions use, derived from the validated config once. */
export function settingsFromConfig(config: Config): Settings & { http: HttpSettings } {
  const signup = signupSettings(config);
  return {
    signup,
    email: emailSettings(config),
    provisioning: {
      ...signup,
      managedGroupIds: config.PARTNER_GROUP_IDS,
      approvalTtlDays: config.APPROVAL_TTL_DAYS,
      organizationName: config.BRAND_ORGANIZATION_NAME,
      inviteRedirectUrl: config.INVITE_REDIRECT_URL,
      signInUrl: signInUrlOf(config),
      graphWritesPerSecond: config.GRAPH_WRITES_PER_SECOND,
      replicationLagBudgetMs: 120_000,
    },
    admin: {
      ...signup,
      organizationDomains: config.ORGANIZATION_DOMAINS,
      allowedDomains: config.ALLOWED_DOMAINS,
      blockedDomains: config.BLOCKED_DOMAINS,
      emailBudgetPerMinute: config.EMAIL_BUDGET_PER_MINUTE,
      emailBudgetPerHour: config.EMAIL_BUDGET_PER_HOUR,
      graphWritesPerSecond: config.GRAPH_WRITES_PER_SECOND,
      managedGroupIds: config.PARTNER_GROUP_IDS,
    },
    bounces: { secret: config.CODE_HMAC_SECRET, suppressionDays: config.EMAIL_SUPPRESSION_DAYS },
    retention: { finishedDays: config.RETENTION_FINISHED_DAYS, auditDays: config.RETENTION_AUDIT_DAYS },
    lifecycle: {
      ...lifecycleSettings(config),
      publicBaseUrl: config.PUBLIC_BASE_URL,
      inviteRedirectUrl: config.INVITE_REDIRECT_URL,
      graphWritesPerSecond: config.GRAPH_WRITES_PER_SECOND,
      emailBudgetPerMinute: config.EMAIL_BUDGET_PER_MINUTE,
      emailBudgetPerHour: config.EMAIL_BUDGET_PER_HOUR,
      emailDomainShare: config.EMAIL_DOMAIN_SHARE,
      flowTtlHours: config.FLOW_TTL_HOURS,
      defaultLocale: config.DEFAULT_LOCALE,
      branding: emailSettings(config).branding,
    },
    intents: {
      secret: config.CODE_HMAC_SECRET,
      inviteRedirectUrl: config.INVITE_REDIRECT_URL,
      lifecycle: lifecycleSettings(config),
    },
    readiness: {
      groupIds: config.PARTNER_GROUP_IDS,
      emailTransport: config.EMAIL_TRANSPORT,
      senderAddress: config.EMAIL_SENDER_ADDRESS,
      codeHmacSecret: config.CODE_HMAC_SECRET,
      guestLifetimeDays: config.GUEST_LIFETIME_DAYS,
      guestInactiveDays: config.GUEST_INACTIVE_DAYS,
    },
    challenge: {
      mode: config.CHALLENGE_MODE,
      secret: config.CODE_HMAC_SECRET,
      baseMaxNumber: CHALLENGE_BASE_MAX_NUMBER,
      startBudget: { perMinute: config.START_BUDGET_PER_MINUTE, perHour: config.START_BUDGET_PER_HOUR },
    },
    http: {
      trustedProxyHops: config.TRUSTED_PROXY_HOPS,
      corsAllowedOrigins: config.CORS_ALLOWED_ORIGINS,
    },
  };
}

function createEmailSender(
  config: Config,
  credential: () => ReturnType<typeof createAzureCredential>,
): EmailSender {
  if (config.EMAIL_TRANSPORT === 'smtp') {
    const smtp = new SmtpEmailSender({
      host: config.SMTP_HOST,
      port: config.SMTP_PORT,
      secure: config.SMTP_SECURE,
      requireTLS: config.SMTP_REQUIRE_TLS,
      auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } : undefined,
      senderAddress: config.EMAIL_SENDER_ADDRESS,
    });
    return new TracedEmailSender(smtp, tracing, 'smtp');
  }
  // ACS calls also get the Azure SDK's own HTTP spans once telemetry is on; SMTP has only this one.
  return new TracedEmailSender(acsSender(config, credential), tracing, 'acs');
}

function acsSender(config: Config, credential: () => ReturnType<typeof createAzureCredential>): EmailSender {
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

/** The adapters over Azure (or the local emulators the config points at). Builds clients, opens nothing. */
export function createPorts(config: Config): Ports & { checkStorage(): Promise<void> } {
  const storage: StorageSettings = {
    connectionString: config.AzureWebJobsStorage,
    tableServiceUri: config.AzureWebJobsStorage__tableServiceUri,
    queueServiceUri: config.AzureWebJobsStorage__queueServiceUri,
  };
  let azureCredential: ReturnType<typeof createAzureCredential> | undefined;
  const credential = () => (azureCredential ??= createAzureCredential(config.AzureWebJobsStorage__clientId));
  if (!storage.connectionString) storage.credential = credential();
  const table = (name: string) => createTableClient(storage, name);
  const queueClients = new Map<string, ReturnType<typeof createQueueClient>>();
  const queueClient = (name: string) => {
    let client = queueClients.get(name);
    if (!client) queueClients.set(name, (client = createQueueClient(storage, name)));
    return client;
  };
  const signups = new TableSignupStore(table(TABLES.signups));
  const graph = new GraphDirectory({
    baseUrl: config.GRAPH_BASE_URL,
    credential: config.GRAPH_STATIC_TOKEN
      ? new StaticTokenCredential(config.GRAPH_STATIC_TOKEN)
      : createGraphCredential(config.GRAPH_CLIENT_ID, credential),
    onAttempt: (attempt) => metrics.count('graph.requests', { status: attempt.status }),
  });
  return {
    signups,
    addresses: new TableAddressStore(table(TABLES.addresses)),
    limiter: new TableRateLimiter(table(TABLES.rateLimits)),
    // Every send carries the active trace context inside the message (shared/telemetry/traced.ts).
    queue: new TracedQueuePublisher(new StorageQueuePublisher(queueClient), tracing),
    queues: new StorageQueueInspector(queueClient),
    policyStore: new TablePolicyStore(table(TABLES.policy)),
    audit: new TableAuditLog(table(TABLES.audit), table(TABLES.signups)),
    challenges: new TableChallengeLedger(table(TABLES.challenges)),
    suppressions: new TableSuppressions(table(TABLES.suppressions)),
    directory: new TracedDirectory(graph, tracing),
    accounts: graph,
    ledger: new TableGuestLedger(table(TABLES.guests)),
    tenants: new OpenIdTenantDiscovery({ baseUrl: config.LOGIN_BASE_URL }),
    traces: graph,
    tenant: new GraphTenantInspector(graph),
    // Revocations and created-guest records live in the policy table (their own partitions).
    access: new TableAccessStore(table(TABLES.policy)),
    sender: createEmailSender(config, credential),
    clock: systemClock,
    metrics,
    tracing,
    /** Storage is reachable when a point read answers (404 included). */
    checkStorage: async () => {
      await signups.get('health-probe-000000000000');
    },
  };
}

/** ADMIN_AUTH=entra: tokens checked against the authority's keys; key: the host checked the function key. */
export function createAdminAuthenticator(config: Config): AdminAuthenticator {
  if (config.ADMIN_AUTH === 'key') return keyAuthenticator;
  return entraAuthenticator(
    new JoseTokenVerifier({
      authority: config.ADMIN_AUTHORITY ?? '',
      audiences: [config.ADMIN_AUDIENCE, config.ADMIN_CLIENT_ID].filter((a): a is string => !!a),
    }),
  );
}

function build() {
  const config = getConfig();
  const ports = createPorts(config);
  const settings = settingsFromConfig(config);
  let landing: LandingPage | undefined;
  let adminConsole: ConsolePage | undefined;
  const landingPage = () =>
    (landing ??= loadLandingPage({
      branding: brandingFromConfig(config),
      defaultLocale: config.DEFAULT_LOCALE,
    }));
  return {
    ...ports,
    ...createServices(ports, settings),
    http: settings.http,
    adminAuth: createAdminAuthenticator(config),
    /** Built on first request: reads dist/web once. */
    landingPage,
    consolePage: () =>
      (adminConsole ??= makeConsolePage(landingPage().assets, consoleSettingsFromConfig(config))),
    cspReports: makeCspReportHandler(),
  };
}

export type Deps = ReturnType<typeof build>;
let built: Deps | undefined;

/** The process-wide dependencies, built on first use (never at module load, so cold start stays cheap). */
export function deps(): Deps {
  built ??= build();
  return built;
}
