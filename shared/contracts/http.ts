/**
 * The HTTP bodies of the public sign-up API and the admin API, as zod schemas and their types. The
 * functions answer these shapes, the page (web/) and the admin CLI `import type` them, and
 * test/unit/openapiContracts.test.ts checks openapi.yaml's component schemas against them, both ways.
 * Each schema's name is its openapi component's name.
 */
import { z } from 'zod';

import { GUEST_STATES, type GuestState } from '../domain/guestLedger';
import { ENROLMENT_MODES, NOT_ELIGIBLE_REASONS } from '../domain/accessPolicy';
import { INTENTS, OUTCOMES, SIGNUP_STATUSES } from '../domain/signupFlow';
import { AUDIT_EVENTS } from '../ports';
import { QUEUES } from '../storageNames';

const instant = z.iso.datetime({ offset: true });
export const SignupId = z.string().regex(/^[A-Za-z0-9_-]{24}$/);
export const SignupStatus = z.enum(SIGNUP_STATUSES);
export type SignupStatus = z.infer<typeof SignupStatus>;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

// ---- public API -----------------------------------------------------------------------------------------

/**
 * A solved proof-of-work challenge, base64(JSON {algorithm, challenge, number, salt, signature}); required
 * on start and resend unless CHALLENGE_MODE=off.
 */
export const Altcha = z.string().max(4096);

/** `200` of `GET /api/challenge`: an ALTCHA v1 challenge and when it expires. */
export const Challenge = z.strictObject({
  algorithm: z.literal('SHA-256'),
  challenge: z.string().regex(/^[0-9a-f]{64}$/),
  salt: z.string(),
  signature: z.string().regex(/^[0-9a-f]{64}$/),
  maxnumber: z.number().int().min(1),
  expiresAt: instant,
});
export type Challenge = z.infer<typeof Challenge>;

/** `POST /api/signups` */
export const StartRequest = z.strictObject({
  email: z.string().max(320),
  locale: z.string().max(35).optional(),
  /** What confirming will do (default `join`); the answer is the same for every intent. */
  intent: z.enum(INTENTS).optional(),
  altcha: Altcha.optional(),
});
export type StartRequest = z.infer<typeof StartRequest>;

/** `202` of `POST /api/signups` */
export const StartedSignup = z.strictObject({
  signupId: SignupId,
  status: z.literal('pending_verification'),
  codeExpiresAt: instant,
  resendAvailableAt: instant,
  /** When the code email should go out, from the backlog ahead of this flow and the email budget. */
  estimatedCodeAt: instant,
});
export type StartedSignup = z.infer<typeof StartedSignup>;

/** `POST /api/signups/{signupId}/verify` */
export const VerifyRequest = z.strictObject({ code: z.string().max(32) });
export type VerifyRequest = z.infer<typeof VerifyRequest>;

/** `200` of verify */
export const Verified = z.strictObject({ signupId: SignupId, status: z.literal('verified') });
export type Verified = z.infer<typeof Verified>;

/** `POST /api/signups/{signupId}/resend` (an empty object or no body) */
export const ResendRequest = z.strictObject({ altcha: Altcha.optional() });
export type ResendRequest = z.infer<typeof ResendRequest>;

/** `202` of resend */
export const Resent = z.strictObject({
  codeExpiresAt: instant,
  resendAvailableAt: instant,
  estimatedCodeAt: instant,
});
export type Resent = z.infer<typeof Resent>;

