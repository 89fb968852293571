/**
 * Ports: the small interfaces services depend on. Adapters in shared/adapters implement them over Azure;
 * fakes in test/support implement them in memory. Each method says what it promises.
 */
import type { QueueMessages } from './contracts/queues';
import type { GuestEntry, GuestState } from './domain/guestLedger';
import type { SignupPolicy, StoredPolicy } from './domain/policy';
import type { Now, RateDecision, RateLimit, RateWindows } from './domain/rateWindows';
import type { SignupFlow } from './domain/signupFlow';
import type { QueueName } from './storageNames';

// The vocabulary below belongs to the domain; re-exported so adapters and fakes keep one import.
export type { Now, RateDecision, RateLimit } from './domain/rateWindows';
export type { PausedDomain, SignupPolicy, StoredPolicy } from './domain/policy';
// Ports of their own concern, kept in shared/ports/ and re-exported so every caller keeps one import.
export * from './ports/adminSignIn';
export * from './ports/telemetry';
export * from './ports/suppressions';

export interface Clock {
  now(): Date;
}

/** A stored value together with the ETag that every conditional write must carry. */
export type Versioned<T> = { value: T; etag: string };

/** Publishes ids-only JSON messages to a storage queue, base64-encoded like the Functions host expects. */
export interface QueuePublisher {
  send<Q extends QueueName>(
    queue: Q,
    message: QueueMessages[Q],
    options?: { visibilityDelaySeconds?: number },
  ): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Email

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /**
   * Stable per logical email (e.g. `<signupId>:code:<version>`). ACS uses it as `Operation-Id` and SMTP as
   * the Message-ID, so a retried send after a lost response does not deliver twice.
   */
  idempotencyKey: string;
}

export interface SendResult {
  /** Transport's id for the message (ACS operation id or SMTP message id). */
  messageId: string;
}

/**
 * Sends one email. Throws `TransientError` (from shared/errors) when the transport throttles (429,
 * `retryAfterSeconds` from Retry-After) or is unavailable (5xx, timeouts, connection refused), so callers can
 * re-queue; any other error is permanent.
 */
export interface EmailSender {
  send(email: OutgoingEmail): Promise<SendResult>;
}

// ---------------------------------------------------------------------------------------------------------
// Directory (Microsoft Entra through Graph)

export interface DirectoryUser {
  id: string;
  userType: 'Guest' | 'Member';
  mail?: string | null;
  userPrincipalName: string;
  externalUserState?: string | null;
}

export interface Invitation {
  userId: string;
  inviteRedeemUrl: string;
}

/**
 * What the provisioner needs from Entra. Every method throws `TransientError` on 429 (with Retry-After),
 * 503/504 and network failures; `DirectoryConflictError`-style 400s are mapped as documented per method.
 */
export interface Directory {
  /** Finds a user whose mail, userPrincipalName, otherMails or proxyAddresses equals the address. */
  findUserByEmail(email: string): Promise<DirectoryUser | undefined>;
  /** POST /invitations with sendInvitationMessage false; returns the (new or existing) guest. */
  inviteGuest(input: { email: string; displayName: string; redirectUrl: string }): Promise<Invitation>;
  /** Adds the user to the group; resolves `already_member` when Graph says it already is. Throws `NotFoundYetError` on 404. */
  addToGroup(groupId: string, userId: string): Promise<'added' | 'already_member'>;
  /** Deletes the user; resolves when it is already gone. */
  deleteUser(userId: string): Promise<void>;
  /** DELETE /groups/{id}/members/{userId}/$ref; resolves `not_member` when it was not (404). */
  removeFromGroup(groupId: string, userId: string): Promise<'removed' | 'not_member'>;
  /** True when the group exists (GET /groups/{id}); false on 404. */
  groupExists(groupId: string): Promise<boolean>;
}

/**
 * Exchange Online message traces through Graph (`GET /admin/exchange/tracing/messageTraces`,
 * ExchangeMessageTrace.Read.All): proof that the organisation recently mailed an address.
 */
export interface MessageTraces {
  /** True when a message with status Delivered reached `recipient` between `since` and `until`. */
  deliveredTo(recipient: string, since: Date, until: Date): Promise<boolean>;
}

/** Graph answered 404 for an object that should exist (replication lag right after creation). */
export class NotFoundYetError extends Error {
  override name = 'NotFoundYetError' as const;
}

// ---------------------------------------------------------------------------------------------------------
// State (Azure Table Storage in production)

