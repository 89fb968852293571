import { z } from 'zod';

import { OBJECT_ID } from './domain/accessPolicy';
import { normalizeDomain } from './domain/domainPolicy';

/**
 * Every setting the app reads, in one place. The README table, local.settings.example.json and the Bicep
 * app settings are all checked against this list by tests, so adding a key here is the only way in.
 */

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0),
);
const httpUrl = z.url({ protocol: /^https?$/ });

interface Setting {
  schema: z.ZodType;
  description: string;
  /** Used when the variable is absent. `undefined` means required (or optional when `optional`). */
  default?: string;
  optional?: boolean;
  secret?: boolean;
  /** `azure` settings are set by infra/; `local` settings only matter on a developer machine. */
  scope?: 'all' | 'azure' | 'local';
}

export const SETTINGS = {
  AzureWebJobsStorage: {
    schema: z.string().min(1),
    optional: true,
    secret: true,
    scope: 'local',
    description:
      'Storage connection string (Azurite locally). In Azure leave it unset and use the identity-based `AzureWebJobsStorage__*` settings.',
  },
  AzureWebJobsStorage__tableServiceUri: {
    schema: httpUrl,
    optional: true,
    scope: 'azure',
    description: 'Table service URI for identity-based storage access (managed identity).',
  },
  AzureWebJobsStorage__queueServiceUri: {
    schema: httpUrl,
    optional: true,
    scope: 'azure',
    description: 'Queue service URI for identity-based storage access (managed identity).',
  },
  AzureWebJobsStorage__clientId: {
    schema: z.string().min(1),
    optional: true,
    scope: 'azure',
    description:
      'Client id of the user-assigned managed identity used for storage and ACS (and Graph when GRAPH_CLIENT_ID is unset).',
  },
  PUBLIC_BASE_URL: {
    schema: httpUrl,
    default: 'http://127.0.0.1:7071',
    description:
      'Public origin of the landing page. Email links are built from it, never from request headers.',
  },
  CODE_HMAC_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters'),
    secret: true,
    description:
      'Key for HMAC-SHA-256 of codes and address hashes (a Key Vault reference in Azure). At least 32 characters.',
  },
  CODE_TTL_MINUTES: {
    schema: int(1, 1440),
    default: '10',
    description: 'Lifetime of a verification code in minutes (1–1440).',
  },
  CODE_MAX_SUBMISSIONS: {
    schema: int(1, 10),
    default: '5',
    description: 'Submissions allowed per code, counted before comparing.',
  },
  FLOW_MAX_FAILURES: {
    schema: int(1, 100),
    default: '10',
    description: 'Failed submissions across all codes of a flow before it is locked.',
  },
  FLOW_TTL_HOURS: {
    schema: int(1, 168),
    default: '24',
    description: 'A sign-up not verified within this many hours expires.',
  },
  RESEND_COOLDOWN_SECONDS: {
    schema: int(0, 3600),
    default: '60',
    description: 'Minimum seconds between two codes for one sign-up.',
  },
  RECIPIENT_EMAILS_PER_MINUTE: {
    schema: int(1, 100),
    default: '1',
    description: 'Code emails per recipient address per minute.',
  },
  RECIPIENT_EMAILS_PER_HOUR: {
    schema: int(1, 1000),
    default: '5',
    description: 'Code emails per recipient address per hour.',
  },
  RECIPIENT_EMAILS_PER_DAY: {
    schema: int(1, 10000),
    default: '10',
    description: 'Code emails per recipient address per day.',
  },
  EMAIL_SUPPRESSION_DAYS: {
    schema: int(1, 365),
    default: '30',
    description:
      'How long an address that bounced (ACS delivery report) or was refused by the SMTP relay (5xx) gets no code emails.',
  },
  IP_STARTS_PER_MINUTE: {
    schema: int(1, 100000),
    default: '10',
    description: 'Sign-up starts per client IP per minute.',
  },
  IP_STARTS_PER_HOUR: {
    schema: int(1, 1000000),
    default: '50',
    description: 'Sign-up starts per client IP per hour.',
  },
  IP_VERIFIES_PER_MINUTE: {
    schema: int(1, 100000),
    default: '30',
    description: 'Code submissions per client IP per minute.',
  },
  CHALLENGE_MODE: {
    schema: z.enum(['altcha', 'off']),
    default: 'altcha',
    description:
      '`altcha`: start and resend need a solved proof-of-work challenge from `GET /api/challenge` (the page solves it in a worker). `off`: no challenge (tests).',
  },
  START_BUDGET_PER_MINUTE: {
    schema: int(1, 100000),
    default: '20',
    description:
      'Global sign-up starts admitted per minute across all instances; more are shed with 503 `busy`. Keep it below EMAIL_BUDGET_PER_MINUTE.',
  },
  START_BUDGET_PER_HOUR: {
    schema: int(1, 1000000),
    default: '66',
    description:
      'Global sign-up starts admitted per hour across all instances; more are shed with 503 `busy`. Keep it below EMAIL_BUDGET_PER_HOUR.',
  },
  TRUSTED_PROXY_HOPS: {
    schema: int(0, 10),
    default: '0',
    description:
      'How many proxies in front of the app append to `X-Forwarded-For`. 0 ignores the header (local); 1 on Azure Functions.',
  },
  CORS_ALLOWED_ORIGINS: {
    schema: list,
    default: '',
    description: 'Comma-separated origins allowed to call the API from a browser. Empty: same origin only.',
  },
  ORGANIZATION_DOMAINS: {
    schema: list,
    default: '',
    description:
      "The organisation's own verified domains; their users are told to sign in with their organisation account.",
  },
  ALLOWED_DOMAINS: {
    schema: list,
    default: '',
    description: 'If set, only these domains (and their subdomains) may sign up.',
  },
  BLOCKED_DOMAINS: {
    schema: list,
    default: '',
    description:
      'Domains (and their subdomains) refused in addition to the built-in consumer and disposable lists.',
  },
  DEFAULT_LOCALE: {
    schema: z.enum(['en', 'de', 'fr', 'es', 'nl', 'ja', 'ar']),
    default: 'en',
    description: 'Language used when neither the page nor the browser names a supported one.',
  },
  EMAIL_TRANSPORT: {
    schema: z.enum(['acs', 'smtp']),
    default: 'acs',
    description: '`acs` (Azure Communication Services Email) or `smtp`.',
  },
  EMAIL_SENDER_ADDRESS: {
    schema: z.email(),
    default: 'DoNotReply@rms-signup.localhost',
    description: 'From address (for ACS, a sender username of a linked domain).',
  },
  ACS_ENDPOINT: {
    schema: httpUrl,
    optional: true,
    description: 'ACS endpoint, e.g. `https://<name>.communication.azure.com` (managed identity).',
  },
  ACS_CONNECTION_STRING: {
    schema: z.string().min(1),
    optional: true,
    secret: true,
    description: 'ACS connection string; a fallback when managed identity cannot be used.',
  },
  SMTP_HOST: { schema: z.string().min(1), default: '127.0.0.1', description: 'SMTP relay host.' },
  SMTP_PORT: { schema: int(1, 65535), default: '1025', description: 'SMTP relay port.' },
  SMTP_SECURE: { schema: bool, default: 'false', description: 'Implicit TLS (usually port 465).' },
  SMTP_REQUIRE_TLS: {
    schema: bool,
    default: 'false',
    description: 'Refuse to send unless STARTTLS succeeds.',
  },
  SMTP_USER: { schema: z.string(), optional: true, description: 'SMTP user name, if the relay needs one.' },
  SMTP_PASSWORD: { schema: z.string(), optional: true, secret: true, description: 'SMTP password.' },
  EMAIL_BUDGET_PER_MINUTE: {
    schema: int(1, 100000),
    default: '30',
    description: 'Global emails per minute across all instances (ACS custom-domain default quota: 30).',
  },
  EMAIL_BUDGET_PER_HOUR: {
    schema: int(1, 1000000),
    default: '100',
    description: 'Global emails per hour across all instances (ACS custom-domain default quota: 100).',
  },
  EMAIL_DOMAIN_SHARE: {
    schema: z.coerce.number().gt(0).max(1),
    default: '0.2',
    description:
      'Share of each email budget window one recipient domain may take while other domains wait (0–1; at least one email per window).',
  },
  BRAND_ORGANIZATION_NAME: {
    schema: z.string().min(1).max(100),
    default: 'Contoso',
    description: 'Organisation name shown on the page and in emails.',
  },
  BRAND_LOGO_URL: { schema: httpUrl, optional: true, description: 'Logo image URL (https).' },
  BRAND_ACCENT_COLOR: {
    schema: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour'),
    default: '#0b5cad',
    description: 'Accent colour (#rrggbb); keep 4.5:1 contrast against white.',
  },
  SUPPORT_CONTACT: {
    schema: z.string().min(3).max(200),
    default: 'it-support@contoso.example',
    description: 'Support email address or URL shown when something fails.',
  },
  PRIVACY_URL: { schema: httpUrl, optional: true, description: 'Privacy notice URL.' },
  GRAPH_BASE_URL: {
    schema: httpUrl,
    default: 'https://graph.microsoft.com',
    description: 'Microsoft Graph base URL (the emulator locally).',
  },
  GRAPH_STATIC_TOKEN: {
    schema: z.string().min(1),
    optional: true,
    secret: true,
    scope: 'local',
    description: 'Dev only: a fixed bearer token for the Graph emulator. Refused for graph.microsoft.com.',
  },
  OTEL_EXPORTER: {
    schema: z.enum(['azure', 'console', 'otlp', 'none']),
    optional: true,
    description:
      'Where traces and metrics go: azure (Application Insights), console, otlp (OTEL_EXPORTER_OTLP_ENDPOINT) or none. Default: azure when APPLICATIONINSIGHTS_CONNECTION_STRING is set, else none.',
  },
  PARTNER_GROUP_IDS: {
    schema: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter((s) => s.length > 0),
      )
      .pipe(z.array(z.string().regex(OBJECT_ID, 'must be Entra object ids (GUIDs), comma-separated'))),
    default: '',
    description:
      'Comma-separated object ids of the only groups this service may ever add guests to or remove them from (partner groups in the run-time policy must be among them). Empty: no group is ever written.',
  },
  APPROVAL_TTL_DAYS: {
    schema: int(1, 30),
    default: '7',
    description: 'How long a sponsor has to approve or deny a sign-up before the request expires.',
  },
  GRAPH_CLIENT_ID: {
    schema: z.uuid(),
    optional: true,
    scope: 'azure',
    description:
      'Client id of the Graph-only user-assigned identity (infra/ sets it). Graph calls use it instead of the app identity.',
  },
  INVITE_REDIRECT_URL: {
    schema: httpUrl,
    default: 'https://myapplications.microsoft.com',
    description: 'Where Microsoft sends a guest after redeeming the invitation.',
  },
  SIGN_IN_URL: {
    schema: httpUrl,
    optional: true,
    description:
      'Sign-in link given to existing guests and members. Unset: `https://myapplications.microsoft.com/?tenantid={TENANT_ID}`.',
  },
  GRAPH_WRITES_PER_SECOND: {
    schema: int(1, 20),
    default: '20',
    description: 'Shared Graph write budget per second (Graph allows 3,000 per 150 s per app and tenant).',
  },
  RETENTION_FINISHED_DAYS: {
    schema: int(1, 3650),
    default: '30',
    description: 'Days a finished sign-up record is kept.',
  },
  RETENTION_AUDIT_DAYS: {
    schema: int(1, 3650),
    default: '180',
    description: 'Days audit rows are kept.',
  },
  TENANT_ID: {
    schema: z.uuid(),
    optional: true,
    scope: 'azure',
    description:
      'Directory (tenant) id of the Entra tenant. Sign-in links name it (`https://myapplications.microsoft.com/?tenantid=…`) so guests land in this tenant; ADMIN_AUTHORITY defaults to `https://login.microsoftonline.com/{TENANT_ID}/v2.0`.',
  },
  ADMIN_AUTH: {
    schema: z.enum(['entra', 'key']),
    default: 'entra',
    description:
      '`entra`: admin calls need an Entra access token with the app role `RmsSignup.Admin` (or `RmsSignup.Reader` for reads). `key`: the function key alone, for local development only (refused in Azure).',
  },
  ADMIN_AUDIENCE: {
    schema: z.string().min(1).max(300),
    optional: true,
    description:
      'Application id URI of the admin app registration (e.g. `api://{tenant}/rms-signup-admin`): the token audience. Required with ADMIN_AUTH=entra.',
  },
  ADMIN_AUTHORITY: {
    schema: httpUrl,
    optional: true,
    description:
      'OpenID authority whose discovery document gives the token issuer and keys. Default `https://login.microsoftonline.com/{TENANT_ID}/v2.0`; the local identity provider under `npm start`.',
  },
  ADMIN_CLIENT_ID: {
    schema: z.string().min(1).max(100),
    optional: true,
    description:
      'Client (application) id of the admin app registration: the console signs in with it, and v2 tokens carry it as audience. Required with ADMIN_AUTH=entra.',
  },
  LOGIN_BASE_URL: {
    schema: httpUrl,
    default: 'https://login.microsoftonline.com',
    description:
      "Microsoft Entra sign-in endpoint; `{LOGIN_BASE_URL}/{domain}/v2.0/.well-known/openid-configuration` tells whether a recipient's domain has its own tenant (the emulator locally).",
  },
  REDEEM_REMINDER_DAYS: {
    schema: int(1, 60),
    default: '3',
    description:
      'A guest we created who has not accepted the invitation gets a reminder with a fresh link after this many days, and a second after twice that.',
  },
  GUEST_LIFETIME_DAYS: {
    schema: int(0, 3650),
    default: '365',
    description:
      'Days a guest we created lives before it must be renewed (a verified sign-up again); unrenewed guests are disabled. 0 = forever.',
  },
  GUEST_RENEWAL_NOTICE_DAYS: {
    schema: int(1, 365),
    default: '14',
    description: 'Days before the end of its lifetime a guest gets an email with a renewal link.',
  },
  GUEST_DELETE_AFTER_DISABLED_DAYS: {
    schema: int(0, 3650),
    default: '30',
    description: 'Days a disabled (expired) guest is kept before it is deleted.',
  },
  GUEST_INACTIVE_DAYS: {
    schema: int(0, 3650),
    default: '0',
    description:
      'If not 0, guests we created whose last sign-in (`signInActivity`) is older than this are disabled too. Needs AuditLog.Read.All. 0 = off.',
  },
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;
type Parsed<K extends SettingName> = z.output<(typeof SETTINGS)[K]['schema']>;
export type Config = Readonly<{
  [K in SettingName]: (typeof SETTINGS)[K] extends { optional: true } ? Parsed<K> | undefined : Parsed<K>;
}>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}

