/**
 * The admin half: the run-time policy, sign-up records, retry, erasure and stats. Called by the
 * /api/admin functions after the host checked the function key and `adminAuth` checked the role; every
 * state change it makes is audited here (`policy_changed`, `admin_retry`, `erased`), not in HTTP code.
 */
import { z } from 'zod';

import { keyedHash, SIGNUP_ID_PATTERN } from '../domain/codes';
import { ENROLMENT_MODES, OBJECT_ID, unmanagedGroupIds } from '../domain/accessPolicy';
import { builtInListInfo, normalizeDomain } from '../domain/domainPolicy';
import {
  effectiveStatus,
  type Outcome,
  SIGNUP_STATUSES,
  type SignupFlow,
  type SignupStatus,
  transition,
  type FlowLimits,
} from '../domain/signupFlow';
import { AppError, isAppError, isConcurrencyError } from '../errors';
import { maskEmail, type Logger } from '../log';
import type {
  AddressStore,
  AuditEvent,
  AuditLog,
  Clock,
  Directory,
  PolicyStore,
  QueueInspector,
  QueuePublisher,
  RateLimiter,
  SignupPolicy,
  SignupQuery,
  SignupStore,
  StoredPolicy,
  Versioned,
} from '../ports';
import { QUEUES, type QueueName } from '../storageNames';
import { audit } from './audit';
import { EMAIL_BUDGET_KEY, emailBudgetLimits } from './emailService';
import { effectivePolicy, EMPTY_STORED_POLICY } from './policy';
import { GRAPH_BUDGET_KEY, graphWriteLimits } from './provisioningService';

export interface AdminSettings extends FlowLimits {
  secret: string;
  /** The settings-level lists (read-only at run time). */
  organizationDomains: readonly string[];
  allowedDomains: readonly string[];
  blockedDomains: readonly string[];
  emailBudgetPerMinute: number;
  emailBudgetPerHour: number;
  graphWritesPerSecond: number;
  /** PARTNER_GROUP_IDS: a policy naming any other group is refused. */
  managedGroupIds: readonly string[];
}

export interface AdminDeps {
  signups: SignupStore;
  addresses: AddressStore;
  limiter: RateLimiter;
  queue: QueuePublisher;
  queues: QueueInspector;
  policyStore: PolicyStore;
  audit: AuditLog;
  directory: Directory;
  clock: Clock;
  settings: AdminSettings;
  /** Called after this instance saved a policy, so its own cache does not serve the old one. */
  onPolicyChanged?: () => void;
}

// ---- policy -------------------------------------------------------------------------------------------

/** Text shown to the public (pause reasons) or kept in the audit: no control characters. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');
const instant = z.iso.datetime({ offset: true });
const domainList = z.array(z.string().max(300)).max(500);

/** `PUT /api/admin/policy`: the whole run-time policy (a PUT replaces it), plus why. */
export const PolicyInput = z.strictObject({
  signupsPaused: z.boolean(),
  pauseReason: text(500).optional(),
  pauseUntil: instant.optional(),
  allowedDomains: domainList.optional(),
  blockedDomains: domainList.optional(),
  domainDailyCap: z.number().int().min(1).max(1_000_000).optional(),
  pausedDomains: z
    .array(
      z.strictObject({ domain: z.string().max(300), reason: text(500).min(1), until: instant.optional() }),
    )
    .max(500)
    .optional(),
  enrolment: z.enum(ENROLMENT_MODES).optional(),
  proofOfSendDays: z.number().int().min(1).max(90).optional(),
  approvers: z.array(z.email().max(254)).max(50).optional(),
  partners: z
    .array(
      z.strictObject({
        domain: z.string().max(300),
        groupIds: z
          .array(z.string().regex(OBJECT_ID, 'must be an Entra object id (GUID)'))
          .max(20)
          .default([]),
        sponsors: z.array(z.email().max(254)).max(50).default([]),
      }),
    )
    .max(200)
    .optional(),
  reason: text(500).optional(),
});
export type PolicyInput = z.input<typeof PolicyInput>;

/** The stored policy is one Table property: a string of at most 32K characters. */
const MAX_POLICY_JSON = 30_000;

