import { app, type InvocationContext } from '@azure/functions';

import { type Deps, deps } from '../shared/container';
import { createLogger } from '../shared/log';
import { repairStuckFlows } from '../shared/services/stuckFlows';

/** Every two minutes: re-queue provisioning for flows left `verified` without a message (stuckFlows.ts). */
export const REPAIR_SCHEDULE = '0 */2 * * * *';

export const makeRepairStuckFlows =
  (d: Pick<Deps, 'signups' | 'queue' | 'clock'>) =>
  async (_timer: unknown, ctx: InvocationContext): Promise<void> => {
    await repairStuckFlows(
      d,
      createLogger(ctx, { function: ctx.functionName, correlationId: ctx.invocationId }),
    );
  };

app.timer('repairStuckFlows', {
  schedule: REPAIR_SCHEDULE,
  handler: (timer, ctx) => makeRepairStuckFlows(deps())(timer, ctx),
});
