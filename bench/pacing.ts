/** Phase `pacing`: code emails drained under the email budget with a scaled clock. */
import { SmtpEmailSender } from '../shared/adapters/smtpEmailSender';
import { createTableClient } from '../shared/adapters/storageClients';
import { TableRateLimiter } from '../shared/adapters/tableRateLimiter';
import { TableAddressStore, TableSignupStore } from '../shared/adapters/tableStores';
import { parseConfig } from '../shared/config';
import { emailSettings } from '../shared/container';
import type { Logger } from '../shared/log';
import type { Now } from '../shared/domain/rateWindows';
import type { Clock, EmailSender, RateDecision, RateLimit } from '../shared/ports';
import { effectivePolicy, EMPTY_STORED_POLICY } from '../shared/domain/policy';
import { EMAIL_BUDGET_KEY, makeEmailService } from '../shared/services/emailService';
import { StaticPolicyProvider } from '../shared/services/policy';
import { TABLES } from '../shared/storageNames';
import { sleep } from '../dev/stack/client';
import { median } from '../dev/stats';
import { PACING_BACKLOG, PACING_BUDGET, PACING_SCALE, type Stack, log } from './context';
import { inParallel, nextAddress, pendingFlow } from './load';

/**
 * Pacing of code emails: a backlog of 500 under a budget of 60/min. The email service is the app's own
 * (makeEmailService with the real Table stores and rate limiter on Azurite and the SMTP transport), run
 * with a clock that goes PACING_SCALE times faster than real time, driven by an in-memory delay queue that
 * honours every `requeue` delay in scaled time (the storage queue's 1 s visibility granularity cannot
 * be scaled). 3 "instances" × 6 messages in flight, like 3 hosts with batchSize 4 + newBatchThreshold 2.
 */
