/** In-memory implementations of the storage ports: classes, not mocks, with the same ETag semantics. */
import { decide, type Now, type RateWindows, usage } from '../../shared/domain/rateWindows';
import { effectiveStatus, type SignupFlow } from '../../shared/domain/signupFlow';
import { AppError, ConcurrencyError } from '../../shared/errors';
import type { LogSink } from '../../shared/log';
import { DEFAULT_ACCESS_POLICY } from '../../shared/domain/accessPolicy';
import type {
  AccessStore,
  CreatedGuest,
  Revocation,
  AddressRecord,
  AddressStore,
  AuditEvent,
  AuditLog,
  ChallengeLedger,
  Suppression,
  Suppressions,
  Clock,
  CounterEntity,
  Page,
  PolicyProvider,
  PolicyStore,
  QueueInspector,
  QueuePublisher,
  RateDecision,
  RateLimit,
  RateLimiter,
  SignupPolicy,
  SignupQuery,
  SignupStore,
  StoredPolicy,
  StoredRateWindows,
  Versioned,
} from '../../shared/ports';
import type { QueueMessages } from '../../shared/contracts/queues';
import type { QueueName } from '../../shared/storageNames';

let etagCounter = 0;
const nextEtag = () => `W/"${++etagCounter}"`;
const clone = <T>(v: T): T => structuredClone(v);

