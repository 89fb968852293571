/**
 * Everything one emulator instance remembers: the directory, plus what tests steer through /_emulator
 * (request log, injected faults, write budget and replication lag).
 */
import { DirectoryModel } from './directoryModel';
import { defaultTenant, type TenantSettings } from './tenant';

export interface WriteLimit {
  writes: number;
  perSeconds: number;
}

export interface EmulatorConfig {
  writeLimit: WriteLimit | null;
  replicationLagMs: number;
}

export interface RequestLogEntry {
  method: string;
  /** Decoded path without the query string, e.g. `/v1.0/groups/g1/members/$ref`. */
  path: string;
  /** Decoded query string without the leading `?` ('' when none). */
  query: string;
  /** 0 while in flight or when the connection was dropped by a fault. */
  status: number;
  time: string;
  /** A few request headers worth asserting on (never Authorization). */
  headers: Record<string, string>;
}

export interface FaultSpec {
  /** Any method when omitted or '*'. */
  method?: string;
  /** Exact path, or a prefix ending in `*`, e.g. `/v1.0/groups/*`. */
  path: string;
  /** Status to answer with; when omitted (with delayMs) the request is served normally after the delay. */
  status?: number;
  times?: number;
  retryAfterSeconds?: number;
  code?: string;
  message?: string;
  /** Wait this long before answering (to exercise client timeouts). */
  delayMs?: number;
  /** Destroy the socket instead of answering (a network error for the client). */
  dropConnection?: boolean;
}

export interface ActiveFault extends FaultSpec {
  id: string;
  remaining: number;
}

const MAX_LOG_ENTRIES = 20_000;

export class GraphEmulatorState extends DirectoryModel {
  readonly requests: RequestLogEntry[] = [];
  faults: ActiveFault[] = [];
  config: EmulatorConfig;
  /** Tenant-wide B2B settings (./tenant.ts); `POST /_emulator/tenant` changes them. */
  tenant: TenantSettings = defaultTenant();
  private writeTimes: number[] = [];

  constructor(
    readonly tenantId: string,
    tenantDomain: string,
    verifiedDomains: string[],
    private readonly initialConfig: EmulatorConfig,
  ) {
    super(tenantDomain, verifiedDomains);
    this.config = { ...initialConfig };
  }

  reset(): void {
    this.clear();
    this.requests.length = 0;
    this.faults = [];
    this.writeTimes = [];
    this.config = { ...this.initialConfig };
    this.tenant = defaultTenant();
  }

  /** Sliding-window write budget; a rejected write does not use up budget. */
  takeWrite(now: number): { ok: true; usedFraction?: number } | { ok: false; retryAfterSeconds: number } {
    const limit = this.config.writeLimit;
    if (!limit) return { ok: true };
    const windowMs = limit.perSeconds * 1000;
    this.writeTimes = this.writeTimes.filter((t) => t > now - windowMs);
    const oldest = this.writeTimes[0];
    if (this.writeTimes.length >= limit.writes && oldest !== undefined) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)) };
    }
    this.writeTimes.push(now);
    return { ok: true, usedFraction: this.writeTimes.length / limit.writes };
  }

  log(entry: RequestLogEntry): void {
    this.requests.push(entry);
    if (this.requests.length > MAX_LOG_ENTRIES)
      this.requests.splice(0, this.requests.length - MAX_LOG_ENTRIES);
  }

  takeFault(method: string, path: string): ActiveFault | undefined {
    const fault = this.faults.find(
      (f) =>
        (!f.method || f.method === '*' || f.method.toUpperCase() === method) &&
        (f.path.endsWith('*') ? path.startsWith(f.path.slice(0, -1)) : f.path === path),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }
}
