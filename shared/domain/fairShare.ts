/**
 * Fair admission to the email budget (req 15, DESIGN.md §3): the global send budget is shared out per
 * recipient domain, code emails go before notices, and every waiting code email has an honest estimate.
 *
 * The model. Each recipient domain has a *lane*: a ticket counter. A start or resend takes the lane's next
 * ticket (kept on the flow); the email function settles it once the code email went out or was dropped.
 * The budget's own sliding windows (`budget-email`) and the lanes live in ONE limiter entity, so a send
 * takes a budget token and settles its ticket in one ETag-guarded write — several instances and
 * redelivered queue messages cannot double-count (settling is idempotent per ticket).
 *
 * Who gets the next token is decided by `simulate`, a pure replay of the future from the stored state:
 * whenever the budget admits one email, it goes to the best waiting lane, where lanes still under their
 * share of every window (`EMAIL_DOMAIN_SHARE` × the window's limit, at least 1, per aligned window) come
 * before lanes over it, then the lane served least recently (round robin). Lanes over their share use
 * the budget only while it keeps one share of every window in reserve for domains that are not (so a
 * flood that started while nobody else waited cannot spend the whole hour ahead of them). So a domain takes
 * more than its share only when no domain under its share is waiting, and a flood at one domain queues
 * behind everyone else. Within a lane, tickets go in order. The same replay answers three questions:
 * may this ticket be sent now (it is served at `now`), when will it be (`estimatedCodeAt`, and the
 * re-queue delay of a message that must wait), and would a new start wait longer than the flow lives
 * (then it is shed with `busy`). Notices (account ready, failed) take a token only when no code waits.
 */
import { z } from 'zod';

import { decide, type RateLimit, type RateWindows, usage } from './rateWindows';

export interface FairShareSettings {
  budgetPerMinute: number;
  budgetPerHour: number;
  /** Share of each window's budget one domain may take while others wait (0 < share ≤ 1). */
  domainShare: number;
  /** Flows live this long: a start whose code would come later is shed; a lane stuck this long is reset. */
  flowTtlHours: number;
}

/** A place in a domain's lane. `epoch` tells a ticket from one of an earlier lane of the same domain. */
export interface Ticket {
  lane: string;
  epoch: number;
  n: number;
}

const Lane = z.object({
  /** When the lane was created (epoch ms); tickets of another epoch are not in this lane. */
  epoch: z.number(),
  /** The next ticket number to hand out. */
  next: z.number().int().min(0),
  /** Every ticket below `head` is settled. */
  head: z.number().int().min(0),
  /** Settled tickets at or above `head` (settled out of order), ascending. */
  done: z.array(z.number().int()),
  /** When `head` last moved (or the lane was created). */
  moved: z.number(),
  /** When this lane last sent (epoch ms; 0 = never): among lanes alike, the least recently served goes first. */
  last: z.number().default(0),
  /** This lane's sends per aligned minute and hour. */
  used: z.record(z.string(), z.object({ start: z.number(), count: z.number() })),
});
export type Lane = z.infer<typeof Lane>;

const Ledger = z.object({ lanes: z.record(z.string(), Lane) });
export type FairLedger = z.infer<typeof Ledger>;

/** The budget entity: the global sliding windows and the lanes, written together. */
export interface BudgetState {
  windows: RateWindows;
  ledger: FairLedger;
}

/** A stored ledger, or an empty one when absent or unreadable (it is rebuilt by the next starts). */
export function parseLedger(raw: string | undefined): FairLedger {
  if (!raw) return { lanes: {} };
  try {
    const parsed = Ledger.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : { lanes: {} };
  } catch {
    return { lanes: {} };
  }
}

/** The global budget: sliding, because ACS counts its quota over any minute and any hour. */
export function budgetLimits(s: Pick<FairShareSettings, 'budgetPerMinute' | 'budgetPerHour'>): RateLimit[] {
  return [
    { name: 'minute', limit: s.budgetPerMinute, windowSeconds: 60, sliding: true },
    { name: 'hour', limit: s.budgetPerHour, windowSeconds: 3600, sliding: true },
  ];
}