export class FixedClock implements Clock {
  constructor(private current = new Date('2026-11-25T12:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
}

export class InMemorySignupStore implements SignupStore {
  readonly rows = new Map<string, Versioned<SignupFlow>>();
  /** Where the audit rows a write carries go (the Table adapter keeps them beside the flow). */
  constructor(private readonly audit?: Pick<AuditLog, 'append'>) {}
  async create(flow: SignupFlow, audit: readonly AuditEvent[] = []) {
    if (this.rows.has(flow.signupId)) throw new ConcurrencyError('exists');
    const v = { value: clone(flow), etag: nextEtag() };
    this.rows.set(flow.signupId, v);
    await this.record(audit);
    return clone(v);
  }
  async get(signupId: string) {
    const v = this.rows.get(signupId);
    return v ? clone(v) : undefined;
  }
  async update(flow: SignupFlow, etag: string, audit: readonly AuditEvent[] = []) {
    const current = this.rows.get(flow.signupId);
    if (!current || current.etag !== etag) throw new ConcurrencyError('etag mismatch');
    const v = { value: clone(flow), etag: nextEtag() };
    this.rows.set(flow.signupId, v);
    await this.record(audit);
    return clone(v);
  }
  private async record(audit: readonly AuditEvent[]) {
    if (audit.length > 0 && !this.audit) throw new Error('InMemorySignupStore: audit rows but no audit log');
    for (const event of audit) await this.audit?.append(event);
  }
  async delete(signupId: string) {
    this.rows.delete(signupId);
  }
  async list(query: SignupQuery): Promise<Page<Versioned<SignupFlow>>> {
    return pageOf(this.rows, query, (v) => matchesQuery(v.value, query));
  }
  async deleteIfUnchanged(signupId: string, etag: string) {
    if (this.rows.get(signupId)?.etag !== etag) return false;
    return this.rows.delete(signupId);
  }
}

/** The same selection the Table filter makes (shared/adapters/tableStores.ts `signupFilter`). */
function matchesQuery(flow: SignupFlow, query: SignupQuery): boolean {
  if (query.status && effectiveStatus(flow, query.now) !== query.status) return false;
  if (query.domain && flow.domain !== query.domain) return false;
  if (query.addressKey && flow.addressKey !== query.addressKey) return false;
  if (query.createdFrom && flow.createdAt < query.createdFrom) return false;
  if (query.createdTo && flow.createdAt >= query.createdTo) return false;
  return true;
}

/** Key-ordered pages like Table Storage; the token is the last key returned (base64url). */
function pageOf<T>(
  rows: Map<string, T>,
  options: { top: number; continuationToken?: string },
  keep: (row: T) => boolean = () => true,
): Page<T> {
  let after = '';
  if (options.continuationToken) {
    const decoded = /^[A-Za-z0-9_-]+$/.test(options.continuationToken)
      ? Buffer.from(options.continuationToken, 'base64url').toString('utf8')
      : '';
    if (!decoded.startsWith('k:')) throw new AppError('invalid_request', 'continuationToken is not valid.');
    after = decoded.slice(2);
  }
  const keys = [...rows.keys()].filter((k) => k > after).sort();
  const items: T[] = [];
  let last: string | undefined;
  for (const key of keys) {
    if (items.length >= options.top) break;
    const row = rows.get(key)!;
    last = key;
    if (keep(row)) items.push(clone(row));
  }
  const more = last !== undefined && keys.indexOf(last) < keys.length - 1;
  return {
    items,
    continuationToken: more ? Buffer.from(`k:${last!}`, 'utf8').toString('base64url') : undefined,
  };
}

export class InMemoryAddressStore implements AddressStore {
  readonly rows = new Map<string, Versioned<AddressRecord>>();
  async get(addressKey: string) {
    const v = this.rows.get(addressKey);
    return v ? clone(v) : undefined;
  }
  async setCurrentSignup(addressKey: string, signupId: string) {
    const current = this.rows.get(addressKey)?.value ?? { addressKey, sentAt: [] };
    this.rows.set(addressKey, { value: { ...current, currentSignupId: signupId }, etag: nextEtag() });
  }
  async update(record: AddressRecord, etag: string) {
    const current = this.rows.get(record.addressKey);
    if (!current || current.etag !== etag) throw new ConcurrencyError('etag mismatch');
    const v = { value: clone(record), etag: nextEtag() };
    this.rows.set(record.addressKey, v);
    return clone(v);
  }
  async delete(addressKey: string) {
    this.rows.delete(addressKey);
  }
  async list(options: { top: number; continuationToken?: string }) {
    return pageOf(this.rows, options);
  }
  async deleteIfUnchanged(addressKey: string, etag: string) {
    if (this.rows.get(addressKey)?.etag !== etag) return false;
    return this.rows.delete(addressKey);
  }
}

export class InMemoryRateLimiter implements RateLimiter {
  readonly windows = new Map<string, RateWindows>();
  /** Documents kept beside windows by `transact`. */
  readonly documents = new Map<string, string>();
  private readonly etags = new Map<string, string>();
  /** Every consume, in order: key and how many events it asked for. */
  readonly consumed: Array<{ key: string; count: number }> = [];
  async consume(key: string, limits: readonly RateLimit[], now: Now, count = 1): Promise<RateDecision> {
    this.consumed.push({ key, count });
    const { decision, next } = decide(this.windows.get(key) ?? {}, limits, now, count);
    if (next) {
      this.windows.set(key, next);
      this.etags.set(key, nextEtag());
    }
    return decision;
  }
  async transact<T>(
    key: string,
    change: (entity: CounterEntity, now: Date) => { next?: CounterEntity; result: T },
    now: Now,
  ): Promise<T> {
    const current = { windows: clone(this.windows.get(key) ?? {}), document: this.documents.get(key) };
    const { next, result } = change(current, typeof now === 'function' ? now() : now);
    if (next) {
      this.windows.set(key, clone(next.windows));
      if (next.document === undefined) this.documents.delete(key);
      else this.documents.set(key, next.document);
      this.etags.set(key, nextEtag());
    }
    return result;
  }
  async peek(key: string, limits: readonly RateLimit[], now: Date) {
    const w = this.windows.get(key) ?? {};
    return Object.fromEntries(limits.map((l) => [l.name, usage(w, l, now)]));
  }
  async delete(key: string) {
    this.windows.delete(key);
    this.documents.delete(key);
  }
  async list(options: { top: number; continuationToken?: string }): Promise<Page<StoredRateWindows>> {
    const rows = new Map(
      [...this.windows].map(([key, windows]) => [key, { key, windows, etag: this.etagOf(key) }]),
    );
    return pageOf(rows, options);
  }
  async deleteIfUnchanged(key: string, etag: string) {
    if (!this.windows.has(key) || this.etagOf(key) !== etag) return false;
    this.documents.delete(key);
    return this.windows.delete(key);
  }
  /** Entities written directly by tests get an ETag on first sight. */
  private etagOf(key: string): string {
    let etag = this.etags.get(key);
    if (!etag) this.etags.set(key, (etag = nextEtag()));
    return etag;
  }
}

export interface QueuedMessage<Q extends QueueName = QueueName> {
  queue: Q;
  message: QueueMessages[Q];
  visibilityDelaySeconds?: number;
}

export class InMemoryQueue implements QueuePublisher {
  readonly sent: QueuedMessage[] = [];
  async send<Q extends QueueName>(
    queue: Q,
    message: QueueMessages[Q],
    options: { visibilityDelaySeconds?: number } = {},
  ) {
    this.sent.push({
      queue,
      message: clone(message),
      visibilityDelaySeconds: options.visibilityDelaySeconds,
    });
  }
  on<Q extends QueueName>(queue: Q): QueueMessages[Q][] {
    return this.take(queue, false).map((m) => m.message);
  }
  /** This queue's messages, oldest first; removed from the queue unless `remove` is false. */
  take<Q extends QueueName>(queue: Q, remove = true): QueuedMessage<Q>[] {
    const taken = this.sent.filter((m): m is QueuedMessage<Q> => m.queue === queue);
    if (remove) for (const m of taken) this.sent.splice(this.sent.indexOf(m), 1);
    return taken;
  }
}

export class FixedPolicy implements PolicyProvider {
  constructor(public policy: SignupPolicy = emptyPolicy()) {}
  async get() {
    return this.policy;
  }
}

export function emptyPolicy(overrides: Partial<SignupPolicy> = {}): SignupPolicy {
  return {
    signupsPaused: false,
    organizationDomains: [],
    allowedDomains: [],
    blockedDomains: [],
    pausedDomains: [],
    access: { ...DEFAULT_ACCESS_POLICY },
    ...overrides,
  };
}

/** Revocations and created-guest records in memory. */
export class InMemoryAccessStore implements AccessStore {
  readonly revocations = new Map<string, Revocation>();
  readonly createdGuests = new Map<string, CreatedGuest>();
  getRevocation(emailHash: string): Promise<Revocation | undefined> {
    return Promise.resolve(this.revocations.get(emailHash));
  }
  putRevocation(revocation: Revocation): Promise<void> {
    this.revocations.set(revocation.emailHash, { ...revocation });
    return Promise.resolve();
  }
  deleteRevocation(emailHash: string): Promise<boolean> {
    return Promise.resolve(this.revocations.delete(emailHash));
  }
  listRevocations(): Promise<Revocation[]> {
    return Promise.resolve([...this.revocations.values()]);
  }
  recordCreatedGuest(guest: CreatedGuest): Promise<void> {
    this.createdGuests.set(guest.emailHash, { ...guest });
    return Promise.resolve();
  }
  createdGuest(emailHash: string): Promise<CreatedGuest | undefined> {
    return Promise.resolve(this.createdGuests.get(emailHash));
  }
  forgetCreatedGuest(emailHash: string): Promise<void> {
    this.createdGuests.delete(emailHash);
    return Promise.resolve();
  }
}

/** Captures log lines as parsed JSON events, for assertions and log-scrub checks. */
export class CapturingSink implements LogSink {
  readonly lines: string[] = [];
  log = (...args: unknown[]) => void this.lines.push(args.map(String).join(' '));
  warn = this.log;
  error = this.log;
  events(): Array<Record<string, unknown>> {
    return this.lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
}

export class InMemoryAuditLog implements AuditLog {
  readonly events: AuditEvent[] = [];
  async append(event: AuditEvent) {
    this.events.push(clone(event));
  }
  /** Oldest first, like the table's time-ordered row keys. */
  async forSignup(signupId: string) {
    return byTime(this.events.filter((e) => e.signupId === signupId));
  }
  async forSubject(subjectHash: string) {
    return byTime(this.events.filter((e) => e.signupId === undefined && e.subjectHash === subjectHash));
  }
  async eraseSignup(signupId: string, subjectHash: string) {
    let rewritten = 0;
    for (const [i, e] of this.events.entries()) {
      if (e.signupId !== signupId) continue;
      this.events[i] = { type: e.type, at: e.at, actor: e.actor, subjectHash };
      rewritten++;
    }
    return rewritten;
  }
  async deleteOlderThan(cutoff: Date) {
    const keep = this.events.filter((e) => e.at >= cutoff.toISOString());
    const deleted = this.events.length - keep.length;
    this.events.splice(0, this.events.length, ...keep);
    return deleted;
  }
  types(signupId: string): string[] {
    return this.events.filter((e) => e.signupId === signupId).map((e) => e.type);
  }
}

const byTime = (events: AuditEvent[]) => events.map(clone).sort((a, b) => a.at.localeCompare(b.at));

export class InMemoryPolicyStore implements PolicyStore {
  current?: Versioned<StoredPolicy>;
  async get() {
    return this.current ? clone(this.current) : undefined;
  }
  async put(policy: StoredPolicy, etag: string | undefined) {
    if (this.current?.etag !== etag) throw new ConcurrencyError('The policy changed since it was read');
    this.current = { value: clone(policy), etag: nextEtag() };
    return clone(this.current);
  }
}

export class InMemoryQueueInspector implements QueueInspector {
  readonly depths = new Map<QueueName, number>();
  readonly ages = new Map<QueueName, number>();
  async approximateDepth(queue: QueueName) {
    return this.depths.get(queue) ?? 0;
  }
  async oldestMessageAgeSeconds(queue: QueueName) {
    return this.ages.get(queue) ?? 0;
  }
}

export class InMemoryChallengeLedger implements ChallengeLedger {
  readonly spent = new Map<string, Date>();
  spend(id: string, expiresAt: Date): Promise<boolean> {
    if (this.spent.has(id)) return Promise.resolve(false);
    this.spent.set(id, expiresAt);
    return Promise.resolve(true);
  }
  deleteExpired(now: Date): Promise<number> {
    let n = 0;
    for (const [id, at] of this.spent) if (at < now && this.spent.delete(id)) n++;
    return Promise.resolve(n);
  }
}

/** The suppression list in memory, with the Table adapter's upsert rule (an entry is never shortened). */
export class InMemorySuppressions implements Suppressions {
  readonly entries = new Map<string, Suppression>();
  suppress(entry: Suppression): Promise<boolean> {
    const existing = this.entries.get(entry.addressHash);
    if (existing?.source === entry.source) return Promise.resolve(false);
    const suppressedUntil =
      existing && existing.suppressedUntil > entry.suppressedUntil
        ? existing.suppressedUntil
        : entry.suppressedUntil;
    this.entries.set(entry.addressHash, { ...entry, suppressedUntil });
    return Promise.resolve(true);
  }
  get(addressHash: string, now: Date): Promise<Suppression | undefined> {
    const entry = this.entries.get(addressHash);
    return Promise.resolve(
      entry && Date.parse(entry.suppressedUntil) > now.getTime() ? { ...entry } : undefined,
    );
  }
  countActive(now: Date): Promise<number> {
    return Promise.resolve(
      [...this.entries.values()].filter((e) => Date.parse(e.suppressedUntil) > now.getTime()).length,
    );
  }
  deleteExpired(now: Date): Promise<number> {
    let n = 0;
    for (const [key, e] of this.entries)
      if (Date.parse(e.suppressedUntil) <= now.getTime() && this.entries.delete(key)) n++;
    return Promise.resolve(n);
  }
}