/** Sign-up flows by id. `update` throws `ConcurrencyError` when the ETag no longer matches (a lost race). */
export interface SignupStore {
  /**
   * `audit`: rows describing this change, stored atomically with it (Table Storage: in the flow's partition,
   * one entity-group transaction) and read back by `AuditLog.forSignup`.
   */
  create(flow: SignupFlow, audit?: readonly AuditEvent[]): Promise<Versioned<SignupFlow>>;
  get(signupId: string): Promise<Versioned<SignupFlow> | undefined>;
  update(flow: SignupFlow, etag: string, audit?: readonly AuditEvent[]): Promise<Versioned<SignupFlow>>;
  /** Succeeds when the flow is already gone. */
  delete(signupId: string): Promise<void>;
  /**
   * One page of flows matching `query`, in storage order (by signupId: ids are random, so there is no
   * time order without an index). Pass the returned token back for the next page; no token = last page.
   * A page may hold fewer than `top` items while a token is still returned (server-side filters).
   */
  list(query: SignupQuery): Promise<Page<Versioned<SignupFlow>>>;
  /** Deletes only if the ETag still matches; false when the flow changed or is already gone. */
  deleteIfUnchanged(signupId: string, etag: string): Promise<boolean>;
}

/** A page of a listing and the opaque token for the next one (absent on the last page). */
export interface Page<T> {
  items: T[];
  continuationToken?: string;
}

export interface SignupQuery {
  /** Effective status: `expired` includes pending flows past `expiresAt`, `pending_verification` excludes them. */
  status?: SignupFlow['status'];
  /** Exact (normalised, ASCII) domain. */
  domain?: string;
  /** The address's keyed hash (`SignupFlow.addressKey`): every flow of one address. */
  addressKey?: string;
  /** createdAt ≥ createdFrom (ISO). */
  createdFrom?: string;
  /** createdAt < createdTo (ISO). */
  createdTo?: string;
  /** Evaluates effective status. */
  now: Date;
  /** At most this many items (1–1000). */
  top: number;
  continuationToken?: string;
}

/** Per recipient address (keyed by its HMAC): the current flow and the recent code emails sent to it. */
export interface AddressRecord {
  addressKey: string;
  currentSignupId?: string;
  /** Epoch milliseconds of code emails sent in the last 24 hours, oldest first. */
  sentAt: number[];
}

export interface AddressStore {
  get(addressKey: string): Promise<Versioned<AddressRecord> | undefined>;
  /** Makes `signupId` the address's current flow (last writer wins: the newest start supersedes). */
  setCurrentSignup(addressKey: string, signupId: string): Promise<void>;
  /** Conditional replace; throws `ConcurrencyError` on a lost race. */
  update(record: AddressRecord, etag: string): Promise<Versioned<AddressRecord>>;
  delete(addressKey: string): Promise<void>;
  /** One page of every address record (retention); token semantics as `SignupStore.list`. */
  list(options: { top: number; continuationToken?: string }): Promise<Page<Versioned<AddressRecord>>>;
  /** Deletes only if the ETag still matches (a concurrent start keeps the record); false otherwise. */
  deleteIfUnchanged(addressKey: string, etag: string): Promise<boolean>;
}

/**
 * Counters shared by every instance (fixed or sliding windows, see shared/domain/rateWindows.ts). `consume` counts one event against every limit, or
 * none when any limit is exhausted (a refused attempt does not use up budget).
 */
export interface RateLimiter {
  /**
   * Counts `count` events (default 1) against every limit: all of them, or none. Pass `now` as a function
   * for budgets: it is read again on every attempt, so a caller that lost ETag races records its events
   * when they are granted, not when it first asked (an event recorded early leaves the window early).
   */
  consume(key: string, limits: readonly RateLimit[], now: Now, count?: number): Promise<RateDecision>;
  /** Current usage per limit name, for admin stats. */
  peek(key: string, limits: readonly RateLimit[], now: Date): Promise<Record<string, number>>;
  delete(key: string): Promise<void>;
  /** One page of every counter entity with its windows (retention); token semantics as `SignupStore.list`. */
  list(options: { top: number; continuationToken?: string }): Promise<Page<StoredRateWindows>>;
  /** Deletes only if the ETag still matches (a concurrent consume keeps it); false otherwise. */
  deleteIfUnchanged(key: string, etag: string): Promise<boolean>;
  /**
   * Reads the counter entity with the document kept beside its windows (the email budget's fair-share
   * ledger), applies `change` and writes both back in one ETag-guarded write, re-reading and re-applying on
   * a lost race. `change` gets a fresh read and the time (read again per attempt); returning no `next`
   * writes nothing.
   */
  transact<T>(
    key: string,
    change: (entity: CounterEntity, now: Date) => { next?: CounterEntity; result: T },
    now: Now,
  ): Promise<T>;
}

/** A counter entity's windows and the document a `transact` keeps beside them (JSON, opaque here). */
export interface CounterEntity {
  windows: RateWindows;
  document?: string;
}

