/**
 * Rate limits in Table Storage (window arithmetic in shared/domain/rateWindows.ts), one entity per key (hashed IP, hashed address or a budget
 * name) so no partition is hot, updated with ETag-conditional writes and retried on lost races.
 */
import { odata, type TableClient } from '@azure/data-tables';

import { decide, type Now, type RateWindows as Windows, usage } from '../domain/rateWindows';
import type { CounterEntity, Page, RateDecision, RateLimit, RateLimiter, StoredRateWindows } from '../ports';
import { statusOf } from './storageClients';
import { deleteIfPresent, deleteIfUnchanged, queryPage } from './tablePaging';

const ROW = 'limits';
const MAX_RACES = 20;

export class TableRateLimiter implements RateLimiter {
  constructor(private readonly table: TableClient) {}

  async consume(key: string, limits: readonly RateLimit[], now: Now, count = 1): Promise<RateDecision> {
    for (let race = 0; race < MAX_RACES; race++) {
      const { windows, document, etag } = await this.read(key);
      const { decision, next } = decide(windows, limits, now, count);
      if (!next) return decision;
      // A document kept beside the windows (see `transact`) is written back unchanged.
      const entity = {
        partitionKey: key,
        rowKey: ROW,
        windows: JSON.stringify(next),
        ...(document ? { document } : {}),
      };
      try {
        if (etag) await this.table.updateEntity(entity, 'Replace', { etag });
        else await this.table.createEntity(entity);
        return { allowed: true };
      } catch (error) {
        const status = statusOf(error);
        if (status !== 412 && status !== 409) throw error;
        // Lost the race to another instance: back off a little (jittered) and re-read.
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (race + 1)));
      }
    }
    throw new Error('Rate limiter: too much contention');
  }

  async transact<T>(
    key: string,
    change: (entity: CounterEntity, now: Date) => { next?: CounterEntity; result: T },
    now: Now,
  ): Promise<T> {
    // The email budget's entity is every sender's: more races, each a little longer (the fair-share replay).
    for (let race = 0; race < 3 * MAX_RACES; race++) {
      const { windows, document, etag } = await this.read(key);
      const { next, result } = change({ windows, document }, typeof now === 'function' ? now() : now);
      if (!next) return result;
      const entity = {
        partitionKey: key,
        rowKey: ROW,
        windows: JSON.stringify(next.windows),
        ...(next.document === undefined ? {} : { document: next.document }),
      };
      try {
        if (etag) await this.table.updateEntity(entity, 'Replace', { etag });
        else await this.table.createEntity(entity);
        return result;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 412 && status !== 409) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * Math.min(race + 1, 20)));
      }
    }
    throw new Error('Rate limiter: too much contention');
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