export async function pacingPhase(stack: Stack) {
  const cs = stack.azurite.connectionString;
  const config = parseConfig({
    ...stack.settings,
    EMAIL_BUDGET_PER_MINUTE: String(PACING_BUDGET),
    EMAIL_BUDGET_PER_HOUR: '1000000',
  });
  const fakeStart = Date.UTC(2031, 0, 1, 0, 0, 0); // a minute boundary no earlier phase has used
  // The scaled clock starts once the backlog is seeded, exactly on a budget window boundary.
  let realStart = Number.NaN;
  const clock: Clock = {
    now: () =>
      new Date(Number.isNaN(realStart) ? fakeStart : fakeStart + (Date.now() - realStart) * PACING_SCALE),
  };
  const table = (name: string) => createTableClient({ connectionString: cs }, name);
  const signups = new TableSignupStore(table(TABLES.signups));
  const addresses = new TableAddressStore(table(TABLES.addresses));
  // Records when each budget token was granted — the limiter's clock reading in the attempt that won (a
  // caller that lost ETag races is granted later than it first asked) — beside when the send began.
  const tokenTimes: number[] = [];
  class RecordingLimiter extends TableRateLimiter {
    override async consume(
      key: string,
      limits: readonly RateLimit[],
      now: Now,
      count?: number,
    ): Promise<RateDecision> {
      let lastReading = Number.NaN;
      const reading = () => {
        const at = typeof now === 'function' ? now() : now;
        lastReading = at.getTime();
        return at;
      };
      const decision = await super.consume(key, limits, reading, count);
      if (key === EMAIL_BUDGET_KEY && decision.allowed) tokenTimes.push(lastReading);
      return decision;
    }
  }
  const limiter = new RecordingLimiter(table(TABLES.rateLimits));
  await limiter.delete(EMAIL_BUDGET_KEY);
  const smtp = new SmtpEmailSender({
    host: '127.0.0.1',
    port: stack.sink.port,
    secure: false,
    senderAddress: config.EMAIL_SENDER_ADDRESS,
  });
  const sendTimes: number[] = [];
  const sender: EmailSender = {
    send: async (message) => {
      const at = clock.now().getTime();
      const result = await smtp.send(message);
      sendTimes.push(at);
      return result;
    },
  };
  const service = makeEmailService({
    signups,
    addresses,
    limiter,
    clock,
    sender,
    // The bench paces code emails with no pause in force: the kill switch reads an open policy.
    policy: new StaticPolicyProvider(
      effectivePolicy(
        {
          organizationDomains: config.ORGANIZATION_DOMAINS,
          allowedDomains: config.ALLOWED_DOMAINS,
          blockedDomains: config.BLOCKED_DOMAINS,
        },
        EMPTY_STORED_POLICY,
      ),
    ),
    settings: emailSettings(config),
  });
  // The backlog: 500 started flows whose code email has not gone out (as 500 starts leave them).
  const ids: string[] = [];
  await inParallel(
    Array.from({ length: PACING_BACKLOG }, (_, i) => i),
    48,
    async () => {
      const flow = pendingFlow(config.CODE_HMAC_SECRET, nextAddress('pace'), clock.now());
      await signups.create(flow);
      await addresses.setCurrentSignup(flow.addressKey, flow.signupId);
      ids.push(flow.signupId);
    },
  );
  const due = ids.map((signupId) => ({ signupId, dueAt: Date.now(), attempts: 0 }));
  const outcomes = new Map<string, number>();
  const quiet: Logger = { event: () => undefined };
  realStart = Date.now();
  let pending = due.length;
  const worker = async () => {
    while (pending > 0) {
      const now = Date.now();
      let index = -1;
      for (let i = 0; i < due.length; i++)
        if (
          (due[i]?.dueAt ?? Infinity) <= now &&
          (index < 0 || (due[i]?.dueAt ?? 0) < (due[index]?.dueAt ?? 0))
        )
          index = i;
      if (index < 0) {
        await sleep(5);
        continue;
      }
      const [item] = due.splice(index, 1);
      if (!item) continue;
      try {
        const outcome = await service.handle({ signupId: item.signupId, kind: 'verification_code' }, quiet);
        const label =
          outcome.action === 'requeue'
            ? `requeue:${outcome.reason}`
            : outcome.action === 'dropped'
              ? `dropped:${outcome.reason}`
              : 'sent';
        outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
        if (outcome.action === 'requeue')
          due.push({ ...item, dueAt: Date.now() + (outcome.delaySeconds * 1000) / PACING_SCALE });
        else pending--;
      } catch {
        item.attempts++;
        outcomes.set('failed_attempt', (outcomes.get('failed_attempt') ?? 0) + 1);
        if (item.attempts >= 5) pending--;
        else due.push({ ...item, dueAt: Date.now() + 30_000 / PACING_SCALE });
      }
    }
  };
  log(`pacing: ${PACING_BACKLOG} emails, budget ${PACING_BUDGET}/min, clock ×${PACING_SCALE}`);
  await Promise.all(Array.from({ length: 18 }, () => worker()));
  smtp.close();
  // The budget's own windows: one-minute windows aligned on the minute (fakeStart is on one).
  const windowOf = (t: number) => Math.floor((t - fakeStart) / 60_000);
  const perWindow = new Map<number, number>();
  for (const t of sendTimes) perWindow.set(windowOf(t), (perWindow.get(windowOf(t)) ?? 0) + 1);
  const windows = [...perWindow.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  const full = windows.slice(0, -1); // the last window only has what was left
  const mostInAnyMinute = (times: number[]) => {
    const sorted = [...times].sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; i < sorted.length; i++) {
      while ((sorted[i] ?? 0) - (sorted[j] ?? 0) >= 60_000) j++;
      most = Math.max(most, i - j + 1);
    }
    return most;
  };
  return {
    sent: sendTimes.length,
    windows,
    utilisation: full.length > 0 ? median(full) / PACING_BUDGET : Number.NaN,
    minFull: full.length > 0 ? Math.min(...full) : Number.NaN,
    overBudgetWindows: windows.filter((n) => n > PACING_BUDGET).length,
    slidingMax: mostInAnyMinute(sendTimes),
    slidingMaxTokens: mostInAnyMinute(tokenTimes),
    outcomes: [...outcomes.entries()].sort((a, b) => b[1] - a[1]),
  };
}
