import { withEtagRetry } from '../domain/etagRetry';
import { AppError } from '../errors';
import type { SignupFlow } from '../domain/signupFlow';
import type { AuditEvent, SignupStore, Versioned } from '../ports';

/** Enough for 50 parallel submissions against one flow, each needing its own round in the worst case. */
const MAX_RACES = 100;

/** Flow gone: resolves undefined instead of writing. */
const GONE = Symbol('gone');

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
  const written = await withEtagRetry(
    async (race) => (race === 0 && known) || (await store.get(signupId)),
    async (current) => {
      if (!current) return GONE;
      const next = await apply(current.value);
      return store.update(next, current.etag, audit?.(next));
    },
    {
      attempts: MAX_RACES,
      // Every attempt lost to another writer: answer "changed by someone else, try again", never a 500.
      exhausted: () => new AppError('conflict'),
      // Jittered back-off so racing writers spread out.
      pause: (race) => new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * (race + 1)))),
    },
  );
  return written === GONE ? undefined : written;
}
