/**
 * Revocations and created-guest records in the policy table (their own partitions), so the access model
 * needs no new table: both are small, keyed by the address's keyed hash, and read one entity at a time.
 */
import { odata, type TableClient } from '@azure/data-tables';

import type { AccessStore, CreatedGuest, Revocation } from '../ports';
import { statusOf } from './storageClients';
import { deleteIfPresent, queryPage } from './tablePaging';

const REVOKED = 'revocation';
const CREATED = 'created-guest';

export class TableAccessStore implements AccessStore {
  constructor(private readonly table: TableClient) {}

  async getRevocation(emailHash: string): Promise<Revocation | undefined> {
    const e = await this.read(REVOKED, emailHash);
    return e ? toRevocation(e) : undefined;
  }

  async putRevocation(r: Revocation): Promise<void> {
    await this.table.upsertEntity(
      {
        partitionKey: REVOKED,
        rowKey: r.emailHash,
        revokedAt: r.revokedAt,
        revokedBy: r.revokedBy,
        ...(r.reason ? { reason: r.reason } : {}),
        guestDeleted: r.guestDeleted,
        groupsRemoved: r.groupsRemoved,
      },
      'Replace',
    );
  }

  async deleteRevocation(emailHash: string): Promise<boolean> {
    try {
      await this.table.deleteEntity(REVOKED, emailHash);
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  async listRevocations(): Promise<Revocation[]> {
    const out: Revocation[] = [];
    let token: string | undefined;
    do {
      const page = await queryPage(this.table, {
        filter: odata`PartitionKey eq ${REVOKED}`,
        top: 1000,
        continuationToken: token,
      });
      out.push(...page.items.map(toRevocation));
      token = page.continuationToken;
    } while (token);
    return out;
  }

  async recordCreatedGuest(guest: CreatedGuest): Promise<void> {
    await this.table.upsertEntity(
      { partitionKey: CREATED, rowKey: guest.emailHash, userId: guest.userId, createdAt: guest.createdAt },
      'Replace',
    );
  }

  async createdGuest(emailHash: string): Promise<CreatedGuest | undefined> {
    const e = await this.read(CREATED, emailHash);
    return e ? { emailHash, userId: String(e.userId), createdAt: String(e.createdAt) } : undefined;
  }

  forgetCreatedGuest(emailHash: string): Promise<void> {
    return deleteIfPresent(this.table, CREATED, emailHash);
  }

  private async read(pk: string, rk: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.table.getEntity<Record<string, unknown>>(pk, rk);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }
}

function toRevocation(e: Record<string, unknown>): Revocation {
  return {
    emailHash: String(e.rowKey),
    revokedAt: String(e.revokedAt),
    revokedBy: String(e.revokedBy),
    ...(typeof e.reason === 'string' ? { reason: e.reason } : {}),
    guestDeleted: e.guestDeleted === true,
    groupsRemoved: Number(e.groupsRemoved ?? 0),
  };
}
