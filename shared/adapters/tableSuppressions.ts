/**
 * The email suppression list in Table Storage: one entity per address hash (partition = the hash, so no
 * partition is hot). Writes never shorten an entry, and each is conditional on what was read (create, or
 * replace with its ETag), so of two deliveries of one report racing, exactly one is new.
 */
import { odata, type TableClient } from '@azure/data-tables';

import { SUPPRESSION_REASONS, type Suppression, type SuppressionReason, type Suppressions } from '../ports';
import { withEtagRetry } from '../domain/etagRetry';
import { statusOf } from './storageClients';
import { deleteIfPresent, queryPage } from './tablePaging';

const ROW = 'suppressed';

interface SuppressionEntity {
  partitionKey: string;
  rowKey: string;
  reason: string;
  source: string;
  suppressedAt: string;
  suppressedUntil: Date;
}

export class TableSuppressions implements Suppressions {
  constructor(private readonly table: TableClient) {}

  suppress(entry: Suppression): Promise<boolean> {
    return withEtagRetry(
      () => this.readVersioned(entry.addressHash),
      async (existing) => {
        if (existing?.value.source === entry.source) return false;
        const until =
          existing && existing.value.suppressedUntil > entry.suppressedUntil
            ? existing.value.suppressedUntil
            : entry.suppressedUntil;
        const entity: SuppressionEntity = {
          partitionKey: entry.addressHash,
          rowKey: ROW,
          reason: entry.reason,
          source: entry.source,
          suppressedAt: entry.suppressedAt,
          suppressedUntil: new Date(until),
        };
        if (existing) await this.table.updateEntity(entity, 'Replace', { etag: existing.etag });
        else await this.table.createEntity(entity);
        return true;
      },
      {
        attempts: 5,
        exhausted: () => new Error('Suppression list: too much contention'),
        isLostRace: (error) => statusOf(error) === 412 || statusOf(error) === 409,
      },
    );
  }

  async get(addressHash: string, now: Date): Promise<Suppression | undefined> {
    const entry = await this.read(addressHash);
    return entry && Date.parse(entry.suppressedUntil) > now.getTime() ? entry : undefined;
  }

  countActive(now: Date): Promise<number> {
    return this.forEachKey('gt', now, () => Promise.resolve());
  }

  deleteExpired(now: Date): Promise<number> {
    return this.forEachKey('le', now, (pk) => deleteIfPresent(this.table, pk, ROW));
  }

  /** Visits every entry whose `suppressedUntil` compares to `now` as `op`; resolves how many. */
  private async forEachKey(
    op: 'gt' | 'le',
    now: Date,
    visit: (partitionKey: string) => Promise<void>,
  ): Promise<number> {
    let count = 0;
    let continuationToken: string | undefined;
    do {
      const page = await queryPage(this.table, {
        // Literal datetime: an ISO instant holds no quote. (The app clock may hand over a Date from another
        // realm, which `odata` would quote as a string.)
        filter: `${odata`RowKey eq ${ROW}`} and suppressedUntil ${op} datetime'${new Date(now.getTime()).toISOString()}'`,
        top: 1000,
        continuationToken,
        select: ['PartitionKey'],
      });
      for (const e of page.items) await visit(e.partitionKey ?? '');
      count += page.items.length;
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return count;
  }

  private async read(addressHash: string): Promise<Suppression | undefined> {
    return (await this.readVersioned(addressHash))?.value;
  }

  private async readVersioned(
    addressHash: string,
  ): Promise<{ value: Suppression; etag: string } | undefined> {
    try {
      const e = await this.table.getEntity<SuppressionEntity>(addressHash, ROW);
      const value: Suppression = {
        addressHash,
        reason: reasonOf(e.reason),
        source: e.source,
        suppressedAt: e.suppressedAt,
        suppressedUntil: new Date(e.suppressedUntil).toISOString(),
      };
      return { value, etag: e.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }
}

function reasonOf(value: string): SuppressionReason {
  return (SUPPRESSION_REASONS as readonly string[]).includes(value)
    ? (value as SuppressionReason)
    : 'bounced';
}
