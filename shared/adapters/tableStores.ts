/**
 * Table Storage adapters for flows and address records. Every replace carries the ETag that was read;
 * a 412 becomes `ConcurrencyError` (a lost race, never success). A flow's partition also holds the audit
 * rows its writes carry (row keys `audit-…`, read by TableAuditLog); listings only ever read `flow` rows.
 */
import { odata, type TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';

import type { SignupFlow } from '../domain/signupFlow';
import { ConcurrencyError } from '../errors';
import type {
  AddressRecord,
  AddressStore,
  AuditEvent,
  Page,
  SignupQuery,
  SignupStore,
  Versioned,
} from '../ports';
import { statusOf } from './storageClients';
import { auditEntity, FLOW_AUDIT_PREFIX } from './tableAudit';
import { deleteIfPresent, deleteIfUnchanged, queryPage } from './tablePaging';

const ROW = 'flow';

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Drops undefined fields and the Table system properties. */
function toEntity(partitionKey: string, rowKey: string, value: object): Entity {
  const entity: Entity = { partitionKey, rowKey };
  for (const [k, v] of Object.entries(value)) if (v !== undefined) entity[k] = v;
  return entity;
}

function fromEntity<T>(entity: TableEntityResult<Record<string, unknown>>): T {
  const { partitionKey: _pk, rowKey: _rk, etag: _etag, timestamp: _ts, ...rest } = entity;
  // The service adds OData annotations (e.g. `odata.metadata`); they are not ours to write back.
  for (const key of Object.keys(rest)) if (key.startsWith('odata.')) delete rest[key];
  return rest as T;
}

async function conditional<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (statusOf(error) === 412 || statusOf(error) === 409)
      throw new ConcurrencyError('Entity changed since it was read');
    throw error;
  }
}

