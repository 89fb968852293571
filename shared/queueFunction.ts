import type { InvocationContext } from '@azure/functions';
import type { z } from 'zod';

import type { QUEUE_SCHEMAS } from './contracts/queues';
import { createLogger, type Logger } from './log';
import type { QueuePublisher } from './ports';
import type { QueueName } from './storageNames';
import { tracing, validCarrier } from './telemetry';

export type QueueOutcome = { action: string } | { action: 'requeue'; delaySeconds: number; reason: string };

/**
 * Wraps a queue handler: parses the untrusted payload with its schema (a malformed message is logged and
 * dropped: no retry can fix it), logs with the message id, and turns a `requeue` outcome into a new
 * message with a visibility delay, so waiting for a quota or Retry-After never burns a dequeue (req 52).
 * Thrown errors propagate: the host retries and finally moves the message to the poison queue.
 * Each invocation is a consumer span continuing the trace the message carries (`traceparent`), so one
 * sign-up is one trace across every queue hop.
 */
export function queueFunction<Q extends QueueName, S extends (typeof QUEUE_SCHEMAS)[Q]>(
  queue: Q,
  schema: S,
  handle: (message: z.output<S>, log: Logger, ctx: InvocationContext) => Promise<QueueOutcome | void>,
  publisher: () => QueuePublisher,
) {
  return (payload: unknown, ctx: InvocationContext): Promise<void> =>
    tracing.inSpan(
      `${queue} process`,
      {
        kind: 'consumer',
        parent: validCarrier(payload),
        attributes: {
          'messaging.system': 'azure_storage_queue',
          'messaging.destination.name': queue,
          'faas.invocation_id': ctx.invocationId,
        },
      },
      () => run(payload, ctx),
    );

  async function run(payload: unknown, ctx: InvocationContext): Promise<void> {
    const log = createLogger(ctx, {
      function: ctx.functionName,
      messageId: typeof ctx.triggerMetadata?.id === 'string' ? ctx.triggerMetadata.id : undefined,
      dequeueCount: Number(ctx.triggerMetadata?.dequeueCount ?? 0),
    });
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      log.event('invalid_queue_message', { queue, issues: parsed.error.issues.length }, 'error');
      return;
    }
    const outcome = await handle(parsed.data as z.output<S>, log, ctx);
    if (outcome && outcome.action === 'requeue' && 'delaySeconds' in outcome) {
      await publisher().send(queue, parsed.data, {
        visibilityDelaySeconds: Math.max(1, Math.min(outcome.delaySeconds, 7 * 24 * 3600)),
      });
    }
  }
}
