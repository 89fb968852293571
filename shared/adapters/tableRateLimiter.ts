/**
 * Rate limits in Table Storage (window arithmetic in shared/domain/rateWindows.ts), one entity per key (hashed IP, hashed address or a budget
 * name) so no partition is hot, updated with ETag-conditional writes and retried on lost races.
 */
import { odata, type TableClient } from '@azure/data-tables';

import { withEtagRetry } from '../domain/etagRetry';
import { decide, type Now, type RateWindows as Windows, usage } from '../domain/rateWindows';
import type { CounterEntity, Page, RateDecision, RateLimit, RateLimiter, StoredRateWindows } from '../ports';
import { statusOf } from './storageClients';
import { deleteIfPresent, deleteIfUnchanged, queryPage } from './tablePaging';

const ROW = 'limits';
const MAX_RACES = 20;
const CONTENDED: RateDecision = { allowed: false, retryAfterSeconds: 1, retryAfterMs: 1000 };

class LimiterContention extends Error {
  override name = 'LimiterContention' as const;
}

export class TableRateLimiter implements RateLimiter {
  constructor(private readonly table: TableClient) {}

  async consume(key: string, limits: readonly RateLimit[], now: Now, count = 1): Promise<RateDecision> {
    try {
      return await this.decideAndRecord(key, limits, now, count);
    } catch (error) {
      // Fail closed: a key so contended that every attempt lost is under a burst; "not now, retry in a
      // second" is the limit's own answer (a 429 or a re-queue), never a 500.
      if (error instanceof LimiterContention) return CONTENDED;
      throw error;
    }
  }

  private decideAndRecord(key: string, limits: readonly RateLimit[], now: Now, count: number) {
    return withEtagRetry(
      () => this.read(key),
      async ({ windows, document, etag }): Promise<RateDecision> => {
        const { decision, next } = decide(windows, limits, now, count);
        if (!next) return decision;
        // A document kept beside the windows (see `transact`) is written back unchanged.
        const entity = {
          partitionKey: key,
          rowKey: ROW,
          windows: JSON.stringify(next),
          ...(document ? { document } : {}),
        };
        if (etag) await this.table.updateEntity(entity, 'Replace', { etag });
        else await this.table.createEntity(entity);
        return { allowed: true };
      },
      {
        attempts: MAX_RACES,
        exhausted: () => new LimiterContention('Rate limiter: too much contention'),
        // Lost the race to another instance (412 on replace, 409 on create): back off a little, jittered.
        isLostRace: (error) => statusOf(error) === 412 || statusOf(error) === 409,
        pause: (race) => new Promise((r) => setTimeout(r, Math.random() * 5 * (race + 1))),
      },
    );
  }

  async transact<T>(
    key: string,
    change: (entity: CounterEntity, now: Date) => { next?: CounterEntity; result: T },
    now: Now,
  ): Promise<T> {
    return withEtagRetry(
      () => this.read(key),
      async ({ windows, document, etag }) => {
        const { next, result } = change({ windows, document }, typeof now === 'function' ? now() : now);
        if (!next) return result;
        const entity = {
          partitionKey: key,
          rowKey: ROW,
          windows: JSON.stringify(next.windows),
          ...(next.document === undefined ? {} : { document: next.document }),
        };
        if (etag) await this.table.updateEntity(entity, 'Replace', { etag });
        else await this.table.createEntity(entity);
        return result;
      },
      {
        // The email budget's entity is every sender's: more races, each a little longer (planning a slot).
        attempts: 3 * MAX_RACES,
        exhausted: () => new LimiterContention('Rate limiter: too much contention'),
        isLostRace: (error) => statusOf(error) === 412 || statusOf(error) === 409,
        pause: (race) => new Promise((r) => setTimeout(r, Math.random() * 10 * Math.min(race + 1, 20))),
      },
    );
  }

  async peek(key: string, limits: readonly RateLimit[], now: Date): Promise<Record<string, number>> {
    const { windows } = await this.read(key);
    return Object.fromEntries(limits.map((l) => [l.name, usage(windows, l, now)]));
  }

  delete(key: string): Promise<void> {
    return deleteIfPresent(this.table, key, ROW);
  }

  async list(options: { top: number; continuationToken?: string }): Promise<Page<StoredRateWindows>> {
    const page = await queryPage(this.table, { filter: odata`RowKey eq ${ROW}`, ...options });
    return {
      items: page.items.map((e) => ({
        key: e.partitionKey ?? '',
        windows: typeof e.windows === 'string' ? (JSON.parse(e.windows) as Windows) : {},
        etag: e.etag,
      })),
      continuationToken: page.continuationToken,
    };
  }

  deleteIfUnchanged(key: string, etag: string): Promise<boolean> {
    return deleteIfUnchanged(this.table, key, ROW, etag);
  }

  private async read(key: string): Promise<{ windows: Windows; document?: string; etag?: string }> {
    try {
      const e = await this.table.getEntity<{ windows?: string; document?: string }>(key, ROW);
      return {
        windows: e.windows ? (JSON.parse(e.windows) as Windows) : {},
        document: e.document,
        etag: e.etag,
      };
    } catch (error) {
      if (statusOf(error) === 404) return { windows: {} };
      throw error;
    }
  }
}
