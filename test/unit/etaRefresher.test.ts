/** The code step keeps "Your code should arrive by …" current while a backlog holds the code (req 15). */
import type { ApiResult, Signup } from '../../web/api';
import { ETA_REFRESH_MS, EtaRefresher } from '../../web/etaRefresher';

class ScriptedStatus {
  readonly calls: string[] = [];
  constructor(private readonly answers: Array<ApiResult<Signup>>) {}
  status(signupId: string): Promise<ApiResult<Signup>> {
    this.calls.push(signupId);
    const next = this.answers.shift();
    if (!next) throw new Error('no more scripted answers');
    return Promise.resolve(next);
  }
}

const waiting = (estimatedCodeAt?: string): ApiResult<Signup> => ({
  ok: true,
  status: 200,
  data: { signupId: 'S', status: 'pending_verification', estimatedCodeAt },
});

beforeAll(() => {
  (globalThis as { window?: unknown }).window = globalThis;
});
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('re-reads the status once a minute and passes on each new estimate', async () => {
  const api = new ScriptedStatus([waiting('2031-01-01T10:20:00Z'), waiting('2031-01-01T10:18:00Z')]);
  const seen: Array<string | undefined> = [];
  const refresher = new EtaRefresher(api, (at) => seen.push(at));
  refresher.start('S');
  await jest.advanceTimersByTimeAsync(ETA_REFRESH_MS - 1);
  expect(api.calls).toEqual([]);
  await jest.advanceTimersByTimeAsync(1);
  await jest.advanceTimersByTimeAsync(ETA_REFRESH_MS);
  expect(api.calls).toEqual(['S', 'S']);
  expect(seen).toEqual(['2031-01-01T10:20:00Z', '2031-01-01T10:18:00Z']);
  refresher.stop();
});

test('stops once the code went out (no estimate) and says so once', async () => {
  const api = new ScriptedStatus([waiting(undefined)]);
  const seen: Array<string | undefined> = [];
  const refresher = new EtaRefresher(api, (at) => seen.push(at));
  refresher.start('S');
  await jest.advanceTimersByTimeAsync(ETA_REFRESH_MS * 3);
  expect(api.calls).toHaveLength(1);
  expect(seen).toEqual([undefined]);
  expect(refresher.running).toBe(false);
});

test('a failed read keeps the last estimate and tries again a minute later', async () => {
  const api = new ScriptedStatus([
    { ok: false, error: { code: 'network', status: 0, message: '' } },
    waiting('2031-01-01T10:25:00Z'),
  ]);
  const seen: Array<string | undefined> = [];
  const refresher = new EtaRefresher(api, (at) => seen.push(at));
  refresher.start('S');
  await jest.advanceTimersByTimeAsync(ETA_REFRESH_MS * 2);
  expect(seen).toEqual(['2031-01-01T10:25:00Z']);
  refresher.stop();
});

test('a stop while a read is in flight drops its answer', async () => {
  let release: (r: ApiResult<Signup>) => void = () => undefined;
  const api = {
    status: () => new Promise<ApiResult<Signup>>((resolve) => (release = resolve)),
  };
  const seen: Array<string | undefined> = [];
  const refresher = new EtaRefresher(api, (at) => seen.push(at));
  refresher.start('S');
  await jest.advanceTimersByTimeAsync(ETA_REFRESH_MS);
  refresher.stop();
  release(waiting('2031-01-01T10:20:00Z'));
  await Promise.resolve();
  expect(seen).toEqual([]);
});
