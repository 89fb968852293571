import { hashCode } from '../../shared/domain/codes';
import {
  effectiveStatus,
  type FlowLimits,
  type SignupFlow,
  transition,
} from '../../shared/domain/signupFlow';
import { isAppError } from '../../shared/errors';
import { aSignup, TEST_SECRET } from '../support/builders';

const limits: FlowLimits = {
  codeTtlMinutes: 10,
  codeMaxSubmissions: 5,
  flowMaxFailures: 10,
  resendCooldownSeconds: 60,
};
const t0 = new Date('2026-11-25T12:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function issued(flow = aSignup({}, t0)): SignupFlow {
  return transition(
    flow,
    { type: 'code_issued', codeHash: hashCode(TEST_SECRET, flow.signupId, '123456') },
    t0,
    limits,
  );
}
const submit = (flow: SignupFlow, matches: boolean, when = at(1), isCurrentFlow = true) =>
  transition(flow, { type: 'code_submitted', matches, isCurrentFlow }, when, limits);

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isAppError(e) ? e.code : 'not-an-app-error';
  }
  return undefined;
}

describe('signup flow transitions', () => {
  test('a correct, fresh code verifies the flow and is single use (req 4)', () => {
    const verified = submit(issued(), true);
    expect(verified.status).toBe('verified');
    expect(verified.codeHash).toBeUndefined();
    expect(errorCode(() => submit(verified, true))).toBe('already_verified');
  });

  test('a code expires after 10 minutes: at 10:01 the correct code fails (req 3)', () => {
    const flow = issued();
    expect(submit(flow, true, at(601)).status).toBe('pending_verification');
    expect(submit(flow, true, at(599)).status).toBe('verified');
  });

  test('the 6th submission of a code fails even when correct (req 8)', () => {
    let flow = issued();
    for (let i = 0; i < 5; i++) flow = submit(flow, false);
    expect(flow.codeSubmissions).toBe(5);
    const sixth = submit(flow, true);
    expect(sixth.status).toBe('pending_verification');
    expect(sixth.failedSubmissions).toBe(6);
  });

  test('a new code does not reset the failure count (req 7) and the 10th failure locks the flow', () => {
    let flow = issued();
    for (let i = 0; i < 5; i++) flow = submit(flow, false);
    flow = transition(flow, { type: 'resend_requested' }, at(61), limits);
    flow = transition(flow, { type: 'code_issued', codeHash: 'x' }, at(62), limits);
    expect(flow.failedSubmissions).toBe(5);
    expect(flow.codeSubmissions).toBe(0);
    for (let i = 0; i < 4; i++) flow = submit(flow, false, at(63));
    expect(flow.status).toBe('pending_verification');
    flow = submit(flow, false, at(63));
    expect(flow.status).toBe('expired');
    expect(flow.lockedAt).toBeDefined();
    expect(errorCode(() => submit(flow, true, at(64)))).toBe('signup_not_found');
  });

  test('a superseded flow cannot be verified even with its correct code (req 6)', () => {
    expect(submit(issued(), true, at(1), false).status).toBe('pending_verification');
  });

  test('a code that was never issued cannot verify', () => {
    expect(submit(aSignup({}, t0), true).status).toBe('pending_verification');
  });

  test('resend is refused inside the cooldown with the seconds left', () => {
    const flow = aSignup({}, t0);
    try {
      transition(flow, { type: 'resend_requested' }, at(20), limits);
      throw new Error('expected resend_too_soon');
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('resend_too_soon');
      expect(isAppError(e) && e.options.retryAfterSeconds).toBe(40);
    }
    expect(transition(flow, { type: 'resend_requested' }, at(60), limits).codeRequests).toBe(2);
  });

  test('a pending flow reads as expired 24 h after start', () => {
    const flow = aSignup({}, t0);
    expect(effectiveStatus(flow, at(24 * 3600 - 1))).toBe('pending_verification');
    expect(effectiveStatus(flow, at(24 * 3600))).toBe('expired');
    expect(errorCode(() => submit(flow, true, at(24 * 3600)))).toBe('signup_not_found');
  });

  test('provisioning: verified → provisioning → ready, and failed can be retried', () => {
    const verified = submit(issued(), true);
    const provisioning = transition(verified, { type: 'provisioning_started' }, at(2), limits);
    expect(provisioning.status).toBe('provisioning');
    const ready = transition(
      provisioning,
      { type: 'provisioned', outcome: 'guest_created', signInUrl: 'https://x', directoryUserId: 'u1' },
      at(3),
      limits,
    );
    expect(ready).toMatchObject({ status: 'ready', outcome: 'guest_created', directoryUserId: 'u1' });
    expect(errorCode(() => transition(ready, { type: 'provisioning_started' }, at(4), limits))).toBe(
      'conflict',
    );
    const failed = transition(
      provisioning,
      { type: 'provisioning_failed', reason: 'graph 500' },
      at(3),
      limits,
    );
    expect(failed.status).toBe('failed');
    expect(transition(failed, { type: 'retry_requested' }, at(5), limits).status).toBe('verified');
  });
});
