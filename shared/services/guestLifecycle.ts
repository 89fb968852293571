/**
 * The guest-lifecycle timer: walks the guest ledger and carries out the one step `dueStep` says is due
 * for each guest (shared/domain/guestLedger.ts): redemption reminders with a fresh link, the renewal
 * notice, disabling at the end of the lifetime (or after inactivity) and deletion after the grace period.
 *
 * Idempotent and safe to kill at any point: every step does its external effect first (Graph call or
 * email, each harmless to repeat: the email's idempotency key is stable per step) and then records it in
 * the ledger with the ETag it read, with one audit row. A run cut short simply repeats the unrecorded
 * step next time. Graph writes take tokens from the Graph budget the provisioner uses (req 53), and
 * emails from the global email budget; when either is exhausted the rest waits for the next run.
 */
import {
  dueStep,
  type GuestEntry,
  isInactive,
  type LifecycleSettings,
  type LifecycleStep,
  markDeleted,
  markDisabled,
  markNoticeSent,
  markRedeemed,
  markReminded,
} from '../domain/guestLedger';
import { renderRedeemReminderEmail, renderRenewalNoticeEmail } from '../email/lifecycleTemplates';
import type { Branding } from '../email/templates';
import { isConcurrencyError, isTransientError } from '../errors';
import { type Locale, negotiateLocale } from '../i18n';
import { maskEmail } from '../domain/addressMask';
import type { Logger } from '../log';
import type {
  AuditEventType,
  AuditLog,
  Clock,
  Directory,
  EmailSender,
  GuestAccount,
  GuestAccounts,
  GuestLedgerStore,
  RateLimiter,
  Versioned,
} from '../ports';
import { fairShareSettings, makeEmailLedger } from './emailLedger';
import { makeGraphBudget } from './graphBudget';

export interface GuestLifecycleSettings extends LifecycleSettings {
  publicBaseUrl: string;
  inviteRedirectUrl: string;
  graphWritesPerSecond: number;
  emailBudgetPerMinute: number;
  emailBudgetPerHour: number;
  /** The email budget's fair share and flow lifetime: lifecycle emails take only budget no code was promised. */
  emailDomainShare: number;
  flowTtlHours: number;
  defaultLocale: Locale;
  branding: Branding;
}

export interface GuestLifecycleDeps {
  ledger: GuestLedgerStore;
  accounts: GuestAccounts;
  directory: Directory;
  limiter: RateLimiter;
  sender: EmailSender;
  audit: AuditLog;
  clock: Clock;
  settings: GuestLifecycleSettings;
  sleep?: (ms: number) => Promise<void>;
}

export interface SweepReport {
  examined: number;
  redeemed: number;
  reminded: number;
  noticed: number;
  disabled: number;
  deleted: number;
  /** Left for the next run: a budget was exhausted, Graph throttled, or the entry changed meanwhile. */
  deferred: number;
}

type StepResult = keyof Omit<SweepReport, 'examined'> | 'none';

/** The audit partition of one guest: its history stays readable (and links to no address). */
export const guestSubject = (objectId: string) => `guest-${objectId}`;

const PAGE = 200;
/** The longest in-process wait for one Graph token before the rest of the run is deferred. */
const MAX_GRAPH_WAIT_MS = 10_000;

class Deferred extends Error {
  override name = 'Deferred';
}