/** One domain's share of each window (at least one email, so a small budget still serves every domain). */
export function shareLimits(s: FairShareSettings): RateLimit[] {
  return [
    { name: 'minute', limit: Math.max(1, Math.floor(s.domainShare * s.budgetPerMinute)), windowSeconds: 60 },
    { name: 'hour', limit: Math.max(1, Math.floor(s.domainShare * s.budgetPerHour)), windowSeconds: 3600 },
  ];
}

/** Counting a lane's sends never refuses: the share only orders lanes. */
const countingLimits = (s: FairShareSettings) =>
  shareLimits(s).map((l) => ({ ...l, limit: Number.MAX_SAFE_INTEGER }));

const sizeMs = (l: RateLimit) => l.windowSeconds * 1000;
const ttlMs = (s: FairShareSettings) => s.flowTtlHours * 3_600_000;
/** A simulation never looks further than this many grants (a lane backlog is bounded by the flow TTL). */
const MAX_STEPS = 100_000;

export function waitingIn(lane: Lane): number {
  return lane.next - lane.head - lane.done.length;
}

function isSettled(lane: Lane, n: number): boolean {
  return n < lane.head || n >= lane.next || lane.done.includes(n);
}

/** The ticket's place in its lane (1 = next to go), or undefined when it is no longer waiting there. */
export function positionOf(ledger: FairLedger, ticket: Ticket): number | undefined {
  const lane = ledger.lanes[ticket.lane];
  if (!lane || lane.epoch !== ticket.epoch || isSettled(lane, ticket.n)) return undefined;
  return 1 + ticket.n - lane.head - lane.done.filter((d) => d < ticket.n).length;
}

const newLane = (now: number): Lane => ({
  epoch: now,
  next: 0,
  head: 0,
  done: [],
  moved: now,
  last: 0,
  used: {},
});
const cloneLedger = (ledger: FairLedger): FairLedger => structuredClone(ledger);

/**
 * Drops lanes nobody waits in whose counts have run out, and resets a lane whose head has not moved for
 * a flow's lifetime (its tickets belong to flows that expired with their messages lost).
 */
export function tidy(ledger: FairLedger, now: number, s: FairShareSettings): FairLedger {
  const lanes: FairLedger['lanes'] = {};
  const at = new Date(now);
  for (const [name, lane] of Object.entries(ledger.lanes)) {
    const counting = shareLimits(s).some((l) => usage(lane.used, l, at) > 0);
    const stuck = waitingIn(lane) > 0 && now - lane.moved > ttlMs(s);
    if (stuck || (waitingIn(lane) === 0 && !counting)) continue;
    lanes[name] = lane;
  }
  return { lanes };
}

/** Marks the ticket settled; undefined when it already was (a redelivery), so nothing is written. */
export function settle(ledger: FairLedger, ticket: Ticket, now: number): FairLedger | undefined {
  const current = ledger.lanes[ticket.lane];
  if (!current || current.epoch !== ticket.epoch || isSettled(current, ticket.n)) return undefined;
  const next = cloneLedger(ledger);
  const lane = next.lanes[ticket.lane] as Lane;
  lane.done = [...lane.done, ticket.n].sort((a, b) => a - b);
  while (lane.done[0] === lane.head) {
    lane.done.shift();
    lane.head++;
    lane.moved = now;
  }
  return next;
}

type Target = { lane: string; position: number } | 'notice' | 'drain';

/**
 * Replays the future from `state` at `now`: the time (epoch ms) the target is served — the ticket at
 * `position` of `lane`, a notice (after every waiting code) or the whole code backlog — or undefined when
 * it is past MAX_STEPS grants.
 */