/** A counter entity as stored: window start (epoch ms) and count per limit name. */
export interface StoredRateWindows {
  key: string;
  windows: Record<string, { start: number; count: number; buckets?: Array<[number, number]> }>;
  etag: string;
}

// ---------------------------------------------------------------------------------------------------------
// Policy (who may sign up right now)

/** The policy in force; implementations may cache for a few seconds. */
export interface PolicyProvider {
  get(): Promise<SignupPolicy>;
}

export interface PolicyStore {
  /** The stored run-time policy, or undefined when an admin never saved one. */
  get(): Promise<Versioned<StoredPolicy> | undefined>;
  /** Conditional on `etag` (undefined = must not exist yet); throws `ConcurrencyError` on a lost race. */
  put(policy: StoredPolicy, etag: string | undefined): Promise<Versioned<StoredPolicy>>;
}

// ---------------------------------------------------------------------------------------------------------
// Access records (durable revocation, guests this service created)

/** One revoked address: only its keyed hash (the `addressKey` form) is kept, never the address. */
export interface Revocation {
  emailHash: string;
  revokedAt: string;
  revokedBy: string;
  reason?: string;
  guestDeleted: boolean;
  /** Managed groups the guest was removed from. */
  groupsRemoved: number;
}

/** A guest our own invitation created (security review L8): the only kind `deleteGuest` may delete. */
export interface CreatedGuest {
  emailHash: string;
  userId: string;
  createdAt: string;
}