export interface PolicyView {
  /** What admins set (a PUT replaces all of it). */
  policy: StoredPolicy;
  /** ETag of the stored policy for If-Match; null while no admin has saved one. */
  etag: string | null;
  /** From app settings; change them in the deployment, not here. */
  settings: {
    organizationDomains: readonly string[];
    allowedDomains: readonly string[];
    blockedDomains: readonly string[];
    /** The only groups a partner may name (PARTNER_GROUP_IDS). */
    managedGroupIds: readonly string[];
  };
  /** What start enforces: settings and stored lists combined. */
  effective: SignupPolicy & { pausedNow: boolean };
  builtInLists: ReturnType<typeof builtInListInfo>;
}

// ---- signups ------------------------------------------------------------------------------------------

export interface AdminSignup {
  signupId: string;
  /** Masked (`j•••@contoso.com`): enough to recognise, never the full address. */
  address: string;
  domain: string;
  /** Effective: a pending flow past its lifetime reads `expired`. */
  status: SignupStatus;
  outcome?: Outcome;
  createdAt: string;
  expiresAt: string;
  verifiedAt?: string;
  finishedAt?: string;
  lockedAt?: string;
  emailFailedAt?: string;
  attempts: { codeRequests: number; failedSubmissions: number; provisionAttempts: number };
  lastError?: string;
  directoryUserId?: string;
}