/** `200` of `GET /api/signups/{signupId}` */
export const Signup = z.strictObject({
  signupId: SignupId,
  status: SignupStatus,
  codeExpiresAt: instant.optional(),
  resendAvailableAt: instant.optional(),
  /** While the code email has not gone out: when it should (updated as the backlog moves). */
  estimatedCodeAt: instant.optional(),
  outcome: Outcome.optional(),
  signInUrl: z.url().optional(),
  supportContact: z.string().optional(),
  /** The domain has its own Entra tenant: sign in with the organisation account, not a passcode. */
  homeTenant: z.boolean().optional(),
  /** `not_eligible` only: why this verified address gets no account. */
  reason: z.enum(NOT_ELIGIBLE_REASONS).optional(),
  /** `pending_approval` only: a sponsor at the organisation decides; the person is emailed either way. */
  decidedBy: z.literal('sponsor').optional(),
  approvalExpiresAt: instant.optional(),
  /** `pending_verification` only: the code email cannot reach the address (it bounced or was refused). */
  emailFailed: z.literal('undeliverable').optional(),
});
export type Signup = z.infer<typeof Signup>;

/** `200` of `GET /api/approvals/{token}`: what the sponsor decides about (reading never decides). */
export const ApprovalRequest = z.strictObject({
  email: z.string(),
  domain: z.string(),
  status: z.enum(['pending', 'approved', 'denied']),
  expiresAt: instant,
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

/** `POST /api/approvals/{token}` */
export const ApprovalDecisionRequest = z.strictObject({ decision: z.enum(['approve', 'deny']) });
export type ApprovalDecisionRequest = z.infer<typeof ApprovalDecisionRequest>;

/** `200` of `POST /api/approvals/{token}` */
export const ApprovalDecided = z.strictObject({ decision: z.enum(['approve', 'deny']), signupId: SignupId });
export type ApprovalDecided = z.infer<typeof ApprovalDecided>;

// ---- admin API ------------------------------------------------------------------------------------------

export const AdminSignup = z.strictObject({
  signupId: SignupId,
  address: z.string(),
  domain: z.string(),
  status: SignupStatus,
  outcome: Outcome.optional(),
  createdAt: instant,
  expiresAt: instant,
  verifiedAt: instant.optional(),
  finishedAt: instant.optional(),
  lockedAt: instant.optional(),
  emailFailedAt: instant.optional(),
  attempts: z.strictObject({
    codeRequests: z.int().min(0),
    failedSubmissions: z.int().min(0),
    provisionAttempts: z.int().min(0),
  }),
  lastError: z.string().optional(),
  directoryUserId: z.string().optional(),
});
export type AdminSignup = z.infer<typeof AdminSignup>;

/** `200` of `GET /api/admin/signups` */
export const AdminSignupPage = z.strictObject({
  items: z.array(AdminSignup),
  continuationToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});
export type AdminSignupPage = z.infer<typeof AdminSignupPage>;

export const AuditEvent = z.strictObject({
  type: z.enum(AUDIT_EVENTS),
  at: instant,
  actor: z.string(),
  signupId: z.string().optional(),
  correlationId: z.string().optional(),
  addressHash: z.string().optional(),
  domain: z.string().optional(),
  subjectHash: z.string().optional(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** `200` of `GET /api/admin/signups/{signupId}` */
export const AdminSignupDetail = z.strictObject({ signup: AdminSignup, events: z.array(AuditEvent) });
export type AdminSignupDetail = z.infer<typeof AdminSignupDetail>;

/** `202` of `POST /api/admin/signups/{signupId}/retry` */
export const RetryResult = z.strictObject({
  signupId: SignupId,
  status: z.enum(['verified', 'provisioning']),
  retried: z.boolean(),
});
export type RetryResult = z.infer<typeof RetryResult>;

export const PausedDomain = z.strictObject({
  domain: z.string(),
  reason: z.string().max(500),
  until: instant.optional(),
});
export type PausedDomain = z.infer<typeof PausedDomain>;

export const Partner = z.strictObject({
  domain: z.string(),
  groupIds: z.array(z.uuid()).max(20).optional(),
  sponsors: z.array(z.email()).max(50).optional(),
});
export type Partner = z.infer<typeof Partner>;

export const AccessPolicy = z.strictObject({
  enrolment: z.enum(ENROLMENT_MODES),
  proofOfSendDays: z.int(),
  approvers: z.array(z.string()).readonly(),
  partners: z.array(Partner).readonly(),
});

/** One revoked address: its keyed hash only, never the address. */
export const Revocation = z.strictObject({
  emailHash: z.string(),
  revokedAt: instant,
  revokedBy: z.string(),
  reason: z.string().optional(),
  guestDeleted: z.boolean(),
  groupsRemoved: z.int().min(0),
});
export type Revocation = z.infer<typeof Revocation>;

/** `POST /api/admin/revocations` */
export const RevokeRequest = z.strictObject({
  email: z.string().max(320),
  deleteGuest: z.boolean().optional(),
  reason: z.string().max(500).optional(),
});
export type RevokeRequest = z.infer<typeof RevokeRequest>;

/** `200` of `GET /api/admin/revocations` */
export const RevocationList = z.strictObject({ items: z.array(Revocation) });
export type RevocationList = z.infer<typeof RevocationList>;

/**
 * `PUT /api/admin/policy`, as documented. The service validates with its own stricter schema
 * (domain normalisation, trimming); a type test keeps the two the same shape.
 */
export const PolicyInput = z.strictObject({
  signupsPaused: z.boolean(),
  pauseReason: z.string().max(500).optional(),
  pauseUntil: instant.optional(),
  allowedDomains: z.array(z.string()).max(500).optional(),
  blockedDomains: z.array(z.string()).max(500).optional(),
  domainDailyCap: z.int().min(1).optional(),
  pausedDomains: z.array(PausedDomain).max(500).optional(),
  enrolment: z.enum(ENROLMENT_MODES).optional(),
  proofOfSendDays: z.int().min(1).max(90).optional(),
  approvers: z.array(z.email()).max(50).optional(),
  partners: z.array(Partner).max(200).optional(),
  reason: z.string().max(500).optional(),
});
export type PolicyInput = z.infer<typeof PolicyInput>;

export const StoredPolicy = z.strictObject({
  signupsPaused: z.boolean(),
  pauseReason: z.string().optional(),
  pauseUntil: instant.optional(),
  allowedDomains: z.array(z.string()),
  blockedDomains: z.array(z.string()),
  domainDailyCap: z.int().min(1).optional(),
  pausedDomains: z.array(PausedDomain),
  enrolment: z.enum(ENROLMENT_MODES).optional(),
  proofOfSendDays: z.int().min(1).max(90).optional(),
  approvers: z.array(z.email()).max(50).optional(),
  partners: z.array(Partner).max(200).optional(),
  updatedAt: instant.optional(),
  updatedBy: z.string().optional(),
});
export type StoredPolicy = z.infer<typeof StoredPolicy>;

const domains = z.array(z.string()).readonly();

/** `200` of `GET` and `PUT /api/admin/policy` */
export const PolicyView = z.strictObject({
  policy: StoredPolicy,
  /** null while no admin has saved a policy. */
  etag: z.string().nullable(),
  settings: z.strictObject({
    organizationDomains: domains,
    allowedDomains: domains,
    blockedDomains: domains,
    /** PARTNER_GROUP_IDS: the only groups a partner may name. */
    managedGroupIds: domains,
  }),
  effective: z.object({
    signupsPaused: z.boolean(),
    pausedNow: z.boolean(),
    pauseReason: z.string().optional(),
    pauseUntil: instant.optional(),
    organizationDomains: domains,
    allowedDomains: domains,
    blockedDomains: domains,
    pausedDomains: z.array(PausedDomain).readonly(),
    domainDailyCap: z.int().optional(),
    access: AccessPolicy,
  }),
  builtInLists: z.array(
    z.object({
      name: z.string(),
      count: z.int(),
      generated: z.string(),
      sources: z.array(z.object({ package: z.string(), version: z.string() })).optional(),
    }),
  ),
});
export type PolicyView = z.infer<typeof PolicyView>;

export const StatusCounts = z.strictObject({
  total: z.int().min(0),
  byStatus: z.strictObject(
    Object.fromEntries(SIGNUP_STATUSES.map((s) => [s, z.int()])) as Record<SignupStatus, z.ZodInt>,
  ),
});
export type StatusCounts = z.infer<typeof StatusCounts>;

export const Budget = z.strictObject({ used: z.int().min(0), limit: z.int().min(1) });
export type Budget = z.infer<typeof Budget>;

/** `200` of `GET /api/admin/stats` */
export const AdminStats = z.strictObject({
  generatedAt: instant,
  last24h: StatusCounts,
  last30d: StatusCounts,
  topDomains: z.array(z.strictObject({ domain: z.string(), count: z.int().min(1) })).max(10),
  emailBudget: z.strictObject({ minute: Budget, hour: Budget }),
  graphBudget: z.strictObject({ second: Budget }),
  /** Approximate messages per queue; null when it could not be read. */
  queueDepths: z.object(
    Object.fromEntries(Object.values(QUEUES).map((q) => [q, z.int().nullable()])) as Record<
      (typeof QUEUES)[keyof typeof QUEUES],
      z.ZodNullable<z.ZodInt>
    >,
  ),
  /** Guests this service created, by lifecycle state. */
  guests: z.strictObject(
    Object.fromEntries(GUEST_STATES.map((s) => [s, z.int().min(0)])) as Record<GuestState, z.ZodInt>,
  ),
  /** Bounces (ACS delivery reports and SMTP refusals) and the addresses suppressed right now. */
  emailBounces: z.strictObject({
    lastHour: z.int().min(0),
    last24h: z.int().min(0),
    suppressed: z.int().min(0),
  }),
});
export type AdminStats = z.infer<typeof AdminStats>;

// ---- guest ledger ---------------------------------------------------------------------------------------

export const GuestStateSchema = z.enum(GUEST_STATES);

export const AdminGuest = z.strictObject({
  objectId: z.string(),
  /** `…@domain` in lists; the masked mail in one guest's detail. */
  address: z.string(),
  domain: z.string(),
  state: GuestStateSchema,
  createdAt: instant,
  redeemedAt: instant.optional(),
  lastRenewedAt: instant,
  expiresAt: instant.optional(),
  disabledAt: instant.optional(),
  deletedAt: instant.optional(),
  remindersSent: z.int().min(0),
  groups: z.int().min(0),
  createdBySignupId: z.string(),
  /** The approver or partner sponsor at the organisation recorded when the guest was created. */
  sponsor: z.email().optional(),
});
export type AdminGuest = z.infer<typeof AdminGuest>;

/** `200` of `GET /api/admin/guests` */
export const AdminGuestPage = z.strictObject({
  items: z.array(AdminGuest),
  continuationToken: z.string().optional(),
});
export type AdminGuestPage = z.infer<typeof AdminGuestPage>;

/** `200` of `GET /api/admin/guests/{objectId}` */
export const AdminGuestDetail = z.strictObject({ guest: AdminGuest, events: z.array(AuditEvent) });
export type AdminGuestDetail = z.infer<typeof AdminGuestDetail>;
/** The tenant readiness checks (shared/services/readinessService.ts), in the order they are reported. */
export const READINESS_CHECK_IDS = [
  'graph_roles',
  'email_otp',
  'guest_invitations',
  'guest_access_restricted',
  'inbound_b2b',
  'invitation_domains',
  'groups',
  'approvers',
  'message_trace',
  'acs_sender_domain',
  'key_vault_secret',
] as const;

export const ReadinessCheck = z.strictObject({
  id: z.enum(READINESS_CHECK_IDS),
  status: z.enum(['pass', 'warn', 'fail']),
  message: z.string(),
  /** What to do; empty when the check passed. */
  fix: z.string(),
});
export type ReadinessCheck = z.infer<typeof ReadinessCheck>;

/** `200` of `GET /api/admin/readiness` */
export const AdminReadiness = z.strictObject({ checks: z.array(ReadinessCheck) });
export type AdminReadiness = z.infer<typeof AdminReadiness>;
