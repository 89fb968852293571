import { randomBytes } from 'node:crypto';

import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';

import type { AuditEvent, AuditLog } from '../ports';
import { statusOf } from './storageClients';

/**
 * Audit rows partitioned by sign-up id (or `policy_changed` etc. for events without one, or the subject
 * hash of an erased sign-up), so a flow's history and its erasure are single-partition operations and no
 * partition is hot. Row keys sort by time.
 */
export class TableAuditLog implements AuditLog {
  constructor(private readonly table: TableClient) {}

  async append(event: AuditEvent): Promise<void> {
    const partitionKey = event.signupId ?? event.subjectHash ?? event.type;
    const rowKey = `${event.at}-${randomBytes(4).toString('hex')}`;
    await this.table.createEntity({
      partitionKey,
      rowKey,
      type: event.type,
      at: event.at,
      actor: event.actor,
      signupId: event.signupId,
      correlationId: event.correlationId,
      addressHash: event.addressHash,
      domain: event.domain,
      subjectHash: event.subjectHash,
      details: event.details ? JSON.stringify(event.details) : undefined,
    });
  }

  forSignup(signupId: string): Promise<AuditEvent[]> {
    return this.partition(signupId);
  }

  forSubject(subjectHash: string): Promise<AuditEvent[]> {
    return this.partition(subjectHash);
  }

  async eraseSignup(signupId: string, subjectHash: string): Promise<number> {
    let rewritten = 0;
    for await (const row of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${signupId}` },
    })) {
      const rowKey = row.rowKey ?? '';
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
      await this.deleteIfPresent(signupId, rowKey);
      rewritten++;
    }
    return rewritten;
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    const due: { pk: string; rk: string }[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`at lt ${cutoff.toISOString()}`, select: ['PartitionKey', 'RowKey'] },
    });
    for await (const row of rows) due.push({ pk: row.partitionKey ?? '', rk: row.rowKey ?? '' });
    // A few deletes at a time: retention runs once a day, there is no hurry and no reason to spike.
    for (let i = 0; i < due.length; i += 16) {
      await Promise.all(due.slice(i, i + 16).map((r) => this.deleteIfPresent(r.pk, r.rk)));
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

  private async deleteIfPresent(pk: string, rk: string): Promise<void> {
    try {
      await this.table.deleteEntity(pk, rk);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
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
