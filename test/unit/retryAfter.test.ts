/** The one Retry-After parser, shared by the Graph and ACS adapters and the landing page. */
import { parseRetryAfter } from '../../shared/domain/retryAfter';

const now = Date.parse('2025-01-01T00:00:00Z');

test('reads delta-seconds, rounding fractions up', () => {
  expect(parseRetryAfter('7', now)).toBe(7);
  expect(parseRetryAfter(' 42 ', now)).toBe(42);
  expect(parseRetryAfter('2.128', now)).toBe(3);
});

test('reads an HTTP date as seconds from now', () => {
  expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30);
});

test('never less than 1 s, so a re-queue or countdown never spins', () => {
  expect(parseRetryAfter('0', now)).toBe(1);
  expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(1);
});

test('capped at maxSeconds (the page caps at a day)', () => {
  expect(parseRetryAfter('999999', now, 86_400)).toBe(86_400);
  expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:00 GMT', now, 86_400)).toBe(86_400);
});

test('absent or unparseable is undefined', () => {
  expect(parseRetryAfter('soon', now)).toBeUndefined();
  expect(parseRetryAfter('', now)).toBeUndefined();
  expect(parseRetryAfter(null, now)).toBeUndefined();
  expect(parseRetryAfter(undefined, now)).toBeUndefined();
});
