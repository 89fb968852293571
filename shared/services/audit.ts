import type { SignupFlow } from '../domain/signupFlow';
import type { Logger } from '../log';
import type { AuditEvent, AuditEventType, AuditLog } from '../ports';

/**
 * Appends one audit row for a flow. The state change it describes has already been written, so a failed
 * audit write is logged at error level (and alerts) rather than failing the person's request.
 */
export async function audit(
  log: AuditLog,
  logger: Logger,
  type: AuditEventType,
  flow: Pick<SignupFlow, 'signupId' | 'correlationId' | 'addressKey' | 'domain'> | undefined,
  now: Date,
  extra: Partial<Pick<AuditEvent, 'actor' | 'details'>> = {},
): Promise<void> {
  const event: AuditEvent = {
    type,
    at: now.toISOString(),
    actor: extra.actor ?? 'system',
    signupId: flow?.signupId,
    correlationId: flow?.correlationId,
    addressHash: flow?.addressKey,
    domain: flow?.domain,
    details: extra.details,
  };
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
