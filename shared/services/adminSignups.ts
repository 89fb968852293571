/** Sign-up records for admins: list, show, retry a failed one, erase one. */
import { keyedHash, SIGNUP_ID_PATTERN } from '../domain/codes';
import { parseEmailAddress } from '../domain/emailAddress';
import {
  effectiveStatus,
  type Outcome,
  type SignupFlow,
  type SignupStatus,
  transition,
} from '../domain/signupFlow';
import { withEtagRetry } from '../domain/etagRetry';
import { AppError } from '../errors';
import { maskEmail, maskEmails } from '../domain/addressMask';
import { type Logger } from '../log';
import type { AuditEvent, SignupQuery, Versioned } from '../ports';
import { QUEUES } from '../storageNames';
import { audit } from './audit';
import type { AdminDeps } from './adminDeps';
import { domainOrThrow } from './adminPolicy';

// ---- signups ------------------------------------------------------------------------------------------

export interface AdminSignup {
  signupId: string;
  /** Masked (`j•••@contoso.com`): enough to recognise, never the full address. */
  address: string;
  domain: string;
  /** Effective: a pending flow past its lifetime reads `expired`. */
  status: SignupStatus;
  outcome?: Outcome;
  createdAt: string;
  expiresAt: string;
  verifiedAt?: string;
  finishedAt?: string;
  lockedAt?: string;
  emailFailedAt?: string;
  attempts: { codeRequests: number; failedSubmissions: number; provisionAttempts: number };
  lastError?: string;
  directoryUserId?: string;
}

