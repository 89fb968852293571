import { randomBytes } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';

import type { AuditEvent, AuditLog } from '../ports';

/**
 * Audit rows partitioned by sign-up id (or `policy` for policy changes), so a flow's history and its
 * erasure are single-partition operations and no partition is hot. Row keys sort by time.
 */
export class TableAuditLog implements AuditLog {
  constructor(private readonly table: TableClient) {}

  async append(event: AuditEvent): Promise<void> {
    const partitionKey = event.signupId ?? event.type;
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
      details: event.details ? JSON.stringify(event.details) : undefined,
    });
  }

  async forSignup(signupId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${signupId.replace(/'/g, "''")}'` },
    });
    for await (const row of rows) {
      events.push({
        type: row.type as AuditEvent['type'],
        at: String(row.at),
        actor: String(row.actor),
        signupId: row.signupId as string | undefined,
        correlationId: row.correlationId as string | undefined,
        addressHash: row.addressHash as string | undefined,
        domain: row.domain as string | undefined,
        details:
          typeof row.details === 'string' ? (JSON.parse(row.details) as AuditEvent['details']) : undefined,
      });
    }
    return events;
  }
}
