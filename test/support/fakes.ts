/** In-memory implementations of the storage ports: classes, not mocks, with the same ETag semantics. */
import type { SignupFlow } from '../../shared/domain/signupFlow';
import { ConcurrencyError } from '../../shared/errors';
import type { LogSink } from '../../shared/log';
import type {
  AddressRecord,
  AddressStore,
  AuditEvent,
  AuditLog,
  Clock,
  PolicyProvider,
  QueuePublisher,
  RateDecision,
  RateLimit,
  RateLimiter,
  SignupPolicy,
  SignupStore,
  Versioned,
} from '../../shared/ports';
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
  async create(flow: SignupFlow) {
    if (this.rows.has(flow.signupId)) throw new ConcurrencyError('exists');
    const v = { value: clone(flow), etag: nextEtag() };
    this.rows.set(flow.signupId, v);
    return clone(v);
  }
  async get(signupId: string) {
    const v = this.rows.get(signupId);
    return v ? clone(v) : undefined;
  }
  async update(flow: SignupFlow, etag: string) {
    const current = this.rows.get(flow.signupId);
    if (!current || current.etag !== etag) throw new ConcurrencyError('etag mismatch');
    const v = { value: clone(flow), etag: nextEtag() };
    this.rows.set(flow.signupId, v);
    return clone(v);
  }
  async delete(signupId: string) {
    this.rows.delete(signupId);
  }
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
}

export class InMemoryRateLimiter implements RateLimiter {
  readonly windows = new Map<string, Record<string, { start: number; count: number }>>();
  async consume(key: string, limits: readonly RateLimit[], now: Date): Promise<RateDecision> {
    const w = this.windows.get(key) ?? {};
    const start = (l: RateLimit) =>
      Math.floor(now.getTime() / (l.windowSeconds * 1000)) * l.windowSeconds * 1000;
    const used = (l: RateLimit) => (w[l.name]?.start === start(l) ? (w[l.name]?.count ?? 0) : 0);
    const exhausted = limits.filter((l) => used(l) >= l.limit);
    if (exhausted.length) {
      const retryAt = Math.max(...exhausted.map((l) => start(l) + l.windowSeconds * 1000));
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now.getTime()) / 1000)) };
    }
    const next: Record<string, { start: number; count: number }> = {};
    for (const l of limits) next[l.name] = { start: start(l), count: used(l) + 1 };
    this.windows.set(key, next);
    return { allowed: true };
  }
  async peek(key: string, limits: readonly RateLimit[], now: Date) {
    const w = this.windows.get(key) ?? {};
    return Object.fromEntries(
      limits.map((l) => {
        const s = Math.floor(now.getTime() / (l.windowSeconds * 1000)) * l.windowSeconds * 1000;
        return [l.name, w[l.name]?.start === s ? (w[l.name]?.count ?? 0) : 0];
      }),
    );
  }
  async delete(key: string) {
    this.windows.delete(key);
  }
}

export interface QueuedMessage {
  queue: QueueName;
  message: Record<string, unknown>;
  visibilityDelaySeconds?: number;
}

export class InMemoryQueue implements QueuePublisher {
  readonly sent: QueuedMessage[] = [];
  async send(
    queue: QueueName,
    message: Record<string, unknown>,
    options: { visibilityDelaySeconds?: number } = {},
  ) {
    this.sent.push({
      queue,
      message: clone(message),
      visibilityDelaySeconds: options.visibilityDelaySeconds,
    });
  }
  on(queue: QueueName): Record<string, unknown>[] {
    return this.sent.filter((m) => m.queue === queue).map((m) => m.message);
  }
  take(queue: QueueName): QueuedMessage[] {
    const taken = this.sent.filter((m) => m.queue === queue);
    for (const m of taken) this.sent.splice(this.sent.indexOf(m), 1);
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
    ...overrides,
  };
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
  async forSignup(signupId: string) {
    return this.events.filter((e) => e.signupId === signupId).map(clone);
  }
  types(signupId: string): string[] {
    return this.events.filter((e) => e.signupId === signupId).map((e) => e.type);
  }
}