export function simulate(
  state: BudgetState,
  now: number,
  s: FairShareSettings,
  target: Target,
): number | undefined {
  const limits = budgetLimits(s);
  const share = shareLimits(s);
  const counting = countingLimits(s);
  const reserved = limits.map((l, i) => ({ ...l, limit: l.limit - (share[i] as RateLimit).limit }));
  let windows = state.windows;
  const lanes = Object.entries(state.ledger.lanes)
    .map(([name, lane]) => ({
      name,
      last: lane.last,
      waiting: waitingIn(lane),
      served: 0,
      used: lane.used,
    }))
    .filter((l) => l.waiting > 0 || (typeof target === 'object' && l.name === target.lane));
  let t = now;
  // Each step is one instant: every token free then is handed out, one by one, then time moves on to when
  // the budget (or the reserve) next has room. Cost grows with the instants, not with the backlog.
  for (let step = 0; step < MAX_STEPS; step++) {
    const at = new Date(t);
    const room = roomIn(windows, limits, at);
    const roomReserved = reserved.every((l) => l.limit >= 1) ? roomIn(windows, reserved, at) : 0;
    if (lanes.every((l) => l.waiting === 0)) {
      if (target === 'drain') return t;
      // A notice goes once no code waits and the budget has room for it.
      if (target === 'notice') return room > 0 ? t : t + retryAfter(windows, limits, at);
      return undefined;
    }
    let granted = 0;
    while (granted < room) {
      const waiting = lanes.filter((l) => l.waiting > 0);
      if (waiting.length === 0) break;
      const underShare = (l: (typeof lanes)[number]) => share.every((w) => usage(l.used, w, at) < w.limit);
      const eligible = waiting.filter(underShare);
      // Only domains over their share wait: they may use the budget but for a reserve of one share of
      // every window, kept for domains that come later (so a flood cannot spend the hour ahead of them).
      if (eligible.length === 0) {
        if (granted >= roomReserved) break;
        eligible.push(...waiting);
      }
      const best = eligible.reduce((x, y) =>
        x.last !== y.last ? (x.last < y.last ? x : y) : x.name <= y.name ? x : y,
      );
      granted++;
      best.used = decide(best.used, counting, at).next ?? best.used;
      best.last = t;
      best.waiting--;
      best.served++;
      if (typeof target === 'object' && best.name === target.lane && best.served >= target.position) return t;
    }
    if (granted > 0) windows = decide(windows, limits, at, granted).next ?? windows;
    if (lanes.every((l) => l.waiting === 0)) continue;
    // Nothing more fits at this instant: move on to when the budget, the reserve or a share reopens.
    const boundary = Math.min(...share.map((w) => (Math.floor(t / sizeMs(w)) + 1) * sizeMs(w)));
    const full = roomIn(windows, limits, at) <= 0;
    const reopen = full
      ? t + retryAfter(windows, limits, at)
      : reserved.every((l) => l.limit >= 1)
        ? Math.min(t + retryAfter(windows, reserved, at), boundary)
        : boundary;
    t = Math.max(t + 1, reopen);
  }
  return undefined;
}

/** How many more events `limits` admit at `at`. */
function roomIn(windows: RateWindows, limits: readonly RateLimit[], at: Date): number {
  return Math.max(0, Math.min(...limits.map((l) => l.limit - usage(windows, l, at))));
}

/** Milliseconds until `limits` next admit one event at `at` (0 when they do now). */
function retryAfter(windows: RateWindows, limits: readonly RateLimit[], at: Date): number {
  const { decision } = decide(windows, limits, at);
  return decision.allowed ? 0 : decision.retryAfterMs;
}

export type Admission =
  | { admitted: true; ticket: Ticket; estimatedAt: number; next: BudgetState }
  | { admitted: false; retryAfterSeconds: number };

/**
 * A code email is wanted for an address at `lane`: hands out the lane's next ticket, settles the one it
 * replaces (a resend's earlier request) and estimates when it goes out. Refused when that is later than a
 * flow lives (the start is shed with `busy`, Retry-After the excess).
 */
