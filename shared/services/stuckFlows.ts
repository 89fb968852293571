/**
 * A flow can be left `verified` with no provisioning message: the process died (or storage went away)
 * between the verified write and the enqueue. Two safety nets re-queue it: a status read (the page polls
 * while it waits) and the `repairStuckFlows` timer (for people who closed the page). Both go through
 * `requeueIfStuck`, which kicks a flow at most once a minute, guarded by its ETag; the provisioner is
 * idempotent, so an extra message is harmless.
 */
import type { SignupFlow } from '../domain/signupFlow';
import { isConcurrencyError } from '../errors';
import type { Logger } from '../log';
import type { Clock, QueuePublisher, SignupStore, Versioned } from '../ports';
import { QUEUES } from '../storageNames';

export const STUCK_AFTER_MS = 60_000;

export interface StuckFlowDeps {
  signups: SignupStore;
  queue: QueuePublisher;
  clock: Clock;
}

/** Re-queues provisioning for a flow verified over a minute ago and not kicked in the last minute. */
export async function requeueIfStuck(
  deps: StuckFlowDeps,
  stored: Versioned<SignupFlow>,
  log: Logger,
): Promise<boolean> {
  const flow = stored.value;
  const now = deps.clock.now();
  const minuteAgo = now.getTime() - STUCK_AFTER_MS;
  if (flow.status !== 'verified' || Date.parse(flow.verifiedAt ?? flow.createdAt) > minuteAgo) return false;
  if (flow.provisionKickedAt && Date.parse(flow.provisionKickedAt) > minuteAgo) return false;
  try {
    await deps.signups.update({ ...flow, provisionKickedAt: now.toISOString() }, stored.etag);
  } catch (error) {
    if (isConcurrencyError(error)) return false; // someone else moved it on, or kicked it
    throw error;
  }
  await deps.queue.send(QUEUES.provision, { signupId: flow.signupId });
  log.event('provisioning_requeued', { signupId: flow.signupId, correlationId: flow.correlationId }, 'warn');
  return true;
}

/** The timer's sweep: every flow still `verified`, page by page. */
export async function repairStuckFlows(
  deps: StuckFlowDeps,
  log: Logger,
): Promise<{ scanned: number; requeued: number }> {
  let scanned = 0;
  let requeued = 0;
  let continuationToken: string | undefined;
  do {
    const page = await deps.signups.list({
      status: 'verified',
      now: deps.clock.now(),
      top: 200,
      continuationToken,
    });
    for (const stored of page.items) {
      scanned++;
      if (await requeueIfStuck(deps, stored, log)) requeued++;
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  log.event('stuck_flows_repaired', { scanned, requeued }, requeued > 0 ? 'warn' : 'info');
  return { scanned, requeued };
}
