/**
 * The queue messages: ids only (never an address or a code), one schema per queue. Queue-triggered
 * functions parse with these (the payload is untrusted) and every send is typed by `QueueMessages`.
 */
import { z } from 'zod';

import { QUEUES, type QueueName } from '../storageNames';

const signupId = z.string().min(1).max(64);

/**
 * W3C trace context of the sender (shared/telemetry/traced.ts puts it in every message), so the consumer
 * continues the same trace. Optional, and a malformed value is dropped rather than failing the message:
 * tracing must never cost a sign-up.
 */
const traceContext = {
  traceparent: z
    .string()
    .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional()
    .catch(undefined),
  tracestate: z.string().max(512).optional().catch(undefined),
};

export const EMAIL_KINDS = [
  'verification_code',
  'account_ready',
  'signup_failed',
  'not_eligible',
  'approval_request',
] as const;

/** `signup-email` (and its poison queue): which email to send for which sign-up. */
export const EmailMessage = z.object({
  signupId,
  // Messages queued before `kind` existed were code emails.
  kind: z.enum(EMAIL_KINDS).default('verification_code'),
  ...traceContext,
});
export type EmailMessage = z.infer<typeof EmailMessage>;

/** `signup-provision` (and its poison queue): a verified sign-up to turn into a guest account. */
export const ProvisionMessage = z.object({ signupId, ...traceContext });
export type ProvisionMessage = z.infer<typeof ProvisionMessage>;

/** The schema of each queue's messages (a poison queue holds its queue's messages). */
export const QUEUE_SCHEMAS = {
  [QUEUES.email]: EmailMessage,
  [QUEUES.emailPoison]: EmailMessage,
  [QUEUES.provision]: ProvisionMessage,
  [QUEUES.provisionPoison]: ProvisionMessage,
} as const satisfies Record<QueueName, z.ZodType>;

/** What a sender writes to each queue (`z.input`: defaults may be left out). */
export type QueueMessages = { [Q in QueueName]: z.input<(typeof QUEUE_SCHEMAS)[Q]> };