/** Validates the environment once; throws one ConfigError naming every missing or invalid key. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [SettingName, Setting][]) {
    const raw = env[key];
    const value = raw === undefined || raw === '' ? setting.default : raw;
    if (value === undefined) {
      if (!setting.optional) problems.push(`${key} is not set`);
      continue;
    }
    const result = setting.schema.safeParse(value);
    if (result.success) out[key] = result.data;
    else problems.push(`${key} ${result.error.issues.map((i) => i.message).join(', ')}`);
  }
  for (const key of ['ORGANIZATION_DOMAINS', 'ALLOWED_DOMAINS', 'BLOCKED_DOMAINS'] as const) {
    const domains = out[key];
    if (!Array.isArray(domains)) continue;
    out[key] = domains.map((d: string) => {
      try {
        return normalizeDomain(d);
      } catch (error) {
        problems.push(
          `${key} has an invalid domain "${d}": ${error instanceof Error ? error.message : String(error)}`,
        );
        return d;
      }
    });
  }
  if (
    !out.AzureWebJobsStorage &&
    !(out.AzureWebJobsStorage__tableServiceUri && out.AzureWebJobsStorage__queueServiceUri)
  ) {
    problems.push(
      'AzureWebJobsStorage is not set (or set AzureWebJobsStorage__tableServiceUri and __queueServiceUri)',
    );
  }
  if (out.EMAIL_TRANSPORT === 'acs' && !out.ACS_ENDPOINT && !out.ACS_CONNECTION_STRING) {
    problems.push('ACS_ENDPOINT is not set (required when EMAIL_TRANSPORT is acs)');
  }
  if (out.GRAPH_STATIC_TOKEN && String(out.GRAPH_BASE_URL).startsWith('https://graph.microsoft.com')) {
    problems.push('GRAPH_STATIC_TOKEN must not be used with the real Microsoft Graph');
  }
  if (out.ADMIN_AUTH === 'key' && env.WEBSITE_SITE_NAME) {
    problems.push(
      'ADMIN_AUTH is key, which is for local development only: in Azure (WEBSITE_SITE_NAME is set) use entra',
    );
  }
  if (out.ADMIN_AUTH === 'entra') {
    if (!out.ADMIN_AUDIENCE) problems.push('ADMIN_AUDIENCE is not set (required when ADMIN_AUTH is entra)');
    if (!out.ADMIN_CLIENT_ID) problems.push('ADMIN_CLIENT_ID is not set (required when ADMIN_AUTH is entra)');
    if (!out.ADMIN_AUTHORITY && !out.TENANT_ID)
      problems.push('ADMIN_AUTHORITY is not set (set it, or TENANT_ID, when ADMIN_AUTH is entra)');
    if (!out.ADMIN_AUTHORITY && typeof out.TENANT_ID === 'string')
      out.ADMIN_AUTHORITY = `https://login.microsoftonline.com/${out.TENANT_ID}/v2.0`;
  }
  for (const [key, setting] of Object.entries(SETTINGS) as [SettingName, Setting][]) {
    // An unresolved Key Vault reference arrives as its literal text: never use that as a secret.
    if (setting.secret && typeof env[key] === 'string' && env[key].startsWith('@Microsoft.KeyVault(')) {
      problems.push(
        `${key} is an unresolved Key Vault reference (check the app's identity and Key Vault access)`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Config;
}

let cached: Config | undefined;
/** The process-wide configuration, validated on first use. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** The sign-in link for guests and members: SIGN_IN_URL, or My Apps naming our tenant so guests land in it. */
export function signInUrlOf(config: Pick<Config, 'SIGN_IN_URL' | 'TENANT_ID'>): string {
  if (config.SIGN_IN_URL) return config.SIGN_IN_URL;
  return config.TENANT_ID
    ? `https://myapplications.microsoft.com/?tenantid=${config.TENANT_ID}`
    : 'https://myapplications.microsoft.com';
}

/** Markdown table of every setting, for the README (a test keeps them equal). */
export function settingsTable(): string {
  const rows = (Object.entries(SETTINGS) as [SettingName, Setting][]).map(([key, s]) => {
    const req = s.default !== undefined ? `\`${s.default}\`` : s.optional ? '(optional)' : '**required**';
    return `| \`${key}\` | ${req} | ${s.description}${s.secret ? ' Secret.' : ''} |`;
  });
  return ['| Setting | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}
