/**
 * Fair admission to the email budget (req 15): the pure replay in shared/domain/fairShare.ts, then the
 * sign-up and email services over it with a fixed clock and a queue that honours re-queue delays.
 */
import {
  admit,
  type BudgetState,
  claim,
  type FairShareSettings,
  positionOf,
  settle,
  type Ticket,
} from '../../shared/domain/fairShare';
import { AppError } from '../../shared/errors';
import { QUEUES } from '../../shared/storageNames';
import { uniqueEmail } from '../support/builders';
import { FixedClock } from '../support/fakes';
import { testWorld } from '../support/testWorld';

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const SIX: FairShareSettings = {
  budgetPerMinute: 6,
  budgetPerHour: 1000,
  domainShare: 0.2,
  flowTtlHours: 24,
};
const empty = (): BudgetState => ({ windows: {}, ledger: { lanes: {} } });

function admitted(state: BudgetState, lane: string, now: number, s = SIX) {
  const a = admit(state, lane, now, s);
  if (!a.admitted) throw new Error('shed');
  return a;
}

/** Sends (claims) everything the replay allows at `now`, ticket by ticket; returns the lanes served. */
function sendDue(state: BudgetState, tickets: Ticket[], now: number, s = SIX) {
  const served: string[] = [];
  for (const ticket of [...tickets]) {
    const c = claim(state, { kind: 'code', lane: ticket.lane, ticket }, now, s);
    if (!c.allowed) continue;
    state = c.next;
    served.push(ticket.lane);
    tickets.splice(tickets.indexOf(ticket), 1);
  }
  return { state, served };
}

