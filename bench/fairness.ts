/**
 * Phase `fairness`: fair admission to the email budget, with the app's own sign-up and email services on
 * Azurite (real Table stores and limiter), a clock 5 (backlog) or 60 (flood) times faster than real time and an in-memory
 * delay queue that honours every re-queue delay in scaled time (as the pacing phase does).
 *
 * - `estimates`: a 200-flow backlog over four domains (110/50/25/15, admitted in a shuffled order) under a
 *   budget of 60/min. For every flow: the `estimatedCodeAt` of its 202 and of every status read the page
 *   makes while it waits (at 4, 12 and 30 s, then every minute: web/codeWatch.ts), against the time its
 *   code was sent.
 * - `flood`: the attack with ACS's default quota (30/min, 100/h): two IPs start 50 flows each at one
 *   company domain, then 20 legitimate people at other domains start one every 3 minutes. p95 delay of the
 *   legitimate codes, `before` (no lanes: every code competes for the budget as it comes back from the
 *   queue, which is how the email function worked before fair admission) and `after`.
 */
import { createTableClient } from '../shared/adapters/storageClients';
import { TableRateLimiter } from '../shared/adapters/tableRateLimiter';
import { TableAddressStore, TableSignupStore } from '../shared/adapters/tableStores';
import { parseConfig } from '../shared/config';
import { emailSettings, signupSettings } from '../shared/container';
import { EMPTY_STORED_POLICY, effectivePolicy } from '../shared/domain/policy';
import type { Logger } from '../shared/log';
import type { Clock, QueuePublisher } from '../shared/ports';
import { EMAIL_BUDGET_KEY, makeEmailService } from '../shared/services/emailService';
import { StaticPolicyProvider } from '../shared/services/policy';
import { makeSignupService } from '../shared/services/signupService';
import { QUEUES, TABLES } from '../shared/storageNames';
import { sleep } from '../dev/stack/client';
import { percentile } from '../dev/stats';
import { QUICK, type Stack, log } from './context';
import { nextAddress } from './load';

const quiet: Logger = { event: () => undefined };

interface Scenario {
  budgetPerMinute: number;
  budgetPerHour: number;
  /** false: flows carry no ticket, so every code competes for the budget as it comes back (the old way). */
  lanes: boolean;
  /** [fake ms after the start, domain, ip] of each start. */
  starts: Array<[number, string, string]>;
  /** Read each waiting flow's status as the page does (at 4, 12 and 30 s, then every minute). */
  pageReads?: boolean;
  /** Fake seconds per real second. */
  scale: number;
  /** The clock stands still until every start is in (a backlog formed at once). */
  frozenWhileStarting?: boolean;
}

interface FlowResult {
  domain: string;
  startedAt: number;
  estimate202: number;
  /** [fake time of the read, its estimatedCodeAt] of every status read while the code waited. */
  reads: Array<[number, number]>;
  sentAt?: number;
}