async function getOrUndefined(client: TableClient, pk: string, rk: string) {
  try {
    return await client.getEntity<Record<string, unknown>>(pk, rk);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export class TableSignupStore implements SignupStore {
  constructor(private readonly table: TableClient) {}

  async create(flow: SignupFlow, audit: readonly AuditEvent[] = []): Promise<Versioned<SignupFlow>> {
    const entity = toEntity(flow.signupId, ROW, flow);
    if (audit.length === 0) {
      const res = await conditional(() => this.table.createEntity(entity));
      return { value: flow, etag: res.etag ?? '' };
    }
    return { value: flow, etag: await this.withAudit(['create', entity], flow.signupId, audit) };
  }

  async get(signupId: string): Promise<Versioned<SignupFlow> | undefined> {
    const entity = await getOrUndefined(this.table, signupId, ROW);
    return entity ? { value: fromEntity<SignupFlow>(entity), etag: entity.etag } : undefined;
  }

  async update(
    flow: SignupFlow,
    etag: string,
    audit: readonly AuditEvent[] = [],
  ): Promise<Versioned<SignupFlow>> {
    const entity = toEntity(flow.signupId, ROW, flow);
    if (audit.length === 0) {
      const res = await conditional(() => this.table.updateEntity(entity, 'Replace', { etag }));
      return { value: flow, etag: res.etag ?? '' };
    }
    return {
      value: flow,
      etag: await this.withAudit(['update', entity, 'Replace', { etag }], flow.signupId, audit),
    };
  }

  /** The flow write and its audit rows in one entity-group transaction: one request, all or nothing. */
  private async withAudit(
    write: TransactionAction,
    signupId: string,
    audit: readonly AuditEvent[],
  ): Promise<string> {
    const rows = audit.map((event): TransactionAction => [
      'create',
      auditEntity(event, signupId, FLOW_AUDIT_PREFIX),
    ]);
    const res = await conditional(() => this.table.submitTransaction([write, ...rows]));
    return res.subResponses[0]?.etag ?? '';
  }

  delete(signupId: string): Promise<void> {
    return deleteIfPresent(this.table, signupId, ROW);
  }

  async list(query: SignupQuery): Promise<Page<Versioned<SignupFlow>>> {
    const page = await queryPage(this.table, {
      filter: signupFilter(query),
      top: query.top,
      continuationToken: query.continuationToken,
    });
    return {
      items: page.items.map((e) => ({ value: fromEntity<SignupFlow>(e), etag: e.etag })),
      continuationToken: page.continuationToken,
    };
  }

  deleteIfUnchanged(signupId: string, etag: string): Promise<boolean> {
    return deleteIfUnchanged(this.table, signupId, ROW, etag);
  }
}

/**
 * The server-side filter for a listing. ISO timestamps (all written by `toISOString`) compare correctly
 * as strings; the effective status of a pending flow depends on `expiresAt`, so that is filtered too.
 */
export function signupFilter(query: SignupQuery): string {
  const now = query.now.toISOString();
  const clauses = [odata`RowKey eq ${ROW}`];
  if (query.status === 'expired') {
    clauses.push(
      odata`(status eq 'expired' or ((status eq 'pending_verification' or status eq 'pending_approval') and expiresAt le ${now}))`,
    );
  } else if (query.status === 'pending_verification' || query.status === 'pending_approval') {
    clauses.push(odata`status eq ${query.status} and expiresAt gt ${now}`);
  } else if (query.status) {
    clauses.push(odata`status eq ${query.status}`);
  }
  if (query.domain) clauses.push(odata`domain eq ${query.domain}`);
  if (query.addressKey) clauses.push(odata`addressKey eq ${query.addressKey}`);
  if (query.createdFrom) clauses.push(odata`createdAt ge ${query.createdFrom}`);
  if (query.createdTo) clauses.push(odata`createdAt lt ${query.createdTo}`);
  return clauses.join(' and ');
}

const ADDRESS_ROW = 'address';

export class TableAddressStore implements AddressStore {
  constructor(private readonly table: TableClient) {}

  async get(addressKey: string): Promise<Versioned<AddressRecord> | undefined> {
    const entity = await getOrUndefined(this.table, addressKey, ADDRESS_ROW);
    return entity ? addressFrom(entity) : undefined;
  }

  async setCurrentSignup(addressKey: string, signupId: string): Promise<void> {
    // Merge without an ETag on purpose: concurrent starts race and the last one is the current flow.
    await this.table.upsertEntity(
      { partitionKey: addressKey, rowKey: ADDRESS_ROW, currentSignupId: signupId },
      'Merge',
    );
  }

  async update(record: AddressRecord, etag: string): Promise<Versioned<AddressRecord>> {
    const entity = {
      partitionKey: record.addressKey,
      rowKey: ADDRESS_ROW,
      currentSignupId: record.currentSignupId,
      sentAt: JSON.stringify(record.sentAt),
    };
    const res = await conditional(() => this.table.updateEntity(entity, 'Replace', { etag }));
    return { value: record, etag: res.etag ?? '' };
  }

  delete(addressKey: string): Promise<void> {
    return deleteIfPresent(this.table, addressKey, ADDRESS_ROW);
  }

  async list(options: { top: number; continuationToken?: string }): Promise<Page<Versioned<AddressRecord>>> {
    const page = await queryPage(this.table, { filter: odata`RowKey eq ${ADDRESS_ROW}`, ...options });
    return { items: page.items.map(addressFrom), continuationToken: page.continuationToken };
  }

  deleteIfUnchanged(addressKey: string, etag: string): Promise<boolean> {
    return deleteIfUnchanged(this.table, addressKey, ADDRESS_ROW, etag);
  }
}

function addressFrom(entity: TableEntityResult<Record<string, unknown>>): Versioned<AddressRecord> {
  const sentAt = typeof entity.sentAt === 'string' ? (JSON.parse(entity.sentAt) as number[]) : [];
  const currentSignupId = typeof entity.currentSignupId === 'string' ? entity.currentSignupId : undefined;
  return { value: { addressKey: entity.partitionKey ?? '', currentSignupId, sentAt }, etag: entity.etag };
}