describe('fair share replay (pure)', () => {
  test('a domain alone takes the budget but one share kept in reserve; a second domain takes the reserve at once (req 15)', () => {
    let state = empty();
    const tickets: Ticket[] = [];
    for (let i = 0; i < 60; i++) {
      const a = admitted(state, 'flood-corp.com', T0);
      state = a.next;
      tickets.push(a.ticket);
    }
    ({ state } = sendDue(state, tickets, T0));
    // 5 of 6 went out at once: its own share, then the budget less one share kept for other domains.
    expect(tickets).toHaveLength(55);
    expect(sendDue(state, [...tickets], T0 + 5_000).served).toEqual([]);

    const b = admitted(state, 'other-corp.com', T0 + 5_000);
    state = b.next;
    expect(b.estimatedAt).toBe(T0 + 5_000);
    const first = sendDue(state, [...tickets, b.ticket], T0 + 5_000);
    expect(first.served).toEqual(['other-corp.com']);
    // A minute on, the flood goes on as promised before the other domain came: five, for the other's email
    // took the spare reserve, not a promised slot (the window holds exactly the budget).
    expect(sendDue(first.state, [...tickets], T0 + 60_000).served).toEqual([]);
    expect(sendDue(first.state, [...tickets], T0 + 61_000).served).toHaveLength(5);
  });

  test('while another domain waits, a flooded domain gets at most its share of a window', () => {
    let state = empty();
    const tickets: Ticket[] = [];
    // Budget 10/min, share 0.2 → 2 per domain per minute while the other waits.
    const s = { ...SIX, budgetPerMinute: 10 };
    for (let i = 0; i < 30; i++) {
      for (const lane of ['a-corp.com', 'b-corp.com']) {
        if (lane === 'b-corp.com' && i >= 2) continue;
        const a = admitted(state, lane, T0, s);
        state = a.next;
        tickets.push(a.ticket);
      }
    }
    const { served } = sendDue(state, tickets, T0, s);
    expect(served).toHaveLength(8); // 2 of the 10 stay in reserve while only domains over their share wait
    // b (2 waiting: its share) is never kept behind a: a is over its share after 2 while b still waits.
    const lastOfB = served.findIndex(
      (_l, i) => served.slice(0, i + 1).filter((x) => x === 'b-corp.com').length === 2,
    );
    expect(served.slice(0, lastOfB).filter((l) => l === 'a-corp.com').length).toBeLessThanOrEqual(2);
  });

  test('settling is idempotent and positions close up behind a settled ticket', () => {
    let state = empty();
    const t = [0, 1, 2].map(() => {
      const a = admitted(state, 'x-corp.com', T0);
      state = a.next;
      return a.ticket;
    });
    const once = settle(state.ledger, t[1] as Ticket, T0);
    expect(once).toBeDefined();
    expect(settle(once!, t[1] as Ticket, T0)).toBeUndefined(); // a redelivery writes nothing
    expect(positionOf(once!, t[2] as Ticket)).toBe(2);
    const head = settle(once!, t[0] as Ticket, T0)!;
    expect(head.lanes['x-corp.com']).toMatchObject({ head: 2, done: [] });
    expect(positionOf(head, t[2] as Ticket)).toBe(1);
  });

  test('a notice waits while a code email needs the token, then takes one', () => {
    const one = { ...SIX, budgetPerMinute: 1 };
    let state = empty();
    const a = admitted(state, 'x-corp.com', T0, one);
    state = a.next;
    const notice = claim(state, { kind: 'notice' }, T0, one);
    expect(notice).toEqual({ allowed: false, retryAt: expect.any(Number) });
    const sent = claim(state, { kind: 'code', lane: 'x-corp.com', ticket: a.ticket }, T0, one);
    if (!sent.allowed) throw new Error('code refused');
    // With the code gone, the notice takes the next token (a minute on).
    expect(claim(sent.next, { kind: 'notice' }, T0, one).allowed).toBe(false);
    expect(claim(sent.next, { kind: 'notice' }, T0 + 61_000, one).allowed).toBe(true);
    // With room for both, a notice does not wait behind a code that does not need its token.
    expect(claim(state, { kind: 'notice' }, T0, SIX).allowed).toBe(true);
  });

  test('a code whose ticket is unknown (already settled by a failed send) goes as soon as the budget has room', () => {
    const state = empty();
    const ticket = { lane: 'x-corp.com', epoch: 1, n: 5 };
    expect(claim(state, { kind: 'code', lane: 'x-corp.com', ticket }, T0, SIX).allowed).toBe(true);
  });

  test('a start whose code would come after the flow expires is shed, with Retry-After for the excess', () => {
    // One email a minute and five an hour: a domain's share is one an hour, four stay for other domains.
    const s = { ...SIX, budgetPerMinute: 1, budgetPerHour: 5, flowTtlHours: 3 };
    let state = empty();
    const at = (a: ReturnType<typeof admitted>) => ((state = a.next), (a.estimatedAt - T0) / 60_000);
    expect(at(admitted(state, 'x-corp.com', T0, s))).toBe(0);
    expect(at(admitted(state, 'x-corp.com', T0, s))).toBe(61); // its next hourly share
    expect(at(admitted(state, 'x-corp.com', T0, s))).toBe(122); // within the TTL
    const shed = admit(state, 'x-corp.com', T0, s); // 183 minutes on: past the three hours a flow lives
    expect(shed).toEqual({ admitted: false, retryAfterSeconds: 180 });
    // Another domain is not held up by that backlog: it goes as soon as the minute's budget has room.
    const y = admit(state, 'y-corp.com', T0, s);
    expect(y.admitted && y.estimatedAt - T0).toBe(61_000);
  });
});