async function runScenario(stack: Stack, scenario: Scenario, fakeStart: number): Promise<FlowResult[]> {
  const config = parseConfig({
    ...stack.settings,
    EMAIL_BUDGET_PER_MINUTE: String(scenario.budgetPerMinute),
    EMAIL_BUDGET_PER_HOUR: String(scenario.budgetPerHour),
    IP_STARTS_PER_MINUTE: '1000',
    IP_STARTS_PER_HOUR: '1000',
    RECIPIENT_EMAILS_PER_MINUTE: '5',
  });
  let realStart = scenario.frozenWhileStarting ? Number.NaN : Date.now();
  const clock: Clock = {
    now: () =>
      new Date(Number.isNaN(realStart) ? fakeStart : fakeStart + (Date.now() - realStart) * scenario.scale),
  };
  const table = (name: string) =>
    createTableClient({ connectionString: stack.azurite.connectionString }, name);
  const signups = new TableSignupStore(table(TABLES.signups));
  const addresses = new TableAddressStore(table(TABLES.addresses));
  const limiter = new TableRateLimiter(table(TABLES.rateLimits));
  await limiter.delete(EMAIL_BUDGET_KEY);

  const due: Array<{ signupId: string; at: number }> = [];
  const queue: QueuePublisher = {
    send: (name, message, options) => {
      if (name === QUEUES.email)
        due.push({
          signupId: message.signupId,
          at: Date.now() + ((options?.visibilityDelaySeconds ?? 0) * 1000) / scenario.scale,
        });
      return Promise.resolve();
    },
  };
  // An open policy (no pause, no lists); the proof of work is not what this phase measures.
  const policy = new StaticPolicyProvider(
    effectivePolicy({ organizationDomains: [], allowedDomains: [], blockedDomains: [] }, EMPTY_STORED_POLICY),
  );
  const challenges = { verify: () => Promise.resolve() };
  const signupService = makeSignupService({
    signups,
    addresses,
    limiter,
    queue,
    policy,
    challenges,
    clock,
    settings: signupSettings(config),
  });
  const results = new Map<string, FlowResult>();
  const sender = {
    send: (email: { idempotencyKey: string }) => {
      const flow = results.get(email.idempotencyKey.split(':')[0] ?? '');
      if (flow && flow.sentAt === undefined) flow.sentAt = clock.now().getTime();
      return Promise.resolve({ messageId: email.idempotencyKey });
    },
  };
  const emailService = makeEmailService({
    signups,
    addresses,
    limiter,
    clock,
    sender,
    policy,
    settings: emailSettings(config),
  });

  let startsLeft = scenario.starts.length;
  const starter = async () => {
    for (const [offset, domain, ip] of scenario.starts) {
      const wait = (fakeStart + offset - clock.now().getTime()) / scenario.scale;
      if (wait > 0) await sleep(wait);
      const started = await signupService.start(
        { email: nextAddress('fair').replace(/@.*/, `@${domain}`), ip, correlationId: 'bench' },
        quiet,
      );
      if (!scenario.lanes) {
        // The old way: no place in a lane, so the email function only asks the global budget.
        const stored = await signups.get(started.signupId);
        if (stored) await signups.update({ ...stored.value, codeTicket: undefined }, stored.etag);
      }
      results.set(started.signupId, {
        domain,
        startedAt: clock.now().getTime(),
        estimate202: Date.parse(started.estimatedCodeAt),
        reads: [],
      });
      startsLeft--;
    }
    if (Number.isNaN(realStart)) {
      realStart = Date.now();
      for (const d of due) d.at = realStart;
    }
  };
  // The page's reads (web/codeWatch.ts): 4, 12 and 30 s after the start, then every minute.
  const readTimes = (startedAt: number, until: number) => {
    const times = [4_000, 12_000, 30_000].map((d) => startedAt + d);
    for (let t = startedAt + 90_000; t <= until; t += 60_000) times.push(t);
    return times;
  };
  const statusReader = async () => {
    if (!scenario.pageReads) return;
    while (startsLeft > 0 || Number.isNaN(realStart)) await sleep(5);
    const due = [...results].flatMap(([signupId, flow]) =>
      readTimes(flow.startedAt, fakeStart + 3_600_000).map((at) => ({ signupId, flow, at })),
    );
    due.sort((a, b) => a.at - b.at);
    for (const read of due) {
      if ([...results.values()].every((f) => f.sentAt !== undefined)) return;
      if (read.flow.sentAt !== undefined) continue;
      const wait = (read.at - clock.now().getTime()) / scenario.scale;
      if (wait > 0) await sleep(wait);
      const view = await signupService.status(read.signupId);
      if (view.estimatedCodeAt)
        read.flow.reads.push([clock.now().getTime(), Date.parse(view.estimatedCodeAt)]);
    }
  };
  const worker = async () => {
    while (startsLeft > 0 || due.length > 0) {
      const now = Date.now();
      if (Number.isNaN(realStart)) {
        await sleep(2);
        continue;
      }
      const index = due.findIndex((d) => d.at <= now);
      if (index < 0) {
        await sleep(2);
        continue;
      }
      const [item] = due.splice(index, 1);
      if (!item) continue;
      const outcome = await emailService.handle(
        { signupId: item.signupId, kind: 'verification_code' },
        quiet,
      );
      if (outcome.action === 'requeue')
        due.push({
          signupId: item.signupId,
          at: Date.now() + (outcome.delaySeconds * 1000) / scenario.scale,
        });
    }
  };
  // 3 "instances" × 4 messages in flight.
  await Promise.all([starter(), statusReader(), ...Array.from({ length: 12 }, () => worker())]);
  return [...results.values()];
}

/** Signed error of an estimate relative to the wait it predicted (actual − estimate) / (actual − asked). */
const relativeError = (actual: number, estimate: number, askedAt: number) =>
  (actual - estimate) / Math.max(1, actual - askedAt);

