/**
 * The arithmetic of rate limits, shared by every RateLimiter implementation so the fake and the Table
 * adapter cannot drift apart.
 *
 * - Fixed windows (the default) count events per aligned window: cheap, and right for abuse limits.
 * - Sliding windows (`sliding: true`) keep counts in 60 buckets per window and count every bucket that
 *   touches the window, so no span of `windowSeconds` ever holds more than `limit` events (slightly
 *   conservative, and the entity stays small whatever the limit — a log of timestamps outgrew Table
 *   Storage's 64 KB property limit under load). Quotas that the downstream service measures over any span
 *   (ACS emails, Graph writes) need this: fixed windows allow twice the limit across a boundary.
 */
export interface RateLimit {
  name: string;
  limit: number;
  windowSeconds: number;
  /** No span of `windowSeconds` may hold more than `limit` events (quotas); default: aligned windows. */
  sliding?: boolean;
}

export type RateDecision =
  | { allowed: true }
  /** `retryAfterMs`: exactly when the limit next admits an event; `retryAfterSeconds`: that, rounded up (≥ 1). */
  | { allowed: false; retryAfterSeconds: number; retryAfterMs: number };

export interface RateWindow {
  /** Fixed: the window's start. Sliding: the latest event. Epoch ms either way (retention reads it). */
  start: number;
  count: number;
  /** Sliding only: [bucket start (epoch ms), events] for the buckets touching the window, oldest first. */
  buckets?: Array<[number, number]>;
}
export type RateWindows = Record<string, RateWindow>;
/** A time, or a clock to read it from when the decision is made (a limiter retrying a lost race reads again). */
export type Now = Date | (() => Date);

const sizeOf = (limit: RateLimit) => limit.windowSeconds * 1000;
const alignedStart = (now: number, limit: RateLimit) => Math.floor(now / sizeOf(limit)) * sizeOf(limit);
/**
 * The fixed window an event at `now` counts in. Never one older than the stored window: a caller whose
 * `now` is a little behind (it started before the boundary, or lost ETag races) must not reset a newer
 * window's count by writing an older one.
 */
const fixedStart = (w: RateWindow | undefined, limit: RateLimit, now: number) =>
  Math.max(alignedStart(now, limit), w?.start ?? 0);
const BUCKETS_PER_WINDOW = 60;
export const bucketSize = (limit: RateLimit) => Math.max(1, Math.floor(sizeOf(limit) / BUCKETS_PER_WINDOW));
/** Buckets that still touch the window ending at `now` (a bucket counts whole until it has fully left). */
const live = (w: RateWindow | undefined, limit: RateLimit, now: number) =>
  (w?.buckets ?? []).filter(([start]) => start + bucketSize(limit) > now - sizeOf(limit));
const total = (buckets: Array<[number, number]>) => buckets.reduce((n, [, c]) => n + c, 0);

/** Events counted against `limit` at `now`. */
export function usage(windows: RateWindows, limit: RateLimit, now: Date): number {
  const w = windows[limit.name];
  const t = now.getTime();
  if (limit.sliding) return total(live(w, limit, t));
  return w && w.start === fixedStart(w, limit, t) ? w.count : 0;
}

/** When the exhausted `limit` next admits `count` events. */
function reopensAt(windows: RateWindows, limit: RateLimit, now: number, count: number): number {
  if (!limit.sliding) return fixedStart(windows[limit.name], limit, now) + sizeOf(limit);
  // Let the oldest buckets leave until `count` more events fit.
  let used = usage(windows, limit, new Date(now));
  for (const [start, inBucket] of live(windows[limit.name], limit, now)) {
    used -= inBucket;
    if (used + count <= limit.limit) return start + bucketSize(limit) + sizeOf(limit);
  }
  return now;
}

/**
 * Counts `count` events against every limit, or refuses without counting anything when any limit has
 * less room than that. Returns the windows to store on success.
 */
export function decide(
  windows: RateWindows,
  limits: readonly RateLimit[],
  at: Now,
  count = 1,
): { decision: RateDecision; next?: RateWindows } {
  const now = typeof at === 'function' ? at() : at;
  const tooMany = limits.find((l) => count > l.limit);
  if (!Number.isInteger(count) || count < 1 || tooMany)
    throw new RangeError(`Cannot count ${count} events at once against ${tooMany?.name ?? 'a limit'}`);
  const t = now.getTime();
  const exhausted = limits.filter((l) => usage(windows, l, now) + count > l.limit);
  if (exhausted.length > 0) {
    const retryAt = Math.max(...exhausted.map((l) => reopensAt(windows, l, t, count)));
    const retryAfterMs = Math.max(1, retryAt - t);
    return { decision: { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000), retryAfterMs } };
  }
  const next: RateWindows = {};
  for (const l of limits) {
    if (l.sliding) {
      const buckets = live(windows[l.name], l, t).map(([s, c]): [number, number] => [s, c]);
      const last = buckets[buckets.length - 1];
      // A caller whose `now` is a little behind files into the newest bucket, never an older one: an event
      // recorded too early would leave the window too early and let one more through.
      const current = Math.max(Math.floor(t / bucketSize(l)) * bucketSize(l), last?.[0] ?? 0);
      if (last && last[0] === current) last[1] += count;
      else buckets.push([current, count]);
      next[l.name] = { start: t, count: total(buckets), buckets };
    } else {
      next[l.name] = { start: fixedStart(windows[l.name], l, t), count: usage(windows, l, now) + count };
    }
  }
  return { decision: { allowed: true }, next };
}