describe('fair share through the services (fixed clock, a queue honouring delays)', () => {
  /** Plays the email trigger: delivers each message once its visibility delay has passed, second by second. */
  function emailTrigger(world: ReturnType<typeof testWorld>) {
    const due: Array<{ at: number; message: { signupId: string } }> = [];
    const pull = () => {
      for (const m of world.queue.take(QUEUES.email))
        due.push({
          at: world.clock.now().getTime() + (m.visibilityDelaySeconds ?? 0) * 1000,
          message: m.message,
        });
    };
    return async function runUntil(until: number, onSecond?: () => void): Promise<void> {
      pull();
      while (world.clock.now().getTime() < until) {
        const now = world.clock.now().getTime();
        for (const item of due.filter((d) => d.at <= now)) {
          due.splice(due.indexOf(item), 1);
          const outcome = await world.emailService.handle(
            { signupId: item.message.signupId, kind: 'verification_code' },
            world.log,
          );
          if (outcome.action === 'requeue')
            due.push({ at: now + outcome.delaySeconds * 1000, message: item.message });
        }
        pull();
        onSecond?.();
        if (due.length === 0) return;
        world.clock.advance(1000);
      }
    };
  }

  test('60 starts at one domain then 1 at another: its code goes in the next budget window; nothing dropped; estimates hold', async () => {
    const clock = new FixedClock(new Date(T0));
    const world = testWorld({
      clock,
      budgetPerMinute: 6,
      budgetPerHour: 1000,
      settings: { ipStartsPerMinute: 1000, ipStartsPerHour: 1000 },
    });
    const started: Array<{ email: string; signupId: string; at: number; estimate: number }> = [];
    const start = async (email: string) => {
      const r = await world.signupService.start({ email, ip: '203.0.113.7', correlationId: 'c' }, world.log);
      started.push({
        email,
        signupId: r.signupId,
        at: clock.now().getTime(),
        estimate: Date.parse(r.estimatedCodeAt),
      });
    };
    const trigger = emailTrigger(world);
    for (let i = 0; i < 60; i++) await start(uniqueEmail('flood-corp.com'));
    await trigger(T0 + 5_000);
    const other = uniqueEmail('other-corp.com');
    await start(other);
    const otherStarted = clock.now().getTime();
    // The 202s could not foresee the other domain; a status read now does (updated as the backlog moves).
    const updated: Array<{ email: string; at: number; estimate: number }> = [];
    for (const s of started) {
      const view = await world.signupService.status(s.signupId);
      if (view.estimatedCodeAt)
        updated.push({ email: s.email, at: otherStarted, estimate: Date.parse(view.estimatedCodeAt) });
    }
    expect(updated.length).toBe(56); // 5 of the flood went out before the other domain started

    const arrived = new Map<string, number>();
    await trigger(T0 + 15 * 60_000, () => {
      for (const mail of world.sender.delivered)
        if (!arrived.has(mail.to)) arrived.set(mail.to, clock.now().getTime());
    });

    // The other domain's code went out within the next budget window, before any more flood mail.
    expect(arrived.get(other)! - otherStarted).toBeLessThanOrEqual(60_000);
    // (Tokens free at the same instant are shared out together: the rest of that window goes to the flood.)
    const floodWhileOtherWaits = [...arrived].filter(
      ([to, at]) => to.endsWith('@flood-corp.com') && at > otherStarted && at < arrived.get(other)!,
    );
    expect(floodWhileOtherWaits).toHaveLength(0);
    // Nothing dropped: every one of the 61 codes went out, 6 per minute.
    expect(arrived.size).toBe(61);
    expect(world.sink.events().filter((e) => e.event === 'email_dropped')).toHaveLength(0);
    // Every estimate is within ±25 % of the real wait (or 5 s for codes that went at once): the latest
    // status read for the flood, the 202 for the other domain.
    for (const s of [...updated, started[started.length - 1]!]) {
      const wait = arrived.get(s.email)! - s.at;
      expect(Math.abs(arrived.get(s.email)! - s.estimate)).toBeLessThanOrEqual(Math.max(5_000, 0.25 * wait));
    }
  });

  test('status carries estimatedCodeAt while the code waits, and drops it once the code went out', async () => {
    const clock = new FixedClock(new Date(T0));
    const world = testWorld({ clock, budgetPerMinute: 1, budgetPerHour: 1000 });
    const a = await world.signupService.start(
      { email: uniqueEmail('x-corp.com'), ip: '203.0.113.8', correlationId: 'c' },
      world.log,
    );
    const b = await world.signupService.start(
      { email: uniqueEmail('x-corp.com'), ip: '203.0.113.9', correlationId: 'c' },
      world.log,
    );
    expect(Date.parse(b.estimatedCodeAt) - Date.parse(a.estimatedCodeAt)).toBeGreaterThanOrEqual(59_000);
    await world.deliverEmails();
    expect((await world.signupService.status(a.signupId)).estimatedCodeAt).toBeUndefined();
    expect((await world.signupService.status(b.signupId)).estimatedCodeAt).toBe(b.estimatedCodeAt);
  });

  test('the start that would wait past the flow lifetime is refused with busy and Retry-After', async () => {
    const clock = new FixedClock(new Date(T0));
    const world = testWorld({
      clock,
      budgetPerMinute: 1,
      budgetPerHour: 1,
      settings: { flowTtlHours: 2, ipStartsPerMinute: 100, ipStartsPerHour: 100 },
    });
    const start = () =>
      world.signupService.start(
        { email: uniqueEmail('x-corp.com'), ip: '203.0.113.10', correlationId: 'c' },
        world.log,
      );
    await start();
    await start();
    const refused = await start().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      code: 'busy',
      status: 503,
      options: { retryAfterSeconds: expect.any(Number) },
    });
    expect(world.queue.sent.filter((m) => m.queue === QUEUES.email)).toHaveLength(2); // nothing queued for it
  });
});