export interface AccessStore {
  getRevocation(emailHash: string): Promise<Revocation | undefined>;
  putRevocation(revocation: Revocation): Promise<void>;
  /** False when there was none. */
  deleteRevocation(emailHash: string): Promise<boolean>;
  listRevocations(): Promise<Revocation[]>;
  recordCreatedGuest(guest: CreatedGuest): Promise<void>;
  createdGuest(emailHash: string): Promise<CreatedGuest | undefined>;
  forgetCreatedGuest(emailHash: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Audit trail

export const AUDIT_EVENTS = [
  'started',
  'code_sent',
  'verify_failed',
  'locked',
  'verified',
  'provisioned',
  'failed',
  'erased',
  'policy_changed',
  'admin_retry',
  'guest_created',
  'guest_redeemed',
  'guest_reminded',
  'guest_renewal_notice',
  'guest_renewed',
  'guest_disabled',
  'guest_deleted',
  'guest_removed',
  'redemption_reset',
  'not_eligible',
  'approval_requested',
  'approval_decided',
  'revoked',
  'revocation_lifted',
] as const;
export type AuditEventType = (typeof AUDIT_EVENTS)[number];

/** One audit row. Never a code or a full address: `addressHash` is the keyed hash used for limits. */
export interface AuditEvent {
  type: AuditEventType;
  at: string;
  actor: string;
  signupId?: string;
  correlationId?: string;
  addressHash?: string;
  domain?: string;
  details?: Record<string, string | number | boolean>;
  /**
   * For the rows of an erased sign-up: a keyed hash of its signupId, which replaces the id (an admin who
   * knows the id can find the tombstone; the table alone links to nobody).
   */
  subjectHash?: string;
}

/** Append-only event log; rows are only removed by retention or erasure. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /** Events of one sign-up, oldest first. */
  forSignup(signupId: string): Promise<AuditEvent[]>;
  /** Events recorded under a subject hash (an erased sign-up's tombstone), oldest first. */
  forSubject(subjectHash: string): Promise<AuditEvent[]>;
  /**
   * Erasure: rewrites every row of the sign-up as `{type, at, actor}` under `subjectHash` and deletes
   * the originals (no signupId, address hash, domain, correlation id or details remain). Idempotent;
   * resolves the number of rows rewritten.
   */
  eraseSignup(signupId: string, subjectHash: string): Promise<number>;
  /** Retention: deletes every row whose `at` is before `cutoff`; resolves how many. */
  deleteOlderThan(cutoff: Date): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------------
// Queues (admin stats)

export interface QueueInspector {
  /** Approximate number of messages in the queue; 0 when the queue does not exist. */
  approximateDepth(queue: QueueName): Promise<number>;
  /** Seconds since the oldest visible message was inserted (peeked, not dequeued); 0 when empty or absent. */
  oldestMessageAgeSeconds(queue: QueueName, now: Date): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------------
// Tenant readiness (read-only Graph reads of the tenant's B2B settings)

/** The parts of the tenant's settings the readiness check judges, as Graph returns them. */
export interface TenantInspector {
  /** App roles granted to the app's identity (the access token's `roles` claim); undefined when unreadable. */
  grantedRoles(): Promise<string[] | undefined>;
  /** GET /policies/authorizationPolicy (Policy.Read.All). */
  authorizationPolicy(): Promise<{ allowInvitesFrom?: string; guestUserRoleId?: string }>;
  /** GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email (Policy.Read.AuthenticationMethod). */
  emailOtpConfiguration(): Promise<{ state?: string; allowExternalIdToUseEmailOtp?: string }>;
  /** GET /policies/crossTenantAccessPolicy/default (Policy.Read.All): inbound B2B collaboration. */
  inboundB2bCollaboration(): Promise<{ usersAndGroups?: string; applications?: string }>;
  /** The tenant's B2B invitation allow or block list (beta b2bManagementPolicies, Policy.Read.B2BManagementPolicy); undefined = none set. */
  invitationDomainList(): Promise<{ allowed?: string[]; blocked?: string[] } | undefined>;
  /** GET /groups/{id}: undefined when it does not exist. */
  group(groupId: string): Promise<{ id: string; visibility?: string | null } | undefined>;
  /** GET /admin/exchange/tracing/messageTraces?$top=1 (ExchangeMessageTrace.Read.All): throws AccessDeniedError on 401/403. */
  probeMessageTraces(): Promise<void>;
}

/** Graph refused a read (401/403): the identity lacks the permission, so the setting is unknown. */
export class AccessDeniedError extends Error {
  override name = 'AccessDeniedError' as const;
  constructor(readonly status: number) {
    super(`access denied (${status})`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Guest lifecycle (the ledger of guests this service created, and the Graph calls that keep it current)

/** What the lifecycle needs to know about one guest account. */
export interface GuestAccount {
  id: string;
  userType: 'Guest' | 'Member';
  mail?: string | null;
  externalUserState?: string | null;
  accountEnabled: boolean;
  /** From `signInActivity` (needs AuditLog.Read.All); absent when never signed in or not asked. */
  lastSignInDateTime?: string;
}

/**
 * Guest-account operations of the lifecycle, over Graph. Errors as `Directory`: `TransientError` on 429,
 * 503/504 and network failures.
 */
export interface GuestAccounts {
  /** GET /users/{id}; undefined when the user no longer exists. `signInActivity` needs AuditLog.Read.All. */
  getGuest(userId: string, options?: { signInActivity?: boolean }): Promise<GuestAccount | undefined>;
  /**
   * POST /invitations with `resetRedemption: true` and `invitedUser: {id}`: the same object (id, groups,
   * assignments) gets a fresh redeem link and is `PendingAcceptance` again.
   */
  resetRedemption(input: { userId: string; email: string; redirectUrl: string }): Promise<Invitation>;
  /** PATCH /users/{id} `{accountEnabled}`; resolves when the user no longer exists. */
  setAccountEnabled(userId: string, enabled: boolean): Promise<void>;
}

/** Whether an email domain has its own Microsoft Entra tenant (its OpenID configuration answers). */
export interface TenantDiscovery {
  /** Never throws: an unreachable endpoint reads as "unknown" (undefined). */
  hasEntraTenant(domain: string): Promise<boolean | undefined>;
}

/** The guest ledger, one row per guest object id. `update` throws `ConcurrencyError` on a lost race. */
export interface GuestLedgerStore {
  get(objectId: string): Promise<Versioned<GuestEntry> | undefined>;
  /** The live (not deleted) entry for an address hash, if any. */
  byAddress(addressHash: string): Promise<Versioned<GuestEntry> | undefined>;
  /** Inserts, or resolves the existing row unchanged when the guest is already recorded (redelivery). */
  create(entry: GuestEntry): Promise<Versioned<GuestEntry>>;
  update(entry: GuestEntry, etag: string): Promise<Versioned<GuestEntry>>;
  /** Succeeds when already gone. */
  delete(objectId: string): Promise<void>;
  /** One page of entries (optionally of one state); token semantics as `SignupStore.list`. */
  list(query: {
    top: number;
    state?: GuestState;
    continuationToken?: string;
  }): Promise<Page<Versioned<GuestEntry>>>;
}

// ---------------------------------------------------------------------------------------------------------
// Proof-of-work challenges (shared/services/challengeService.ts)

/** Solved challenges already used, shared by every instance so a solution is accepted once anywhere. */
export interface ChallengeLedger {
  /**
   * Records `id` (a solved challenge) as spent until `expiresAt`. Resolves false when it was already spent
   * (a replay). Atomic: of two concurrent calls with one id, exactly one resolves true.
   */
  spend(id: string, expiresAt: Date): Promise<boolean>;
  /** Retention: forgets records that expired before `now` (a replay of those fails on expiry); resolves how many. */
  deleteExpired(now: Date): Promise<number>;
}
