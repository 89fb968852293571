/**
 * Spent proof-of-work solutions in Table Storage: one entity per solved challenge (partition = its id, so
 * no partition is hot), created with an insert that fails with 409 when the id is already there. That
 * conflict is the replay check, atomic across instances.
 */
import { odata, type TableClient } from '@azure/data-tables';

import type { ChallengeLedger } from '../ports';
import { statusOf } from './storageClients';
import { deleteIfPresent, queryPage } from './tablePaging';

const ROW = 'spent';

export class TableChallengeLedger implements ChallengeLedger {
  constructor(private readonly table: TableClient) {}

  async spend(id: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.table.createEntity({ partitionKey: id, rowKey: ROW, expiresAt });
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  async deleteExpired(now: Date): Promise<number> {
    let deleted = 0;
    let continuationToken: string | undefined;
    do {
      const page = await queryPage(this.table, {
        filter: odata`RowKey eq ${ROW} and expiresAt lt ${now}`,
        top: 1000,
        continuationToken,
        select: ['PartitionKey', 'RowKey'],
      });
      for (const e of page.items) {
        await deleteIfPresent(this.table, e.partitionKey ?? '', ROW);
        deleted++;
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return deleted;
  }
}