export interface ListSignupsInput {
  status?: SignupStatus;
  domain?: string;
  from?: string;
  to?: string;
  top?: number;
  continuationToken?: string;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;
/** Storage round trips one listing call may make to fill a page through a selective filter. */
const MAX_ROUNDS = 20;

const EMAIL_LIKE = /[^\s@<>()"',;:]+@[^\s@<>()"',;:]+/g;

export function toAdminSignup(flow: SignupFlow, now: Date): AdminSignup {
  return {
    signupId: flow.signupId,
    address: maskEmail(flow.email),
    domain: flow.domain,
    status: effectiveStatus(flow, now),
    outcome: flow.outcome,
    createdAt: flow.createdAt,
    expiresAt: flow.expiresAt,
    verifiedAt: flow.verifiedAt,
    finishedAt: flow.finishedAt,
    lockedAt: flow.lockedAt,
    emailFailedAt: flow.emailFailedAt,
    attempts: {
      codeRequests: flow.codeRequests,
      failedSubmissions: flow.failedSubmissions,
      provisionAttempts: flow.provisionAttempts,
    },
    // Graph error texts can quote the address: mask anything that looks like one.
    lastError: flow.lastError?.replace(EMAIL_LIKE, (m) => maskEmail(m)),
    directoryUserId: flow.directoryUserId,
  };
}

// ---- stats --------------------------------------------------------------------------------------------

export interface StatusCounts {
  total: number;
  byStatus: Record<SignupStatus, number>;
}

export interface AdminStats {
  generatedAt: string;
  last24h: StatusCounts;
  last30d: StatusCounts;
  topDomains: { domain: string; count: number }[];
  emailBudget: Record<'minute' | 'hour', { used: number; limit: number }>;
  graphBudget: Record<'second', { used: number; limit: number }>;
  /** Approximate messages per queue; null when the queue could not be read. */
  queueDepths: Record<QueueName, number | null>;
}

const DAY_MS = 86_400_000;

function emptyCounts(): StatusCounts {
  return {
    total: 0,
    byStatus: Object.fromEntries(SIGNUP_STATUSES.map((s) => [s, 0])) as Record<SignupStatus, number>,
  };
}

// ---- the service --------------------------------------------------------------------------------------

export function makeAdminService(deps: AdminDeps) {
  const { settings } = deps;

  // -- policy

  function view(stored: Versioned<StoredPolicy> | undefined): PolicyView {
    const policy = { ...EMPTY_STORED_POLICY, ...stored?.value };
    const effective = effectivePolicy(
      {
        ORGANIZATION_DOMAINS: [...settings.organizationDomains],
        ALLOWED_DOMAINS: [...settings.allowedDomains],
        BLOCKED_DOMAINS: [...settings.blockedDomains],
      },
      policy,
    );
    const now = deps.clock.now().getTime();
    const pausedNow =
      effective.signupsPaused && (!effective.pauseUntil || now < Date.parse(effective.pauseUntil));
    return {
      policy,
      etag: stored?.etag ?? null,
      settings: {
        organizationDomains: settings.organizationDomains,
        allowedDomains: settings.allowedDomains,
        blockedDomains: settings.blockedDomains,
        managedGroupIds: settings.managedGroupIds,
      },
      effective: { ...effective, pausedNow },
      builtInLists: builtInListInfo(),
    };
  }

  async function getPolicy(): Promise<PolicyView> {
    return view(await deps.policyStore.get());
  }

  /** Normalises every domain like an address domain; the first invalid one is named in the 400. */
  function normalizePolicy(input: PolicyInput): Omit<StoredPolicy, 'updatedAt' | 'updatedBy'> {
    const domains = (list: readonly string[] | undefined, field: string) => {
      const out = new Set<string>();
      for (const [i, raw] of (list ?? []).entries()) out.add(domainOrThrow(raw, `${field}[${i}]`));
      return [...out];
    };
    const seen = new Set<string>();
    const pausedDomains = (input.pausedDomains ?? []).flatMap((p, i) => {
      const domain = domainOrThrow(p.domain, `pausedDomains[${i}].domain`);
      if (seen.has(domain)) return [];
      seen.add(domain);
      return [
        { domain, reason: p.reason.trim(), ...(p.until ? { until: new Date(p.until).toISOString() } : {}) },
      ];
    });
    const policy: Omit<StoredPolicy, 'updatedAt' | 'updatedBy'> = {
      signupsPaused: input.signupsPaused,
      allowedDomains: domains(input.allowedDomains, 'allowedDomains'),
      blockedDomains: domains(input.blockedDomains, 'blockedDomains'),
      pausedDomains,
    };
    const pauseReason = input.pauseReason?.trim();
    if (pauseReason) policy.pauseReason = pauseReason;
    if (input.pauseUntil) policy.pauseUntil = new Date(input.pauseUntil).toISOString();
    if (input.domainDailyCap !== undefined) policy.domainDailyCap = input.domainDailyCap;
    Object.assign(policy, normalizeAccess(input));
    if (JSON.stringify(policy).length > MAX_POLICY_JSON) {
      throw new AppError(
        'invalid_request',
        `The policy is too large to store (over ${MAX_POLICY_JSON} characters of JSON): shorten the lists.`,
      );
    }
    return policy;
  }

  async function putPolicy(
    input: PolicyInput,
    options: { actor: string; ifMatch?: string },
    log: Logger,
  ): Promise<PolicyView> {
    const next = normalizePolicy(input);
    for (let race = 0; race < 5; race++) {
      const stored = await deps.policyStore.get();
      if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, stored))
        throw new AppError('precondition_failed');
      const now = deps.clock.now();
      const value: StoredPolicy = { ...next, updatedAt: now.toISOString(), updatedBy: options.actor };
      let saved: Versioned<StoredPolicy>;
      try {
        saved = await deps.policyStore.put(value, stored?.etag);
      } catch (error) {
        if (!isConcurrencyError(error)) throw error;
        // With If-Match the caller asked not to overwrite someone else's change; without it, last writer wins.
        if (options.ifMatch !== undefined) throw new AppError('precondition_failed');
        continue;
      }
      deps.onPolicyChanged?.();
      const previous = { ...EMPTY_STORED_POLICY, ...stored?.value };
      const changes = changedFields(previous, value);
      const details: Record<string, string | number | boolean> = {
        changes: changes.join(',') || 'none',
        signupsPaused: value.signupsPaused,
      };
      if (input.reason?.trim()) details.reason = input.reason.trim();
      if (value.pauseUntil) details.pauseUntil = value.pauseUntil;
      await audit(deps.audit, log, 'policy_changed', undefined, now, { actor: options.actor, details });
      log.event('policy_changed', {
        actor: options.actor,
        changes: details.changes as string,
        signupsPaused: value.signupsPaused,
      });
      return view(saved);
    }
    throw new AppError('conflict', 'The policy is being changed by someone else right now. Try again.');
  }

