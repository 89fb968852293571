import { app, type InvocationContext, type Timer } from '@azure/functions';

import { deps } from '../shared/container';
import { createLogger } from '../shared/log';
import type { GuestLifecycle } from '../shared/services/guestLifecycle';

/** Hourly at :45 (NCRONTAB, six fields): reminders and notices go out within an hour of being due. */
export const GUEST_LIFECYCLE_SCHEDULE = '0 45 * * * *';

/** One pass of the guest lifecycle (shared/services/guestLifecycle.ts); idempotent, so a killed run is simply repeated. */
export const makeGuestLifecycle =
  (d: { guestLifecycle: GuestLifecycle }) =>
  async (timer: Timer, ctx: InvocationContext): Promise<void> => {
    const log = createLogger(ctx, { function: ctx.functionName, correlationId: ctx.invocationId });
    if (timer.isPastDue) log.event('guest_lifecycle_past_due', {}, 'warn');
    await d.guestLifecycle.sweep(log);
  };

app.timer('guestLifecycle', {
  schedule: GUEST_LIFECYCLE_SCHEDULE,
  runOnStartup: false,
  handler: (timer, ctx) => makeGuestLifecycle(deps())(timer, ctx),
});