export function makeGuestLifecycle(deps: GuestLifecycleDeps) {
  const { settings } = deps;
  const budget = makeGraphBudget({
    limiter: deps.limiter,
    clock: deps.clock,
    perSecond: settings.graphWritesPerSecond,
    sleep: deps.sleep,
  });
  const emailBudget = makeEmailLedger({ ...deps, settings: fairShareSettings(settings) });
  const base = settings.publicBaseUrl.replace(/\/+$/, '');

  async function graphToken(): Promise<void> {
    if ((await budget.take(1, MAX_GRAPH_WAIT_MS)) !== undefined) throw new Deferred('graph budget');
  }

  /** A token of the shared email budget, as a notice: after every code email that was promised one. */
  async function emailToken(): Promise<void> {
    const d = await emailBudget.claim({ kind: 'notice' });
    if (!d.allowed) throw new Deferred('email budget');
  }

  const locale = (entry: GuestEntry) =>
    negotiateLocale({ requested: entry.locale, fallback: settings.defaultLocale });

  /** Records the step in the ledger (ETag of the read) and audits it; a lost race defers it. */
  async function record(
    stored: Versioned<GuestEntry>,
    next: GuestEntry,
    type: AuditEventType,
    log: Logger,
    details: Record<string, string | number | boolean> = {},
  ): Promise<void> {
    await deps.ledger.update(next, stored.etag);
    const event = {
      type,
      at: deps.clock.now().toISOString(),
      actor: 'lifecycle',
      subjectHash: guestSubject(next.objectId),
      domain: next.domain,
      details: { objectId: next.objectId, state: next.state, ...details },
    };
    try {
      await deps.audit.append(event);
    } catch (error) {
      log.event(
        'audit_write_failed',
        { type, objectId: next.objectId, error: error instanceof Error ? error.message : String(error) },
        'error',
      );
    }
    log.event(type, { objectId: next.objectId, state: next.state, ...details });
  }

  /** The guest was deleted outside this service: keep a tombstone, nothing else to do. */
  async function gone(stored: Versioned<GuestEntry>, log: Logger): Promise<StepResult> {
    await record(stored, markDeleted(stored.value, deps.clock.now()), 'guest_deleted', log, {
      by: 'outside',
    });
    return 'deleted';
  }

  async function remind(stored: Versioned<GuestEntry>, reminder: 1 | 2, log: Logger): Promise<StepResult> {
    const entry = stored.value;
    const account = await deps.accounts.getGuest(entry.objectId);
    if (!account) return gone(stored, log);
    if (account.externalUserState !== 'PendingAcceptance') return redeemed(stored, log);
    if (!account.mail) return 'none';
    await emailToken();
    await graphToken();
    // Re-inviting a pending guest returns the same object with a fresh redeem link.
    const invitation = await deps.directory.inviteGuest({
      email: account.mail,
      displayName: account.mail,
      redirectUrl: settings.inviteRedirectUrl,
    });
    const email = renderRedeemReminderEmail({
      locale: locale(entry),
      redeemUrl: invitation.inviteRedeemUrl,
      branding: settings.branding,
    });
    await deps.sender.send({
      to: account.mail,
      ...email,
      idempotencyKey: `guest:${entry.objectId}:reminder:${reminder}:${entry.invitedAt}`,
    });
    await record(stored, markReminded(entry, reminder), 'guest_reminded', log, {
      reminder,
      address: maskEmail(account.mail),
    });
    return 'reminded';
  }

  async function redeemed(stored: Versioned<GuestEntry>, log: Logger): Promise<StepResult> {
    await record(stored, markRedeemed(stored.value, deps.clock.now()), 'guest_redeemed', log);
    return 'redeemed';
  }

  async function notice(stored: Versioned<GuestEntry>, log: Logger): Promise<StepResult> {
    const entry = stored.value;
    const account = await deps.accounts.getGuest(entry.objectId);
    if (!account) return gone(stored, log);
    if (!account.mail || !entry.expiresAt) return 'none';
    await emailToken();
    const email = renderRenewalNoticeEmail({
      locale: locale(entry),
      // A fragment never reaches a server or its logs; the page reads it to pre-fill the form.
      renewUrl: `${base}/#renew=${encodeURIComponent(account.mail)}`,
      endsOn: entry.expiresAt.slice(0, 10),
      branding: settings.branding,
    });
    await deps.sender.send({
      to: account.mail,
      ...email,
      idempotencyKey: `guest:${entry.objectId}:renewal:${entry.expiresAt}`,
    });
    await record(stored, markNoticeSent(entry), 'guest_renewal_notice', log, {
      expiresAt: entry.expiresAt,
      address: maskEmail(account.mail),
    });
    return 'noticed';
  }

  async function disable(
    stored: Versioned<GuestEntry>,
    reason: 'expired' | 'inactive',
    log: Logger,
  ): Promise<StepResult> {
    await graphToken();
    await deps.accounts.setAccountEnabled(stored.value.objectId, false);
    await record(stored, markDisabled(stored.value, deps.clock.now(), reason), 'guest_disabled', log, {
      reason,
    });
    return 'disabled';
  }

  async function remove(stored: Versioned<GuestEntry>, log: Logger): Promise<StepResult> {
    await graphToken();
    await deps.directory.deleteUser(stored.value.objectId);
    await record(stored, markDeleted(stored.value, deps.clock.now()), 'guest_deleted', log, {
      by: 'lifecycle',
    });
    return 'deleted';
  }

  async function inactive(stored: Versioned<GuestEntry>, log: Logger): Promise<StepResult> {
    const account: GuestAccount | undefined = await deps.accounts.getGuest(stored.value.objectId, {
      signInActivity: true,
    });
    if (!account) return gone(stored, log);
    if (!isInactive(stored.value, account.lastSignInDateTime, deps.clock.now(), settings)) return 'none';
    return disable(stored, 'inactive', log);
  }

  async function checkRedemption(stored: Versioned<GuestEntry>, log: Logger): Promise<StepResult> {
    const account = await deps.accounts.getGuest(stored.value.objectId);
    if (!account) return gone(stored, log);
    return account.externalUserState === 'PendingAcceptance' ? 'none' : redeemed(stored, log);
  }

  function carryOut(stored: Versioned<GuestEntry>, step: LifecycleStep, log: Logger): Promise<StepResult> {
    switch (step.type) {
      case 'none':
        return Promise.resolve('none');
      case 'check_redemption':
        return checkRedemption(stored, log);
      case 'remind':
        return remind(stored, step.reminder, log);
      case 'renewal_notice':
        return notice(stored, log);
      case 'disable':
        return disable(stored, step.reason, log);
      case 'delete':
        return remove(stored, log);
      case 'check_inactive':
        return inactive(stored, log);
    }
  }

  /** One pass over the ledger. Stops early (the rest deferred) when a budget runs out or Graph throttles. */
  async function sweep(log: Logger): Promise<SweepReport> {
    const report: SweepReport = {
      examined: 0,
      redeemed: 0,
      reminded: 0,
      noticed: 0,
      disabled: 0,
      deleted: 0,
      deferred: 0,
    };
    let token: string | undefined;
    let stopped = false;
    do {
      const page = await deps.ledger.list({ top: PAGE, continuationToken: token });
      for (const stored of page.items) {
        report.examined += 1;
        const step = dueStep(stored.value, deps.clock.now(), settings);
        if (step.type === 'none') continue;
        if (stopped) {
          report.deferred += 1;
          continue;
        }
        try {
          const result = await carryOut(stored, step, log);
          if (result !== 'none') report[result] += 1;
        } catch (error) {
          report.deferred += 1;
          if (isConcurrencyError(error)) continue;
          if (error instanceof Deferred || isTransientError(error)) {
            stopped = true;
            log.event('lifecycle_deferred', { reason: error.message }, 'warn');
            continue;
          }
          // One guest's permanent failure must not stop the others; it is retried next run.
          log.event(
            'lifecycle_step_failed',
            {
              objectId: stored.value.objectId,
              step: step.type,
              error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            },
            'error',
          );
        }
      }
      token = page.continuationToken;
    } while (token);
    log.event('lifecycle_sweep', { ...report });
    return report;
  }

  return { sweep };
}

export type GuestLifecycle = ReturnType<typeof makeGuestLifecycle>;