  /** The access part: partner domains normalised, groups only among the managed ones. */
  function normalizeAccess(input: PolicyInput): Partial<StoredPolicy> {
    const lower = (list: readonly string[] | undefined) => [
      ...new Set((list ?? []).map((e) => e.toLowerCase())),
    ];
    const seen = new Set<string>();
    const partners = (input.partners ?? []).flatMap((p, i) => {
      const domain = domainOrThrow(p.domain, `partners[${i}].domain`);
      if (seen.has(domain))
        throw new AppError('invalid_request', `partners[${i}].domain: ${domain} is listed twice.`);
      seen.add(domain);
      return [{ domain, groupIds: lower(p.groupIds), sponsors: lower(p.sponsors) }];
    });
    const unmanaged = unmanagedGroupIds({ partners }, settings.managedGroupIds);
    if (unmanaged.length > 0) {
      throw new AppError(
        'invalid_request',
        `partners: group ${unmanaged.join(', ')} is not managed by this service. Only groups listed in PARTNER_GROUP_IDS can be used.`,
      );
    }
    const approvers = lower(input.approvers);
    if (input.enrolment === 'approval' && approvers.length === 0) {
      throw new AppError('invalid_request', 'enrolment "approval" needs at least one address in approvers.');
    }
    return {
      ...(input.enrolment ? { enrolment: input.enrolment } : {}),
      ...(input.proofOfSendDays !== undefined ? { proofOfSendDays: input.proofOfSendDays } : {}),
      ...(approvers.length > 0 ? { approvers } : {}),
      ...(partners.length > 0 ? { partners } : {}),
    };
  }

  // -- signups

  async function listSignups(
    input: ListSignupsInput,
  ): Promise<{ items: AdminSignup[]; continuationToken?: string }> {
    const now = deps.clock.now();
    const top = Math.min(MAX_PAGE, Math.max(1, input.top ?? DEFAULT_PAGE));
    const query: Omit<SignupQuery, 'top' | 'continuationToken'> = { now };
    if (input.status) query.status = input.status;
    if (input.domain) query.domain = domainOrThrow(input.domain, 'domain');
    if (input.from) query.createdFrom = new Date(input.from).toISOString();
    if (input.to) query.createdTo = new Date(input.to).toISOString();

    const flows: SignupFlow[] = [];
    let token = input.continuationToken || undefined;
    // A selective filter can return short pages: keep reading (each read asks only for what is missing,
    // so the token always points just past the last item returned) within a bounded number of rounds.
    for (let round = 0; round < MAX_ROUNDS && flows.length < top; round++) {
      const page = await deps.signups.list({ ...query, top: top - flows.length, continuationToken: token });
      flows.push(...page.items.map((i) => i.value));
      token = page.continuationToken;
      if (!token) break;
    }
    // Keys are random ids, so storage order is not time order: each page is sorted newest first.
    const items = flows
      .map((f) => toAdminSignup(f, now))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return token ? { items, continuationToken: token } : { items };
  }

  async function loadOrThrow(signupId: string): Promise<Versioned<SignupFlow>> {
    const found = SIGNUP_ID_PATTERN.test(signupId) ? await deps.signups.get(signupId) : undefined;
    if (!found) throw new AppError('not_found', 'No sign-up with this id.');
    return found;
  }

  async function getSignup(signupId: string): Promise<{ signup: AdminSignup; events: AuditEvent[] }> {
    const { value } = await loadOrThrow(signupId);
    const events = await deps.audit.forSignup(signupId);
    return { signup: toAdminSignup(value, deps.clock.now()), events };
  }

