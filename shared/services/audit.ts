import type { SignupFlow } from '../domain/signupFlow';
import type { Logger } from '../log';
import type { AuditEvent, AuditEventType, AuditLog } from '../ports';

type AuditedFlow = Pick<SignupFlow, 'signupId' | 'correlationId' | 'addressKey' | 'domain'>;
type AuditExtra = Partial<Pick<AuditEvent, 'actor' | 'details'>>;

/**
 * The audit row for a change of `flow`. Hot-path state changes hand it to the SignupStore write itself,
 * which stores both in one transaction (the row exists exactly when the change does, one storage request).
 */
export function auditEvent(
  type: AuditEventType,
  flow: AuditedFlow | undefined,
  now: Date,
  extra: AuditExtra = {},
): AuditEvent {
  return {
    type,
    at: now.toISOString(),
    actor: extra.actor ?? 'system',
    signupId: flow?.signupId,
    correlationId: flow?.correlationId,
    addressHash: flow?.addressKey,
    domain: flow?.domain,
    details: extra.details,
  };
}

/**
 * Appends one audit row on its own, for events without a flow write to ride on. The state change it
 * describes has already been written, so a failed audit write is logged at error level (and alerts) rather
 * than failing the person's request.
 */
export async function audit(
  log: AuditLog,
  logger: Logger,
  type: AuditEventType,
  flow: AuditedFlow | undefined,
  now: Date,
  extra: AuditExtra = {},
): Promise<void> {
  const event = auditEvent(type, flow, now, extra);
  try {
    await log.append(event);
  } catch (error) {
    logger.event(
      'audit_write_failed',
      { type, signupId: flow?.signupId, error: error instanceof Error ? error.message : String(error) },
      'error',
    );
  }
}
