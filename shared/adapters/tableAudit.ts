import { randomBytes } from 'node:crypto';

import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';

import type { AuditEvent, AuditLog } from '../ports';
import { deleteIfPresent } from './tablePaging';

/** Row-key prefix of the audit rows a flow write stores beside the flow, in the signups table. */
export const FLOW_AUDIT_PREFIX = 'audit-';
const FLOW_AUDIT_RANGE = odata`RowKey gt ${FLOW_AUDIT_PREFIX} and RowKey lt ${'audit.'}`;

/** The entity of one audit row; row keys sort by time. */
export function auditEntity(event: AuditEvent, partitionKey: string, rowKeyPrefix = '') {
  return {
    partitionKey,
    rowKey: `${rowKeyPrefix}${event.at}-${randomBytes(4).toString('hex')}`,
    type: event.type,
    at: event.at,
    actor: event.actor,
    signupId: event.signupId,
    correlationId: event.correlationId,
    addressHash: event.addressHash,
    domain: event.domain,
    subjectHash: event.subjectHash,
    details: event.details ? JSON.stringify(event.details) : undefined,
  };
}

/**
 * Audit rows partitioned by sign-up id (or `policy_changed` etc. for events without one, or the subject
 * hash of an erased sign-up), so a flow's history and its erasure are single-partition operations and no
 * partition is hot. Row keys sort by time.
 *
 * The state changes of a journey write their rows in the flow's own partition of the signups table
 * (`flows`), in the same transaction as the change (TableSignupStore); this log reads, erases and expires
 * those too.
 */
export class TableAuditLog implements AuditLog {
  constructor(
    private readonly table: TableClient,
    private readonly flows?: TableClient,
  ) {}

  async append(event: AuditEvent): Promise<void> {
    await this.table.createEntity(auditEntity(event, event.signupId ?? event.subjectHash ?? event.type));
  }

  async forSignup(signupId: string): Promise<AuditEvent[]> {
    const [own, beside] = await Promise.all([this.partition(signupId), this.flowRows(signupId)]);
    return [...own, ...beside.map(toEvent)].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  forSubject(subjectHash: string): Promise<AuditEvent[]> {
    return this.partition(subjectHash);
  }

  async eraseSignup(signupId: string, subjectHash: string): Promise<number> {
    const rows: Array<{ table: TableClient; row: TableEntityResult<Record<string, unknown>> }> = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${signupId}` },
    }))
      rows.push({ table: this.table, row });
    if (this.flows) for (const row of await this.flowRows(signupId)) rows.push({ table: this.flows, row });
    for (const { table, row } of rows) {
      const rowKey = (row.rowKey ?? '').replace(FLOW_AUDIT_PREFIX, '');
      // Only what the event was, when, and who acted: nothing that links to the person.
      await this.table.upsertEntity(
        {
          partitionKey: subjectHash,
          rowKey,
          type: String(row.type),
          at: String(row.at),
          actor: String(row.actor),
          subjectHash,
        },
        'Replace',
      );
      await deleteIfPresent(table, signupId, row.rowKey ?? '');
    }
    return rows.length;
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    const due: Array<{ table: TableClient; pk: string; rk: string }> = [];
    const expired = odata`at lt ${cutoff.toISOString()}`;
    const sources: Array<[TableClient, string]> = [[this.table, expired]];
    if (this.flows) sources.push([this.flows, `${FLOW_AUDIT_RANGE} and ${expired}`]);
    for (const [table, filter] of sources) {
      const rows = table.listEntities<Record<string, unknown>>({
        queryOptions: { filter, select: ['PartitionKey', 'RowKey'] },
      });
      for await (const row of rows) due.push({ table, pk: row.partitionKey ?? '', rk: row.rowKey ?? '' });
    }
    // A few deletes at a time: retention runs once a day, there is no hurry and no reason to spike.
    for (let i = 0; i < due.length; i += 16) {
      await Promise.all(due.slice(i, i + 16).map((r) => deleteIfPresent(r.table, r.pk, r.rk)));
    }
    return due.length;
  }

  private async partition(partitionKey: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
    });
    for await (const row of rows) events.push(toEvent(row));
    return events;
  }

  /** The rows flow writes stored beside the flow. */
  private async flowRows(signupId: string): Promise<Array<TableEntityResult<Record<string, unknown>>>> {
    if (!this.flows) return [];
    const rows: Array<TableEntityResult<Record<string, unknown>>> = [];
    for await (const row of this.flows.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `${odata`PartitionKey eq ${signupId}`} and ${FLOW_AUDIT_RANGE}` },
    }))
      rows.push(row);
    return rows;
  }
}

const optional = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function toEvent(row: TableEntityResult<Record<string, unknown>>): AuditEvent {
  const event: AuditEvent = {
    type: row.type as AuditEvent['type'],
    at: String(row.at),
    actor: String(row.actor),
  };
  const fields = {
    signupId: row.signupId,
    correlationId: row.correlationId,
    addressHash: row.addressHash,
    domain: row.domain,
    subjectHash: row.subjectHash,
  };
  for (const [key, value] of Object.entries(fields)) {
    const v = optional(value);
    if (v !== undefined) (event as unknown as Record<string, string>)[key] = v;
  }
  if (typeof row.details === 'string') event.details = JSON.parse(row.details) as AuditEvent['details'];
  return event;
}
