/**
 * The email suppression list in Table Storage: one entity per address hash (partition = the hash, so no
 * partition is hot). Writes are upserts that never shorten an entry, so a redelivered or out-of-order
 * report changes nothing; two concurrent writers both only extend it.
 */
import { odata, type TableClient } from '@azure/data-tables';

import { SUPPRESSION_REASONS, type Suppression, type SuppressionReason, type Suppressions } from '../ports';
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

  async suppress(entry: Suppression): Promise<boolean> {
    const existing = await this.read(entry.addressHash);
    if (existing?.source === entry.source) return false;
    const until =
      existing && existing.suppressedUntil > entry.suppressedUntil
        ? existing.suppressedUntil
        : entry.suppressedUntil;
    await this.table.upsertEntity<SuppressionEntity>(
      {
        partitionKey: entry.addressHash,
        rowKey: ROW,
        reason: entry.reason,
        source: entry.source,
        suppressedAt: entry.suppressedAt,
        suppressedUntil: new Date(until),
      },
      'Replace',
    );
    return true;
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
    try {
      const e = await this.table.getEntity<SuppressionEntity>(addressHash, ROW);
      return {
        addressHash,
        reason: reasonOf(e.reason),
        source: e.source,
        suppressedAt: e.suppressedAt,
        suppressedUntil: new Date(e.suppressedUntil).toISOString(),
      };
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