export function admit(
  state: BudgetState,
  laneName: string,
  now: number,
  s: FairShareSettings,
  replaces?: Ticket,
): Admission {
  let ledger = tidy(state.ledger, now, s);
  if (replaces) ledger = settle(ledger, replaces, now) ?? ledger;
  ledger = cloneLedger(ledger);
  const lane = (ledger.lanes[laneName] ??= newLane(now));
  const ticket: Ticket = { lane: laneName, epoch: lane.epoch, n: lane.next };
  lane.next++;
  const next = { windows: state.windows, ledger };
  const position = positionOf(ledger, ticket) ?? 1;
  const estimatedAt = simulate(next, now, s, { lane: laneName, position }) ?? Number.POSITIVE_INFINITY;
  if (estimatedAt - now > ttlMs(s)) {
    const excess = Number.isFinite(estimatedAt) ? estimatedAt - now - ttlMs(s) : 3_600_000;
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(excess / 1000)) };
  }
  return { admitted: true, ticket, estimatedAt, next };
}

/** When the ticket's email should go out (epoch ms): now if it is being sent, undefined if unknown. */
export function estimate(
  state: BudgetState,
  ticket: Ticket,
  now: number,
  s: FairShareSettings,
): number | undefined {
  const position = positionOf(state.ledger, ticket);
  if (position === undefined) return undefined;
  return simulate(state, now, s, { lane: ticket.lane, position });
}

export type Claim = { allowed: true; next: BudgetState } | { allowed: false; retryAt: number };

/**
 * May this email take a budget token now? A code email with a waiting ticket: when the replay serves it
 * now. A code email whose ticket is unknown (settled by an earlier attempt whose send failed, queued
 * before lanes existed, or its lane was reset): as soon as the budget has room, since it already waited
 * its turn. A notice: when the budget has room and no code email waits for it. On `allowed` the token is
 * counted, the lane's use recorded and the ticket settled, all in `next`.
 */
export function claim(
  state: BudgetState,
  email: { kind: 'code'; lane: string; ticket?: Ticket } | { kind: 'notice' },
  now: number,
  s: FairShareSettings,
): Claim {
  const ledger = tidy(state.ledger, now, s);
  const tidied = { windows: state.windows, ledger };
  const position = email.kind === 'code' && email.ticket ? positionOf(ledger, email.ticket) : undefined;
  if (email.kind === 'notice' || position !== undefined) {
    const target: Target = email.kind === 'notice' ? 'notice' : { lane: email.lane, position: position ?? 1 };
    const servedAt = simulate(tidied, now, s, target) ?? now + 3_600_000;
    if (servedAt > now) return { allowed: false, retryAt: servedAt };
  }
  const { decision, next: windows } = decide(state.windows, budgetLimits(s), new Date(now));
  if (!decision.allowed || !windows)
    return { allowed: false, retryAt: now + (decision.allowed ? 1000 : decision.retryAfterMs) };
  if (email.kind === 'notice') return { allowed: true, next: { windows, ledger } };
  let after = (email.ticket && settle(ledger, email.ticket, now)) || cloneLedger(ledger);
  const lane = (after.lanes[email.lane] ??= newLane(now));
  lane.last = now;
  lane.used = decide(lane.used, countingLimits(s), new Date(now)).next ?? lane.used;
  after = { lanes: { ...after.lanes, [email.lane]: lane } };
  return { allowed: true, next: { windows, ledger: after } };
}

/** The ticket as kept on the flow (`<epoch>:<n>`; its lane is the flow's domain). */
export function formatTicket(ticket: Ticket): string {
  return `${ticket.epoch}:${ticket.n}`;
}

export function parseTicket(lane: string, raw: string | undefined): Ticket | undefined {
  const match = raw ? /^(\d+):(\d+)$/.exec(raw) : null;
  return match ? { lane, epoch: Number(match[1]), n: Number(match[2]) } : undefined;
}
