/** The landing page's check, on the code step, that the code email could be sent (pure: fake timers, fake API). */
import type { Signup } from '../../web/api';
import { DELIVERY_CHECK_DELAYS_MS, DeliveryCheck } from '../../web/deliveryCheck';

const id = 'AbCdEfGhIjKlMnOpQrStUvWx';

beforeAll(() => {
  // The page module uses window timers; in Node they are the global ones.
  (globalThis as unknown as { window: typeof globalThis }).window = globalThis;
});

function harness(answers: Array<Partial<Signup>>) {
  const calls: string[] = [];
  const api = {
    status: (signupId: string) => {
      calls.push(signupId);
      const data: Signup = { signupId, status: 'pending_verification', ...answers.shift() };
      return Promise.resolve({ ok: true as const, status: 200, data });
    },
  };
  const told: Signup[] = [];
  return { check: new DeliveryCheck(api, (view) => told.push(view)), calls, told };
}

async function elapse(ms: number) {
  await jest.advanceTimersByTimeAsync(ms);
}

describe('delivery check on the code step', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('tells the page once when the status says the address is undeliverable, then stops asking', async () => {
    const h = harness([{ estimatedCodeAt: '2026-11-25T12:00:05Z' }, { emailFailed: 'undeliverable' }]);
    h.check.start(id);
    await elapse(DELIVERY_CHECK_DELAYS_MS[1] + 1);
    expect(h.told).toHaveLength(1);
    expect(h.told[0]?.emailFailed).toBe('undeliverable');
    h.check.start(id); // the page re-renders the code step: no new round of questions
    await elapse(DELIVERY_CHECK_DELAYS_MS[2] * 2);
    expect(h.calls).toHaveLength(2);
  });

  test('stops as soon as the code went out, and says nothing', async () => {
    const h = harness([{}]);
    h.check.start(id);
    await elapse(DELIVERY_CHECK_DELAYS_MS[2] + 1);
    expect(h.calls).toHaveLength(1);
    expect(h.told).toHaveLength(0);
  });

  test('asks nothing after stop (the person left the code step)', async () => {
    const h = harness([]);
    h.check.start(id);
    h.check.stop();
    await elapse(DELIVERY_CHECK_DELAYS_MS[2] + 1);
    expect(h.calls).toHaveLength(0);
  });
});