export interface ListSignupsInput {
  /** Exact address: found by its keyed hash, never by comparing stored addresses. */
  email?: string;
  status?: SignupStatus;
  domain?: string;
  from?: string;
  to?: string;
  top?: number;
  continuationToken?: string;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;
/** Storage round trips one listing call may make to fill a page through a selective filter. */
const MAX_ROUNDS = 20;

export function toAdminSignup(flow: SignupFlow, now: Date): AdminSignup {
  return {
    signupId: flow.signupId,
    address: maskEmail(flow.email),
    domain: flow.domain,
    status: effectiveStatus(flow, now),
    outcome: flow.outcome,
    createdAt: flow.createdAt,
    expiresAt: flow.expiresAt,
    verifiedAt: flow.verifiedAt,
    finishedAt: flow.finishedAt,
    lockedAt: flow.lockedAt,
    emailFailedAt: flow.emailFailedAt,
    attempts: {
      codeRequests: flow.codeRequests,
      failedSubmissions: flow.failedSubmissions,
      provisionAttempts: flow.provisionAttempts,
    },
    // Graph error texts can quote the address: mask anything that looks like one.
    lastError: flow.lastError === undefined ? undefined : maskEmails(flow.lastError),
    directoryUserId: flow.directoryUserId,
  };
}

export function makeAdminSignups(deps: AdminDeps) {
  const { settings } = deps;
  // -- signups

  async function listSignups(
    input: ListSignupsInput,
  ): Promise<{ items: AdminSignup[]; continuationToken?: string }> {
    const now = deps.clock.now();
    const top = Math.min(MAX_PAGE, Math.max(1, input.top ?? DEFAULT_PAGE));
    const query: Omit<SignupQuery, 'top' | 'continuationToken'> = { now };
    if (input.status) query.status = input.status;
    if (input.domain) query.domain = domainOrThrow(input.domain, 'domain');
    if (input.email !== undefined) {
      const address = parseEmailAddress(input.email);
      query.addressKey = keyedHash(settings.secret, 'address', address.rateLimitKey);
    }
    if (input.from) query.createdFrom = new Date(input.from).toISOString();
    if (input.to) query.createdTo = new Date(input.to).toISOString();

    const flows: SignupFlow[] = [];
    let token = input.continuationToken || undefined;
    // A selective filter can return short pages: keep reading (each read asks only for what is missing,
    // so the token always points just past the last item returned) within a bounded number of rounds.
    for (let round = 0; round < MAX_ROUNDS && flows.length < top; round++) {
      const page = await deps.signups.list({ ...query, top: top - flows.length, continuationToken: token });
      flows.push(...page.items.map((i) => i.value));
      token = page.continuationToken;
      if (!token) break;
    }
    // Keys are random ids, so storage order is not time order: each page is sorted newest first.
    const items = flows
      .map((f) => toAdminSignup(f, now))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return token ? { items, continuationToken: token } : { items };
  }

  async function loadOrThrow(signupId: string): Promise<Versioned<SignupFlow>> {
    const found = SIGNUP_ID_PATTERN.test(signupId) ? await deps.signups.get(signupId) : undefined;
    if (!found) throw new AppError('not_found', 'No sign-up with this id.');
    return found;
  }

  async function getSignup(signupId: string): Promise<{ signup: AdminSignup; events: AuditEvent[] }> {
    const { value } = await loadOrThrow(signupId);
    const events = await deps.audit.forSignup(signupId);
    return { signup: toAdminSignup(value, deps.clock.now()), events };
  }

  /**
   * Re-queues provisioning for a failed sign-up. Idempotent: a flow that is already `verified` (retried,
   * or its message lost) is only re-queued, and one `provisioning` is left to the message in flight.
   */
  async function retry(
    signupId: string,
    actor: string,
    log: Logger,
  ): Promise<{ signupId: string; status: SignupStatus; retried: boolean }> {
    const outcome = await withEtagRetry(
      () => loadOrThrow(signupId),
      async ({ value: flow, etag }) => {
        const status = effectiveStatus(flow, deps.clock.now());
        if (status === 'verified' || status === 'provisioning') return { noop: true, status } as const;
        if (status !== 'failed')
          throw new AppError('conflict', `Only a failed sign-up can be retried; this one is ${status}.`);
        const now = deps.clock.now();
        const next = transition(flow, { type: 'retry_requested' }, now, settings);
        await deps.signups.update(next, etag);
        return { noop: false, flow, next, now } as const;
      },
      {
        attempts: 10,
        exhausted: () => new AppError('conflict', 'The sign-up is changing right now. Try again.'),
      },
    );
    if (outcome.noop) {
      const { status } = outcome;
      if (status === 'verified') await deps.queue.send(QUEUES.provision, { signupId });
      log.event('admin_retry_noop', { signupId, status, actor });
      return { signupId, status, retried: false };
    }
    const { flow, next, now } = outcome;
    await deps.queue.send(QUEUES.provision, { signupId });
    await audit(deps.audit, log, 'admin_retry', next, now, {
      actor,
      details: {
        previousError: maskEmails(flow.lastError ?? '').slice(0, 200),
      },
    });
    log.event('admin_retry', { signupId, correlationId: flow.correlationId, actor });
    return { signupId, status: next.status, retried: true };
  }

  /**
   * Erases a sign-up: the flow, its address record (when this flow is the address's current one), and
   * every personal field of its audit rows, which are kept only as `{type, at, actor}` under a keyed hash
   * of the id, plus an `erased` tombstone. Re-running it finishes an interrupted erasure.
   */
  async function erase(
    signupId: string,
    options: { actor: string; deleteGuest: boolean },
    log: Logger,
  ): Promise<{ guestDeleted: boolean; auditRows: number }> {
    if (!SIGNUP_ID_PATTERN.test(signupId)) throw new AppError('not_found', 'No sign-up with this id.');
    const stored = await deps.signups.get(signupId);
    const leftovers = stored ? [] : await deps.audit.forSignup(signupId);
    if (!stored && leftovers.length === 0) throw new AppError('not_found', 'No sign-up with this id.');
    const flow = stored?.value;
    const now = deps.clock.now();
    if (flow) {
      const status = effectiveStatus(flow, now);
      // The provisioner would write the outcome (and audit it) after the record is gone.
      if (status === 'verified' || status === 'provisioning') {
        throw new AppError(
          'conflict',
          `This sign-up is being provisioned (${status}); erase it once it is ready or failed.`,
        );
      }
    }

    let guestDeleted = false;
    if (options.deleteGuest) {
      // Only a guest this service created: never a member, never a guest someone else invited.
      // `guest_created` alone is not proof (security review L8): only our own invitation sets the flag.
      if (!flow || !flow.guestCreatedByUs || !flow.directoryUserId) {
        throw new AppError(
          'conflict',
          `deleteGuest removes only a guest account this service's own invitation created; this sign-up's outcome is ${flow?.outcome ?? 'unknown'}. Nothing was erased.`,
        );
      }
      await deps.directory.deleteUser(flow.directoryUserId);
      guestDeleted = true;
    }

    if (flow) {
      const address = await deps.addresses.get(flow.addressKey);
      // A newer flow for the same address owns the record (and its send history): leave it to that flow.
      if (
        address &&
        (address.value.currentSignupId === undefined || address.value.currentSignupId === signupId)
      ) {
        await deps.addresses.deleteIfUnchanged(flow.addressKey, address.etag);
      }
      await deps.signups.delete(signupId);
    }

    const subjectHash = erasedSubject(settings.secret, signupId);
    const auditRows = await deps.audit.eraseSignup(signupId, subjectHash);
    const tombstone: AuditEvent = {
      type: 'erased',
      at: deps.clock.now().toISOString(),
      actor: options.actor,
      subjectHash,
      details: { auditRows, guestDeleted },
    };
    try {
      await deps.audit.append(tombstone);
    } catch (error) {
      log.event(
        'audit_write_failed',
        { type: 'erased', subjectHash, error: error instanceof Error ? error.message : String(error) },
        'error',
      );
    }
    log.event('signup_erased', { subjectHash, actor: options.actor, guestDeleted, auditRows });
    return { guestDeleted, auditRows };
  }

  return { listSignups, getSignup, retry, erase };
}

/** The tombstone key of an erased sign-up: keyed, so the audit table alone cannot be matched to an id. */
export function erasedSubject(secret: string, signupId: string): string {
  return keyedHash(secret, 'erased-signup', signupId);
}
