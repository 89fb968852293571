/**
 * The landing page's watch on the code email (pure: fake timers, scripted API): early checks whether it
 * could be sent (bounces), then "should arrive by" kept current while a backlog holds it (req 15).
 */
import type { ApiResult, Signup } from '../../web/api';
import { CodeWatch, EARLY_CHECKS_MS, ETA_REFRESH_MS } from '../../web/codeWatch';

const id = 'AbCdEfGhIjKlMnOpQrStUvWx';

beforeAll(() => {
  // The page module uses window timers; in Node they are the global ones.
  (globalThis as unknown as { window: typeof globalThis }).window = globalThis;
});
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const waiting = (estimatedCodeAt?: string, extra: Partial<Signup> = {}): ApiResult<Signup> => ({
  ok: true,
  status: 200,
  data: { signupId: id, status: 'pending_verification', estimatedCodeAt, ...extra },
});
const networkError: ApiResult<Signup> = { ok: false, error: { code: 'network', status: 0, message: '' } };

function harness(answers: Array<ApiResult<Signup>>) {
  const calls: number[] = [];
  const estimates: Array<string | undefined> = [];
  const undeliverable: Signup[] = [];
  const api = {
    status: () => {
      calls.push(Date.now());
      const next = answers.shift();
      if (!next) throw new Error('no more scripted answers');
      return Promise.resolve(next);
    },
  };
  const watch = new CodeWatch(api, {
    estimate: (at) => estimates.push(at),
    undeliverable: (view) => undeliverable.push(view),
  });
  return { watch, calls, estimates, undeliverable };
}

test('checks at 4, 12 and 30 s, then once a minute while a backlog holds the code, passing on each estimate', async () => {
  const t0 = Date.now();
  const h = harness([
    waiting('2031-01-01T10:20:00Z'),
    waiting('2031-01-01T10:20:00Z'),
    waiting('2031-01-01T10:19:00Z'),
    waiting('2031-01-01T10:18:00Z'),
    waiting(undefined),
  ]);
  h.watch.start(id);
  await jest.advanceTimersByTimeAsync(EARLY_CHECKS_MS[0] - 1);
  expect(h.calls).toEqual([]);
  await jest.advanceTimersByTimeAsync(EARLY_CHECKS_MS[2] + 2 * ETA_REFRESH_MS);
  expect(h.calls.map((t) => t - t0)).toEqual([4_000, 12_000, 30_000, 90_000, 150_000]);
  expect(h.estimates).toEqual([
    '2031-01-01T10:20:00Z',
    '2031-01-01T10:20:00Z',
    '2031-01-01T10:19:00Z',
    '2031-01-01T10:18:00Z',
    undefined,
  ]);
  expect(h.watch.running).toBe(false);
  await jest.advanceTimersByTimeAsync(10 * ETA_REFRESH_MS);
  expect(h.calls).toHaveLength(5);
});

test('the code went out at once: one check, the estimate cleared, nothing more', async () => {
  const h = harness([waiting(undefined)]);
  h.watch.start(id);
  await jest.advanceTimersByTimeAsync(10 * ETA_REFRESH_MS);
  expect(h.calls).toHaveLength(1);
  expect(h.estimates).toEqual([undefined]);
});

test('an undeliverable address is reported once and the watch stops', async () => {
  const h = harness([waiting('2031-01-01T10:20:00Z'), waiting(undefined, { emailFailed: 'undeliverable' })]);
  h.watch.start(id);
  await jest.advanceTimersByTimeAsync(10 * ETA_REFRESH_MS);
  expect(h.calls).toHaveLength(2);
  expect(h.undeliverable.map((v) => v.emailFailed)).toEqual(['undeliverable']);
  expect(h.estimates).toEqual(['2031-01-01T10:20:00Z']);
});

test('a failed read keeps what the page shows and the next check tries again', async () => {
  const h = harness([networkError, waiting(undefined, { emailFailed: 'undeliverable' })]);
  h.watch.start(id);
  await jest.advanceTimersByTimeAsync(EARLY_CHECKS_MS[1]);
  expect(h.calls).toHaveLength(2);
  expect(h.estimates).toEqual([]);
  expect(h.undeliverable).toHaveLength(1);
});

test('a stop while a read is in flight drops its answer; a restart begins the early checks again', async () => {
  let release: (r: ApiResult<Signup>) => void = () => undefined;
  const seen: Array<string | undefined> = [];
  let calls = 0;
  const watch = new CodeWatch(
    {
      status: () => {
        calls++;
        return new Promise<ApiResult<Signup>>((resolve) => (release = resolve));
      },
    },
    { estimate: (at) => seen.push(at), undeliverable: () => undefined },
  );
  watch.start(id);
  await jest.advanceTimersByTimeAsync(EARLY_CHECKS_MS[0]);
  watch.stop();
  release(waiting('2031-01-01T10:20:00Z'));
  await jest.advanceTimersByTimeAsync(0);
  expect(seen).toEqual([]);
  watch.start(id);
  await jest.advanceTimersByTimeAsync(EARLY_CHECKS_MS[0]);
  expect(calls).toBe(2);
  watch.stop();
});
