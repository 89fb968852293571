/** The admin's run-time policy: read it with the settings beside it, validate and store a change. */
import { z } from 'zod';
import { ENROLMENT_MODES, OBJECT_ID, unmanagedGroupIds } from '../domain/accessPolicy';
import { builtInListInfo, normalizeDomain } from '../domain/domainPolicy';
import { effectivePolicy, EMPTY_STORED_POLICY, isPaused } from '../domain/policy';
import { withEtagRetry } from '../domain/etagRetry';
import { AppError, isAppError, isConcurrencyError } from '../errors';
import { type Logger } from '../log';
import type { SignupPolicy, StoredPolicy, Versioned } from '../ports';
import { audit } from './audit';
import type { AdminDeps } from './adminDeps';

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
          .optional(),
        sponsors: z.array(z.email().max(254)).max(50).optional(),
      }),
    )
    .max(200)
    .optional(),
  reason: text(500).optional(),
});
export type PolicyInput = z.infer<typeof PolicyInput>;

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

export function makeAdminPolicy(deps: AdminDeps) {
  const { settings } = deps;
  // -- policy

  function view(stored: Versioned<StoredPolicy> | undefined): PolicyView {
    const policy = { ...EMPTY_STORED_POLICY, ...stored?.value };
    const effective = effectivePolicy(settings, policy);
    const pausedNow = isPaused(effective, deps.clock.now());
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

  /** The access part: partner domains normalised, groups only among the managed ones (H3). */
  function normalizeAccess(input: PolicyInput): Partial<StoredPolicy> {
    const lower = (list: readonly string[] | undefined) => [
      ...new Set((list ?? []).map((e) => e.toLowerCase())),
    ];
    const seen = new Set<string>();
    const partners = (input.partners ?? []).map((p, i) => {
      const domain = domainOrThrow(p.domain, `partners[${i}].domain`);
      if (seen.has(domain))
        throw new AppError('invalid_request', `partners[${i}].domain: ${domain} is listed twice.`);
      seen.add(domain);
      return { domain, groupIds: lower(p.groupIds), sponsors: lower(p.sponsors) };
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

  async function putPolicy(
    input: PolicyInput,
    options: { actor: string; ifMatch?: string },
    log: Logger,
  ): Promise<PolicyView> {
    const next = normalizePolicy(input);
    const { stored, value, now, saved } = await withEtagRetry(
      () => deps.policyStore.get(),
      async (stored) => {
        if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, stored))
          throw new AppError('precondition_failed');
        const now = deps.clock.now();
        const value: StoredPolicy = { ...next, updatedAt: now.toISOString(), updatedBy: options.actor };
        try {
          return { stored, value, now, saved: await deps.policyStore.put(value, stored?.etag) };
        } catch (error) {
          // With If-Match the caller asked not to overwrite someone else's change; without it, last writer wins.
          if (isConcurrencyError(error) && options.ifMatch !== undefined)
            throw new AppError('precondition_failed');
          throw error;
        }
      },
      {
        attempts: 5,
        exhausted: () =>
          new AppError('conflict', 'The policy is being changed by someone else right now. Try again.'),
      },
    );
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

  return { getPolicy, putPolicy };
}

export function domainOrThrow(raw: string, field: string): string {
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
