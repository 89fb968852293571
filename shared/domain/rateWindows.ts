/**
 * The arithmetic of rate limits, shared by every RateLimiter implementation so the fake and the Table
 * adapter cannot drift apart.
 *
 * - Fixed windows (the default) count events per aligned window: cheap, and right for abuse limits.
 * - Sliding windows (`sliding: true`) keep the timestamps of the events inside the window, so no span of
 *   `windowSeconds` ever holds more than `limit` events. Quotas that the downstream service measures over
 *   any span (ACS emails, Graph writes) need this: fixed windows allow twice the limit across a boundary.
 */
import type { RateDecision, RateLimit } from '../ports';

export interface RateWindow {
  /** Fixed: the window's start. Sliding: the latest event. Epoch ms either way (retention reads it). */
  start: number;
  count: number;
  /** Sliding only: event times inside the window, oldest first. */
  log?: number[];
}
export type RateWindows = Record<string, RateWindow>;

const sizeOf = (limit: RateLimit) => limit.windowSeconds * 1000;
const alignedStart = (now: number, limit: RateLimit) => Math.floor(now / sizeOf(limit)) * sizeOf(limit);
/**
 * The fixed window an event at `now` counts in. Never one older than the stored window: a caller whose
 * `now` is a little behind (it started before the boundary, or lost ETag races) must not reset a newer
 * window's count by writing an older one.
 */
const fixedStart = (w: RateWindow | undefined, limit: RateLimit, now: number) =>
  Math.max(alignedStart(now, limit), w?.start ?? 0);
const recent = (w: RateWindow | undefined, limit: RateLimit, now: number) =>
  (w?.log ?? []).filter((t) => t > now - sizeOf(limit));

/** Events counted against `limit` at `now`. */
export function usage(windows: RateWindows, limit: RateLimit, now: Date): number {
  const w = windows[limit.name];
  const t = now.getTime();
  if (limit.sliding) return recent(w, limit, t).length;
  return w && w.start === fixedStart(w, limit, t) ? w.count : 0;
}

/** When the exhausted `limit` next admits an event. */
function reopensAt(windows: RateWindows, limit: RateLimit, now: number): number {
  if (!limit.sliding) return fixedStart(windows[limit.name], limit, now) + sizeOf(limit);
  const log = recent(windows[limit.name], limit, now);
  // The oldest event that must leave the window for one more to fit.
  const blocking = log[log.length - limit.limit] ?? now;
  return blocking + sizeOf(limit);
}

/**
 * Counts one event against every limit, or refuses without counting anything when any limit is
 * exhausted. Returns the windows to store on success.
 */
export function decide(
  windows: RateWindows,
  limits: readonly RateLimit[],
  now: Date,
): { decision: RateDecision; next?: RateWindows } {
  const t = now.getTime();
  const exhausted = limits.filter((l) => usage(windows, l, now) >= l.limit);
  if (exhausted.length > 0) {
    const retryAt = Math.max(...exhausted.map((l) => reopensAt(windows, l, t)));
    return { decision: { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - t) / 1000)) } };
  }
  const next: RateWindows = {};
  for (const l of limits) {
    if (l.sliding) {
      const log = [...recent(windows[l.name], l, t), t];
      next[l.name] = { start: t, count: log.length, log };
    } else {
      next[l.name] = { start: fixedStart(windows[l.name], l, t), count: usage(windows, l, now) + 1 };
    }
  }
  return { decision: { allowed: true }, next };
}
