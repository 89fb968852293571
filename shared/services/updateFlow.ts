import type { SignupFlow } from '../domain/signupFlow';
import { isConcurrencyError } from '../errors';
import type { AuditEvent, SignupStore, Versioned } from '../ports';

/** Enough for 50 parallel submissions against one flow, each needing its own round in the worst case. */
const MAX_RACES = 100;

/**
 * Read, apply, write back with the ETag that was read; on a lost race (412) read again and re-apply.
 * `known` is a version the caller already holds: the first attempt uses it instead of reading, which
 * saves a storage read whenever nobody else wrote in between. Resolves undefined when the flow is gone.
 */
export async function updateFlow(
  store: SignupStore,
  signupId: string,
  apply: (flow: SignupFlow) => SignupFlow | Promise<SignupFlow>,
  known?: Versioned<SignupFlow>,
  /** Audit rows for the change, from the flow as written; stored in the same transaction. */
  audit?: (written: SignupFlow) => readonly AuditEvent[],
): Promise<Versioned<SignupFlow> | undefined> {
  let current = known;
  for (let race = 0; race < MAX_RACES; race++) {
    current ??= await store.get(signupId);
    if (!current) return undefined;
    try {
      const next = await apply(current.value);
      return await store.update(next, current.etag, audit?.(next));
    } catch (error) {
      if (!isConcurrencyError(error)) throw error;
      current = undefined;
      // Jittered back-off so racing writers spread out.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * (race + 1))));
    }
  }
  throw new Error('Sign-up flow: too much contention');
}
