/**
 * A delivery report says the code email bounced: the address's current sign-up, if it still waits for
 * its code, is marked undeliverable so the page can say so instead of "check your junk folder".
 */
import { effectiveStatus, type FlowLimits, type SignupFlow, transition } from '../domain/signupFlow';
import type { AddressStore, Clock, SignupStore } from '../ports';
import { updateFlow } from './updateFlow';

export interface UndeliverableDeps {
  signups: SignupStore;
  addresses: AddressStore;
  clock: Clock;
  limits: FlowLimits;
}

/** True when the address's waiting flow is (now) marked; false when none waits for a code. */
export function makeMarkUndeliverable(deps: UndeliverableDeps) {
  const waiting = (flow: SignupFlow, addressKey: string) =>
    flow.addressKey === addressKey &&
    effectiveStatus(flow, deps.clock.now()) === 'pending_verification' &&
    flow.emailFailedReason !== 'undeliverable';

  return async function markUndeliverable(addressKey: string): Promise<boolean> {
    const signupId = (await deps.addresses.get(addressKey))?.value.currentSignupId;
    const stored = signupId ? await deps.signups.get(signupId) : undefined;
    if (!signupId || !stored || !waiting(stored.value, addressKey)) return false;
    const written = await updateFlow(
      deps.signups,
      signupId,
      (flow) =>
        waiting(flow, addressKey)
          ? transition(flow, { type: 'email_failed', reason: 'undeliverable' }, deps.clock.now(), deps.limits)
          : flow,
      stored,
    );
    return written?.value.emailFailedReason === 'undeliverable';
  };
}
