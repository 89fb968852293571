/**
 * Retry-After as whole seconds (RFC 9110 §10.2.3): delta-seconds (fractions round up) or an HTTP date.
 * Undefined when absent or unparseable; at least 1 s so a re-queue never spins, at most `maxSeconds`.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
  maxSeconds = Number.POSITIVE_INFINITY,
): number | undefined {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return undefined;
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    seconds = Math.ceil(Number(trimmed));
  } else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    seconds = Math.ceil((date - now) / 1000);
  }
  return Math.min(Math.max(seconds, 1), maxSeconds);
}
