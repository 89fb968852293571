import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';

import { deps } from '../shared/container';
import { createLogger } from '../shared/log';
import type { BounceService } from '../shared/services/bounceService';

/**
 * ACS email delivery reports (Event Grid system topic on the Communication Services resource, subscription
 * filtered to Microsoft.Communication.EmailDeliveryReportReceived; infra/modules/email.bicep). A bounce puts
 * the address on the suppression list; other statuses are counted; other event types are logged and ignored.
 * A thrown error (storage down) fails the invocation and Event Grid redelivers; handling is idempotent.
 */
export const makeEmailDeliveryReport =
  (d: { bounceService: Pick<BounceService, 'handleReport'> }) =>
  async (event: EventGridEvent, ctx: InvocationContext): Promise<void> => {
    const log = createLogger(ctx, {
      function: ctx.functionName,
      correlationId: ctx.invocationId,
      eventId: typeof event?.id === 'string' ? event.id : undefined,
    });
    await d.bounceService.handleReport(event, log);
  };

app.eventGrid('emailDeliveryReport', {
  handler: (event, ctx) => makeEmailDeliveryReport(deps())(event, ctx),
});