  /**
   * Re-queues provisioning for a failed sign-up. Idempotent: a flow that is already `verified` (retried,
   * or its message lost) is only re-queued, and one `provisioning` is left to the message in flight.
   */
  async function retry(
    signupId: string,
    actor: string,
    log: Logger,
  ): Promise<{ signupId: string; status: SignupStatus; retried: boolean }> {
    for (let race = 0; race < 10; race++) {
      const { value: flow, etag } = await loadOrThrow(signupId);
      const status = effectiveStatus(flow, deps.clock.now());
      if (status === 'verified' || status === 'provisioning') {
        if (status === 'verified') await deps.queue.send(QUEUES.provision, { signupId });
        log.event('admin_retry_noop', { signupId, status, actor });
        return { signupId, status, retried: false };
      }
      if (status !== 'failed')
        throw new AppError('conflict', `Only a failed sign-up can be retried; this one is ${status}.`);
      const now = deps.clock.now();
      const next = transition(flow, { type: 'retry_requested' }, now, settings);
      try {
        await deps.signups.update(next, etag);
      } catch (error) {
        if (isConcurrencyError(error)) continue;
        throw error;
      }
      await deps.queue.send(QUEUES.provision, { signupId });
      await audit(deps.audit, log, 'admin_retry', next, now, {
        actor,
        details: {
          previousError: (flow.lastError ?? '').replace(EMAIL_LIKE, (m) => maskEmail(m)).slice(0, 200),
        },
      });
      log.event('admin_retry', { signupId, correlationId: flow.correlationId, actor });
      return { signupId, status: next.status, retried: true };
    }
    throw new AppError('conflict', 'The sign-up is changing right now. Try again.');
  }

  /**
   * Erases a sign-up: the flow, its address record (when this flow is the address's current one), and
   * every personal field of its audit rows, which are kept only as `{type, at, actor}` under a keyed hash
   * of the id, plus an `erased` tombstone. Re-running it finishes an interrupted erasure.
   */
  async function erase(
    signupId: string,
    options: { actor: string; deleteGuest: boolean },
    log: Logger,
  ): Promise<{ guestDeleted: boolean; auditRows: number }> {
    if (!SIGNUP_ID_PATTERN.test(signupId)) throw new AppError('not_found', 'No sign-up with this id.');
    const stored = await deps.signups.get(signupId);
    const leftovers = stored ? [] : await deps.audit.forSignup(signupId);
    if (!stored && leftovers.length === 0) throw new AppError('not_found', 'No sign-up with this id.');
    const flow = stored?.value;
    const now = deps.clock.now();
    if (flow) {
      const status = effectiveStatus(flow, now);
      // The provisioner would write the outcome (and audit it) after the record is gone.
      if (status === 'verified' || status === 'provisioning') {
        throw new AppError(
          'conflict',
          `This sign-up is being provisioned (${status}); erase it once it is ready or failed.`,
        );
      }
    }

    let guestDeleted = false;
    if (options.deleteGuest) {
      // Only a guest this service created: never a member, never a guest someone else invited.
      // `guest_created` alone is not proof (security review L8): only our own invitation sets the flag.
      if (!flow || !flow.guestCreatedByUs || !flow.directoryUserId) {
        throw new AppError(
          'conflict',
          `deleteGuest removes only a guest account this service's own invitation created; this sign-up's outcome is ${flow?.outcome ?? 'unknown'}. Nothing was erased.`,
        );
      }
      await deps.directory.deleteUser(flow.directoryUserId);
      guestDeleted = true;
    }

    if (flow) {
      const address = await deps.addresses.get(flow.addressKey);
      // A newer flow for the same address owns the record (and its send history): leave it to that flow.
      if (
        address &&
        (address.value.currentSignupId === undefined || address.value.currentSignupId === signupId)
      ) {
        await deps.addresses.deleteIfUnchanged(flow.addressKey, address.etag);
      }
      await deps.signups.delete(signupId);
    }

    const subjectHash = erasedSubject(settings.secret, signupId);
    const auditRows = await deps.audit.eraseSignup(signupId, subjectHash);
    const tombstone: AuditEvent = {
      type: 'erased',
      at: deps.clock.now().toISOString(),
      actor: options.actor,
      subjectHash,
      details: { auditRows, guestDeleted },
    };
    try {
      await deps.audit.append(tombstone);
    } catch (error) {
      log.event(
        'audit_write_failed',
        { type: 'erased', subjectHash, error: error instanceof Error ? error.message : String(error) },
        'error',
      );
    }
    log.event('signup_erased', { subjectHash, actor: options.actor, guestDeleted, auditRows });
    return { guestDeleted, auditRows };
  }

