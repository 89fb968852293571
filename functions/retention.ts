import { app, type InvocationContext, type Timer } from '@azure/functions';

import { deps } from '../shared/container';
import { createLogger } from '../shared/log';
import type { RetentionService } from '../shared/services/retentionService';

/** Daily at 02:30 UTC (NCRONTAB, six fields): a quiet hour in Europe and the Americas. */
export const RETENTION_SCHEDULE = '0 30 2 * * *';

/** Deletes what retention says is due (shared/services/retentionService.ts); a failure alerts and retries tomorrow. */
export const makeRetention =
  (d: { retentionService: RetentionService }) =>
  async (timer: Timer, ctx: InvocationContext): Promise<void> => {
    const log = createLogger(ctx, { function: ctx.functionName, correlationId: ctx.invocationId });
    if (timer.isPastDue) log.event('retention_past_due', {}, 'warn');
    await d.retentionService.run(log);
  };

app.timer('retention', {
  schedule: RETENTION_SCHEDULE,
  runOnStartup: false,
  handler: (timer, ctx) => makeRetention(deps())(timer, ctx),
});
