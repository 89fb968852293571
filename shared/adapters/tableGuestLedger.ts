/**
 * The guest ledger in its own table: partition = guest object id (one row each, no hot partition),
 * `groups` stored as JSON. Replaces carry the ETag read; a 412 is a `ConcurrencyError`.
 */
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';

import type { GuestEntry, GuestState } from '../domain/guestLedger';
import { ConcurrencyError } from '../errors';
import type { GuestLedgerStore, Page, Versioned } from '../ports';
import { statusOf } from './storageClients';
import { deleteIfPresent, queryPage } from './tablePaging';

const ROW = 'guest';

function toEntity(entry: GuestEntry): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: entry.objectId,
    rowKey: ROW,
  };
  for (const [key, value] of Object.entries(entry)) {
    if (value === undefined) continue;
    entity[key] = key === 'groups' ? JSON.stringify(value) : value;
  }
  return entity;
}

function fromEntity(entity: TableEntityResult<Record<string, unknown>>): Versioned<GuestEntry> {
  const { partitionKey: _pk, rowKey: _rk, etag, timestamp: _ts, groups, ...rest } = entity;
  for (const key of Object.keys(rest)) if (key.startsWith('odata.')) delete rest[key];
  const parsed: unknown = typeof groups === 'string' ? JSON.parse(groups) : [];
  return {
    value: { ...(rest as unknown as GuestEntry), groups: Array.isArray(parsed) ? parsed.map(String) : [] },
    etag,
  };
}

export class TableGuestLedger implements GuestLedgerStore {
  constructor(private readonly table: TableClient) {}

  async get(objectId: string): Promise<Versioned<GuestEntry> | undefined> {
    try {
      return fromEntity(await this.table.getEntity<Record<string, unknown>>(objectId, ROW));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async byAddress(addressHash: string): Promise<Versioned<GuestEntry> | undefined> {
    const filter = odata`addressHash eq ${addressHash} and state ne ${'deleted'}`;
    for await (const entity of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter },
    }))
      return fromEntity(entity);
    return undefined;
  }

  async create(entry: GuestEntry): Promise<Versioned<GuestEntry>> {
    try {
      const res = await this.table.createEntity(toEntity(entry));
      return { value: entry, etag: res.etag ?? '' };
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      const existing = await this.get(entry.objectId);
      if (!existing) throw error;
      return existing;
    }
  }

  async update(entry: GuestEntry, etag: string): Promise<Versioned<GuestEntry>> {
    try {
      const res = await this.table.updateEntity(toEntity(entry), 'Replace', { etag });
      return { value: entry, etag: res.etag ?? '' };
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404)
        throw new ConcurrencyError('Guest ledger entry changed since it was read');
      throw error;
    }
  }

  delete(objectId: string): Promise<void> {
    return deleteIfPresent(this.table, objectId, ROW);
  }

  async list(query: {
    top: number;
    state?: GuestState;
    continuationToken?: string;
  }): Promise<Page<Versioned<GuestEntry>>> {
    const page = await queryPage(this.table, {
      filter: query.state ? odata`state eq ${query.state}` : undefined,
      top: query.top,
      continuationToken: query.continuationToken,
    });
    return { items: page.items.map(fromEntity), continuationToken: page.continuationToken };
  }
}
