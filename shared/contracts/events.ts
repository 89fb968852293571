/**
 * Event Grid events the app subscribes to (Event Grid schema). ACS email delivery reports:
 * `Microsoft.Communication.EmailDeliveryReportReceived`, data as documented for
 * AcsEmailDeliveryReportReceivedEventData. The payload is untrusted: parse, never cast.
 */
import { z } from 'zod';

export const EMAIL_DELIVERY_REPORT_EVENT = 'Microsoft.Communication.EmailDeliveryReportReceived';

/** ACS delivery statuses; anything but `Delivered` means the message did not arrive. */
export const ACS_DELIVERY_STATUSES = [
  'Delivered',
  'Failed',
  'Suppressed',
  'Bounced',
  'Quarantined',
  'FilteredSpam',
  'Expanded',
] as const;
export type AcsDeliveryStatus = (typeof ACS_DELIVERY_STATUSES)[number];

const instant = z.string().max(64);

/** Any Event Grid event: only the type is read before deciding whether the app handles it. */
export const EventGridEnvelope = z.object({
  id: z.string().max(256).optional(),
  eventType: z.string().max(256),
});

export const EmailDeliveryReport = z.object({
  id: z.string().max(256).optional(),
  eventType: z.literal(EMAIL_DELIVERY_REPORT_EVENT),
  eventTime: instant.optional(),
  data: z.object({
    recipient: z.string().min(3).max(320),
    sender: z.string().max(320).optional(),
    messageId: z.string().max(256).optional(),
    // An unknown future status is kept as text and only counted, never acted on.
    status: z.string().min(1).max(64),
    deliveryStatusDetails: z.object({ statusMessage: z.string().max(2048).optional() }).optional(),
    // The service sends `deliveryAttemptTimeStamp`; the SDK types spell it `deliveryAttemptTimestamp`.
    deliveryAttemptTimeStamp: instant.optional(),
    deliveryAttemptTimestamp: instant.optional(),
  }),
});
export type EmailDeliveryReport = z.infer<typeof EmailDeliveryReport>;