function shuffled<T>(items: T[]): T[] {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export async function fairnessPhase(stack: Stack) {
  // ---- estimates: a 200-flow backlog over four domains
  const sizes: Array<[string, number]> = [
    ['northwind-traders.com', 110],
    ['adventure-works.com', 50],
    ['wide-world-importers.com', 25],
    ['tailspin-toys.com', 15],
  ];
  const order = shuffled(sizes.flatMap(([domain, n]) => Array.from({ length: n }, () => domain)));
  log(`fairness: ${order.length}-flow backlog, 60/min, clock ×5`);
  const backlog = await runScenario(
    stack,
    {
      budgetPerMinute: 60,
      budgetPerHour: 100_000,
      scale: 5,
      lanes: true,
      starts: order.map((d, i): [number, string, string] => [0, d, `198.51.100.${i % 200}`]),
      pageReads: true,
      frozenWhileStarting: true,
    },
    Date.UTC(2031, 1, 1),
  );
  // Codes that go out within a minute get no time on the page ("more than a minute away"); for them
  // the error is in seconds.
  const judged = (flows: FlowResult[], pick: (f: FlowResult) => Array<[number, number]>) => {
    const errors: number[] = [];
    let withinQuarter = 0;
    let total = 0;
    const misses: Array<{ domain: string; askedAtS: number; estimateS: number; sentS: number }> = [];
    for (const f of flows)
      for (const [askedAt, estimate] of pick(f)) {
        if (f.sentAt === undefined) continue;
        total++;
        const wait = f.sentAt - askedAt;
        const error = relativeError(f.sentAt, estimate, askedAt);
        if (wait >= 60_000) errors.push(Math.abs(error));
        if (wait < 60_000 ? Math.abs(f.sentAt - estimate) <= 15_000 : Math.abs(error) <= 0.25)
          withinQuarter++;
        else if (misses.length < 8) {
          const s = (ms: number) => Math.round((ms - f.startedAt) / 100) / 10;
          misses.push({ domain: f.domain, askedAtS: s(askedAt), estimateS: s(estimate), sentS: s(f.sentAt) });
        }
      }
    return {
      estimates: total,
      withinTolerance: withinQuarter,
      maxRelativeError: errors.length ? Math.max(...errors) : 0,
      p95RelativeError: errors.length ? percentile(errors, 95) : 0,
      /** The first misses, in seconds after the flow started: when asked, the estimate, the real send. */
      misses,
    };
  };
  const at202 = judged(backlog, (f) => [[f.startedAt, f.estimate202]]);
  const atStatus = judged(backlog, (f) => f.reads);
  const unsent = backlog.filter((f) => f.sentAt === undefined).length;
  const lastSentSeconds = Math.max(...backlog.map((f) => (f.sentAt ?? 0) - f.startedAt)) / 1000;

  // ---- flood: 2 IPs × 50 starts at one domain, then 20 legitimate people at other domains
  const flood = (lanes: boolean): Scenario => ({
    budgetPerMinute: 30,
    budgetPerHour: 100,
    scale: 60,
    lanes,
    starts: [
      ...Array.from({ length: 100 }, (_, i): [number, string, string] => [
        i * 600,
        'contoso-partner.com',
        i % 2 ? '203.0.113.1' : '203.0.113.2',
      ]),
      ...Array.from({ length: QUICK ? 5 : 20 }, (_, i): [number, string, string] => [
        60_000 + i * 180_000,
        `legit-${i}.com`,
        `192.0.2.${i}`,
      ]),
    ].sort((a, b) => a[0] - b[0]),
  });
  const delays = (flows: FlowResult[]) => {
    const legit = flows
      .filter((f) => f.domain.startsWith('legit-') && f.sentAt !== undefined)
      .map((f) => (f.sentAt as number) - f.startedAt);
    return {
      legit: legit.length,
      p50Minutes: percentile(legit, 50) / 60_000,
      p95Minutes: percentile(legit, 95) / 60_000,
    };
  };
  log('fairness: 2-IP flood, before (no lanes)');
  const before = delays(await runScenario(stack, flood(false), Date.UTC(2031, 2, 1)));
  log('fairness: 2-IP flood, after (fair lanes)');
  const after = delays(await runScenario(stack, flood(true), Date.UTC(2031, 3, 1)));
  return {
    backlog: { flows: backlog.length, unsent, lastSentSeconds, at202, atStatus },
    flood: { before, after },
  };
}
