/**
 * The composition root: builds every adapter once per process, on first use, from the validated config.
 * Function files import `deps()`; tests build services from fakes instead.
 */
import { createAzureCredential } from './adapters/credential';
import { createQueueClient, createTableClient, type StorageSettings } from './adapters/storageClients';
import { StorageQueuePublisher } from './adapters/storageQueuePublisher';
import { TableRateLimiter } from './adapters/tableRateLimiter';
import { TableAddressStore, TableSignupStore } from './adapters/tableStores';
import { type Config, getConfig } from './config';
import type { Clock } from './ports';
import { policyFromConfig, StaticPolicyProvider } from './services/policy';
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
    defaultLocale: config.DEFAULT_LOCALE,
    supportContact: config.SUPPORT_CONTACT,
  };
}

function build() {
  const config = getConfig();
  const storage: StorageSettings = {
    connectionString: config.AzureWebJobsStorage,
    tableServiceUri: config.AzureWebJobsStorage__tableServiceUri,
    queueServiceUri: config.AzureWebJobsStorage__queueServiceUri,
  };
  if (!storage.connectionString) storage.credential = createAzureCredential(config.AzureWebJobsStorage__clientId);
  const table = (name: string) => createTableClient(storage, name);

  const signups = new TableSignupStore(table(TABLES.signups));
  const addresses = new TableAddressStore(table(TABLES.addresses));
  const limiter = new TableRateLimiter(table(TABLES.rateLimits));
  const queue = new StorageQueuePublisher((name) => createQueueClient(storage, name));
  const policy = new StaticPolicyProvider(policyFromConfig(config));
  const clock = systemClock;

  const signupService = makeSignupService({
    signups,
    addresses,
    limiter,
    queue,
    policy,
    clock,
    settings: signupSettings(config),
  });

  return {
    config,
    clock,
    signups,
    addresses,
    limiter,
    queue,
    policy,
    signupService,
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