  // -- stats

  async function stats(log: Logger): Promise<AdminStats> {
    const now = deps.clock.now();
    const dayAgo = new Date(now.getTime() - DAY_MS).toISOString();
    const last24h = emptyCounts();
    const last30d = emptyCounts();
    const domains = new Map<string, number>();
    // A createdAt-filtered scan of the last 30 days: fine at the volumes this door sees (thousands).
    let token: string | undefined;
    do {
      const page = await deps.signups.list({
        now,
        createdFrom: new Date(now.getTime() - 30 * DAY_MS).toISOString(),
        top: 1000,
        continuationToken: token,
      });
      for (const { value: flow } of page.items) {
        const status = effectiveStatus(flow, now);
        last30d.total++;
        last30d.byStatus[status]++;
        domains.set(flow.domain, (domains.get(flow.domain) ?? 0) + 1);
        if (flow.createdAt >= dayAgo) {
          last24h.total++;
          last24h.byStatus[status]++;
        }
      }
      token = page.continuationToken;
    } while (token);

    const topDomains = [...domains]
      .map(([domain, count]) => ({ domain, count }))
      .sort((a, b) => b.count - a.count || a.domain.localeCompare(b.domain))
      .slice(0, 10);

    const emailLimits = emailBudgetLimits(settings.emailBudgetPerMinute, settings.emailBudgetPerHour);
    const emailUsed = await deps.limiter.peek(EMAIL_BUDGET_KEY, emailLimits, now);
    const graphUsed = await deps.limiter.peek(
      GRAPH_BUDGET_KEY,
      graphWriteLimits(settings.graphWritesPerSecond),
      now,
    );

    const queueDepths = {} as Record<QueueName, number | null>;
    for (const queue of Object.values(QUEUES)) {
      try {
        queueDepths[queue] = await deps.queues.approximateDepth(queue);
      } catch (error) {
        log.event(
          'queue_depth_unavailable',
          { queue, error: error instanceof Error ? error.message : String(error) },
          'warn',
        );
        queueDepths[queue] = null;
      }
    }

    return {
      generatedAt: now.toISOString(),
      last24h,
      last30d,
      topDomains,
      emailBudget: {
        minute: { used: emailUsed.minute ?? 0, limit: settings.emailBudgetPerMinute },
        hour: { used: emailUsed.hour ?? 0, limit: settings.emailBudgetPerHour },
      },
      graphBudget: { second: { used: graphUsed.second ?? 0, limit: settings.graphWritesPerSecond } },
      queueDepths,
    };
  }

  return { getPolicy, putPolicy, listSignups, getSignup, retry, erase, stats };
}

export type AdminService = ReturnType<typeof makeAdminService>;

/** The tombstone key of an erased sign-up: keyed, so the audit table alone cannot be matched to an id. */
export function erasedSubject(secret: string, signupId: string): string {
  return keyedHash(secret, 'erased-signup', signupId);
}

function domainOrThrow(raw: string, field: string): string {
  try {
    return normalizeDomain(raw);
  } catch (error) {
    const why = isAppError(error) ? error.message : 'not a valid domain';
    throw new AppError('invalid_request', `${field}: "${raw.slice(0, 100)}" is not a valid domain. ${why}`);
  }
}

/** `If-Match` against the stored ETag; `*` means "any stored version". */
function etagMatches(ifMatch: string, stored: Versioned<StoredPolicy> | undefined): boolean {
  const wanted = ifMatch.trim();
  if (wanted === '*') return stored !== undefined;
  return stored !== undefined && wanted === stored.etag;
}

const POLICY_FIELDS = [
  'signupsPaused',
  'pauseReason',
  'pauseUntil',
  'allowedDomains',
  'blockedDomains',
  'domainDailyCap',
  'pausedDomains',
  'enrolment',
  'proofOfSendDays',
  'approvers',
  'partners',
] as const;

function changedFields(before: StoredPolicy, after: StoredPolicy): string[] {
  return POLICY_FIELDS.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}
