/**
 * Fair admission to the email budget (req 15, docs/DESIGN.md §1): the global send budget is shared out per
 * recipient domain, code emails go before notices, and every waiting code email has an honest estimate.
 *
 * The model: a plan of kept promises. Each recipient domain has a *lane*, a ticket counter. A start or
 * resend takes the lane's next ticket (kept on the flow) and, at that moment, a *slot*: the second its code
 * email will go out, which is its `estimatedCodeAt`. The slot is the earliest second at which one more
 * email keeps every sliding window of the budget within its limit, counting the emails already sent and
 * every slot already promised — so a promise is never broken by anyone who comes later. Fairness is
 * decided when the slot is chosen:
 * - a lane within its share (`EMAIL_DOMAIN_SHARE` × the window's limit, at least 1, in every sliding
 *   window the email falls in) may use the whole budget when it is arriving (no slot or send in the last
 *   ACTIVE_SECONDS), and all but one share of every window (the reserve) when it is already sending;
 * - a lane over its share uses it only while one share of every window stays in reserve, for domains that
 *   come later, and while the unused minute share of every domain seen in the last two minutes stays free
 *   for that domain's next starts (so domains arriving together are served side by side, as in round
 *   robin). A flood plans its tail behind a reserve that a newcomer domain takes at once, and it can never
 *   spend the hour ahead of them.
 * Within a lane, slots follow ticket order. The email function sends a code when its slot has come and
 * the budget's own windows agree (they are the authority on the quota); the plan books it at its slot
 * (`FairLedger.booked`). Notices (account ready, failed, lifecycle) and codes whose ticket is unknown take
 * only budget nobody was promised. The budget's windows and the
 * lanes live in ONE limiter entity, so each decision is one ETag-guarded write across instances;
 * settling is idempotent per ticket.
 */
import { z } from 'zod';

import { bucketSize, decide, type RateLimit, type RateWindows } from './rateWindows';

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

export interface Lane {
  /** When the lane was created (epoch ms); tickets of another epoch are not in this lane. */
  epoch: number;
  /** The next ticket number to hand out. */
  next: number;
  /** Every ticket below `head` is settled. */
  head: number;
  /** Settled tickets at or above `head` (settled out of order), ascending. */
  done: number[];
  /** When `head` last moved (or the lane was created), epoch ms. */
  moved: number;
  /** The promised second (epoch s) of each ticket from `head` on; settled ones are ignored. */
  slots: number[];
  /** The seconds (epoch s) of this lane's most recent sends, ascending: its use of each window's share. */
  sent: number[];
}
export interface FairLedger {
  lanes: Record<string, Lane>;
  /**
   * The emails sent, per bucket of each budget window (by limit name: [bucket start, epoch s; count]),
   * filed at the second they were planned for rather than the moment they went: the plan reckons every
   * send on time, so a message that wakes late cannot make the plan look over budget and push newcomers
   * back; the budget's own windows, which file the real moment, hold the late send back instead. Absent
   * in a ledger written before bookings were kept (the windows stand in).
   */
  booked?: Record<string, Array<[number, number]>>;
}

/** The budget entity: the global sliding windows and the lanes, written together. */
export interface BudgetState {
  windows: RateWindows;
  ledger: FairLedger;
}

// Stored compactly (the entity must stay well under Table Storage's 64 KB property limit): slots and
// sends as whole seconds, each the difference from the one before it (the first from the lane's epoch).
const Stored = z.object({
  lanes: z.record(
    z.string(),
    z.object({
      epoch: z.number(),
      next: z.number().int().min(0),
      head: z.number().int().min(0),
      done: z.array(z.number().int()),
      moved: z.number(),
      slots: z.array(z.number().int()).default([]),
      sent: z.array(z.number().int()).default([]),
    }),
  ),
  booked: z.record(z.string(), z.array(z.tuple([z.number().int(), z.number().int().min(0)]))).optional(),
});

const SECOND = 1000;
const epochSecond = (lane: { epoch: number }) => Math.floor(lane.epoch / SECOND);

function undelta(base: number, deltas: number[]): number[] {
  let at = base;
  return deltas.map((d) => (at += d));
}
function delta(base: number, values: number[]): number[] {
  let at = base;
  return values.map((v) => {
    const d = v - at;
    at = v;
    return d;
  });
}

/** A stored ledger, or an empty one when absent or unreadable (it is rebuilt by the next starts). */
export function parseLedger(raw: string | undefined): FairLedger {
  if (!raw) return { lanes: {} };
  try {
    const parsed = Stored.safeParse(JSON.parse(raw));
    if (!parsed.success) return { lanes: {} };
    const lanes: FairLedger['lanes'] = {};
    for (const [name, l] of Object.entries(parsed.data.lanes))
      lanes[name] = { ...l, slots: undelta(epochSecond(l), l.slots), sent: undelta(epochSecond(l), l.sent) };
    return parsed.data.booked ? { lanes, booked: parsed.data.booked } : { lanes };
  } catch {
    return { lanes: {} };
  }
}

export function serializeLedger(ledger: FairLedger): string {
  const lanes: Record<string, z.input<typeof Stored>['lanes'][string]> = {};
  for (const [name, l] of Object.entries(ledger.lanes))
    lanes[name] = { ...l, slots: delta(epochSecond(l), l.slots), sent: delta(epochSecond(l), l.sent) };
  return JSON.stringify(ledger.booked ? { lanes, booked: ledger.booked } : { lanes });
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
  return budgetLimits(s).map((l) => ({ ...l, limit: Math.max(1, Math.floor(s.domainShare * l.limit)) }));
}

/**
 * How many recent sends a lane remembers: enough to tell whether it is over its share of every window, up
 * to this many (above it, an hourly share larger than this does not bind: the minute share still does).
 */
const MAX_SENT_KEPT = 64;
const keptSends = (s: FairShareSettings) =>
  Math.min(MAX_SENT_KEPT, Math.max(...shareLimits(s).map((l) => l.limit)));
const ttlMs = (s: FairShareSettings) => s.flowTtlHours * 3_600_000;
const longestWindowSeconds = 3600;
/** A domain with a slot or a send this recently is still arriving: a flood leaves room for its next starts. */
const ACTIVE_SECONDS = 120;

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

/** A slot this long past and unsent no longer holds budget: its message is late or lost (it may still go). */
const OVERDUE_SECONDS = 300;

/**
 * The seconds the plan holds for a lane's waiting tickets: each its slot, as if sent on time (a ticket
 * from before slots were kept counts as due now), but none for a slot long overdue.
 */
function waitingSlots(lane: Lane, nowSecond: number): number[] {
  const out: number[] = [];
  for (let n = lane.head; n < lane.next; n++) {
    const slot = lane.slots[n - lane.head] ?? nowSecond;
    if (!lane.done.includes(n) && slot >= nowSecond - OVERDUE_SECONDS) out.push(slot);
  }
  return out;
}

/** The second a waiting ticket was planned for, if it has one. */
function slotOf(ledger: FairLedger, ticket: Ticket): number | undefined {
  const lane = ledger.lanes[ticket.lane];
  return lane && positionOf(ledger, ticket) !== undefined ? lane.slots[ticket.n - lane.head] : undefined;
}

/** Files one send at `second` into the ledger's bookings, forgetting buckets that left every window. */
function book(ledger: FairLedger, second: number, nowSecond: number, s: FairShareSettings): FairLedger {
  const booked: Record<string, Array<[number, number]>> = {};
  for (const l of budgetLimits(s)) {
    const size = bucketSize(l) / SECOND;
    const start = Math.floor(second / size) * size;
    const kept = (ledger.booked?.[l.name] ?? []).filter(
      ([b]) => b + size + l.windowSeconds > nowSecond - size,
    );
    const same = kept.find(([b]) => b === start);
    if (same) same[1]++;
    else kept.push([start, 1]);
    booked[l.name] = kept.sort((a, b) => a[0] - b[0]);
  }
  return { ...ledger, booked };
}

const newLane = (now: number): Lane => ({
  epoch: now,
  next: 0,
  head: 0,
  done: [],
  moved: now,
  slots: [],
  sent: [],
});
const cloneLedger = (ledger: FairLedger): FairLedger => structuredClone(ledger);

/**
 * Drops lanes nobody waits in whose sends have left every window, forgets sends older than that, and
 * resets a lane whose head has not moved for a flow's lifetime (its tickets belong to flows that expired
 * with their messages lost).
 */
export function tidy(ledger: FairLedger, now: number, s: FairShareSettings): FairLedger {
  const lanes: FairLedger['lanes'] = {};
  const horizon = Math.floor(now / SECOND) - longestWindowSeconds - 60;
  for (const [name, lane] of Object.entries(ledger.lanes)) {
    const sent = lane.sent.filter((t) => t > horizon);
    const stuck = waitingIn(lane) > 0 && now - lane.moved > ttlMs(s);
    if (stuck || (waitingIn(lane) === 0 && sent.length === 0)) continue;
    lanes[name] = sent.length === lane.sent.length ? lane : { ...lane, sent };
  }
  return { ...ledger, lanes };
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
    lane.slots.shift();
    lane.moved = now;
  }
  return next;
}

/**
 * Emails per bucket of one sliding limit over a span of seconds, and for every bucket the most the limit
 * counts in any window an email of that bucket falls in (the limiter's own arithmetic: a window ending in
 * bucket k counts buckets k−60..k, so an email in bucket k is counted until bucket k+60).
 */
class WindowCounts {
  private readonly counts: Int32Array;
  private peaks?: Int32Array;
  private readonly span: number;
  constructor(
    private readonly bucketMs: number,
    windowSeconds: number,
    private readonly first: number,
    last: number,
  ) {
    this.span = Math.round((windowSeconds * SECOND) / bucketMs);
    // Buckets from `span` before the first (they count in its windows) to `span` after the last.
    this.counts = new Int32Array(this.bucketOf(last) - this.bucketOf(first) + 2 * this.span + 1);
  }
  private bucketOf(second: number) {
    return Math.floor((second * SECOND) / this.bucketMs);
  }
  private index(second: number) {
    return this.bucketOf(second) - this.bucketOf(this.first) + this.span;
  }
  addAtMs(ms: number, n = 1) {
    const i = Math.floor(ms / this.bucketMs) - this.bucketOf(this.first) + this.span;
    if (i >= 0 && i < this.counts.length) this.counts[i] = (this.counts[i] ?? 0) + n;
    this.peaks = undefined;
  }
  add(second: number) {
    this.addAtMs(second * SECOND);
  }
  /** The most this limit counts in any window that an email sent at `second` is counted in. */
  peak(second: number): number {
    this.peaks ??= this.computePeaks();
    return this.peaks[this.index(second)] ?? 0;
  }
  private computePeaks(): Int32Array {
    const n = this.counts.length;
    const windowed = new Int32Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      sum += this.counts[k] ?? 0;
      if (k > this.span) sum -= this.counts[k - this.span - 1] ?? 0;
      windowed[k] = sum;
    }
    // peaks[k] = max(windowed[k..k+span]), right to left with a monotonic deque.
    const peaks = new Int32Array(n);
    const deque: number[] = [];
    for (let k = n - 1; k >= 0; k--) {
      while (deque.length && (windowed[deque[deque.length - 1] as number] ?? 0) <= (windowed[k] ?? 0))
        deque.pop();
      deque.push(k);
      while ((deque[0] as number) > k + this.span) deque.shift();
      peaks[k] = windowed[deque[0] as number] ?? 0;
    }
    return peaks;
  }
}

/** What the plan holds between two seconds: every limit's counts, globally, for one lane and for the others. */
function planCounts(
  state: BudgetState,
  now: number,
  s: FairShareSettings,
  first: number,
  last: number,
  lane?: string,
) {
  const nowSecond = Math.floor(now / SECOND);
  const limits = budgetLimits(s);
  const counts = (until = last) =>
    limits.map((l) => new WindowCounts(bucketSize(l), l.windowSeconds, first, Math.max(first, until)));
  const global = counts();
  limits.forEach((l, i) => {
    const sends = state.ledger.booked
      ? (state.ledger.booked[l.name] ?? []).map(([second, n]): [number, number] => [second * SECOND, n])
      : (state.windows[l.name]?.buckets ?? []);
    for (const [start, count] of sends) global[i]?.addAtMs(start, count);
  });
  const own = counts();
  let ownSeconds: number[] = [];
  // Other domains count only while they are active (their minute share is held for them), so only that far.
  const others: Array<{ counts: WindowCounts[]; lastActive: number }> = [];
  for (const [name, l] of Object.entries(state.ledger.lanes)) {
    const slots = waitingSlots(l, nowSecond);
    for (const second of slots) for (const c of global) c.add(second);
    const lastActive = Math.max(...slots, ...l.sent);
    const mine = name === lane;
    if (!mine && (lane === undefined || lastActive + ACTIVE_SECONDS < first)) continue;
    const theirs = mine ? own : counts(Math.min(last, lastActive + ACTIVE_SECONDS));
    for (const second of [...slots, ...l.sent]) for (const c of theirs) c.add(second);
    if (mine) ownSeconds = [...slots, ...l.sent].sort((a, b) => a - b);
    else others.push({ counts: theirs, lastActive });
  }
  return { global, own, ownSeconds, others };
}

/**
 * The earliest second from `from` (and at most `until`) at which one more email fits the plan, for
 * `lane` (fair share: within its share it may use the whole budget, over it all but one share) or, with
 * no lane, for an email that takes only budget nobody was promised. Undefined when none fits by `until`.
 */
function firstFit(
  state: BudgetState,
  now: number,
  s: FairShareSettings,
  from: number,
  until: number,
  lane?: string,
): number | undefined {
  const limits = budgetLimits(s);
  const shares = shareLimits(s);
  const kept = keptSends(s);
  const { global, own, ownSeconds, others } = planCounts(state, now, s, from, until, lane);
  // The reserve (one share of each window) is for domains arriving: a domain with a slot or a send in the
  // last ACTIVE_SECONDS plans in the rest, so a second flood at its share cannot keep taking it.
  const reserve = limits.map((l, i) =>
    l.limit - (shares[i] as RateLimit).limit >= 1 ? (shares[i] as RateLimit).limit : 0,
  );
  let recent = 0; // ownSeconds before this index are older than ACTIVE_SECONDS
  for (let second = from; second <= until; second++) {
    while (recent < ownSeconds.length && (ownSeconds[recent] as number) < second - ACTIVE_SECONDS) recent++;
    const arriving =
      lane === undefined || !(recent < ownSeconds.length && (ownSeconds[recent] as number) <= second);
    const within =
      lane === undefined ||
      shares.every(
        (share, i) => share.limit > kept || (own[i] as WindowCounts).peak(second) + 1 <= share.limit,
      );
    // Over its share, a lane also leaves the unused minute share of every domain active within the last
    // window: those domains' next starts go before this lane's excess, as they would in round robin.
    const heldForOthers = within
      ? 0
      : others.reduce(
          (sum, o) =>
            second > o.lastActive + ACTIVE_SECONDS
              ? sum
              : sum +
                Math.max(0, (shares[0] as RateLimit).limit - (o.counts[0] as WindowCounts).peak(second)),
          0,
        );
    const fits = limits.every((l, i) => {
      const cap = !within
        ? l.limit - (shares[i] as RateLimit).limit - (i === 0 ? heldForOthers : 0)
        : arriving
          ? l.limit
          : l.limit - (reserve[i] as number);
      return (global[i] as WindowCounts).peak(second) + 1 <= cap;
    });
    if (fits) return second;
  }
  return undefined;
}

/** The last second anything is planned or counted: after it plus the longest window, everything fits. */
function planEnd(state: BudgetState, nowSecond: number): number {
  let end = nowSecond;
  for (const lane of Object.values(state.ledger.lanes))
    for (const t of waitingSlots(lane, nowSecond)) end = Math.max(end, t);
  return end + longestWindowSeconds + 2 * 60;
}

export type Admission =
  | { admitted: true; ticket: Ticket; estimatedAt: number; next: BudgetState }
  | { admitted: false; retryAfterSeconds: number };

/**
 * A code email is wanted for an address at `lane`: hands out the lane's next ticket and its slot (settling
 * the ticket it replaces, a resend's earlier request). Refused when the slot is later than a flow lives
 * (the start is shed with `busy`, Retry-After the excess).
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
  const nowSecond = Math.floor(now / SECOND);
  const lane = (ledger.lanes[laneName] ??= newLane(now));
  const from = Math.max(nowSecond, ...waitingSlots(lane, nowSecond));
  const planned = { windows: state.windows, ledger };
  const end = planEnd(planned, nowSecond);
  const slot = firstFit(planned, now, s, from, end, laneName);
  const lastAllowed = Math.floor((now + ttlMs(s)) / SECOND);
  if (slot === undefined || slot > lastAllowed) {
    const excess = slot === undefined ? 3600 : slot - lastAllowed;
    return { admitted: false, retryAfterSeconds: Math.max(1, excess) };
  }
  const ticket: Ticket = { lane: laneName, epoch: lane.epoch, n: lane.next };
  // Tickets from before slots were kept are due now.
  lane.slots = [...Array.from({ length: lane.next - lane.head }, (_, i) => lane.slots[i] ?? nowSecond), slot];
  lane.next++;
  return { admitted: true, ticket, estimatedAt: Math.max(now, slot * SECOND), next: planned };
}

/** When the ticket's email should go out (epoch ms): its slot, or now once that has come; undefined if settled. */
export function estimate(state: BudgetState, ticket: Ticket, now: number): number | undefined {
  const lane = state.ledger.lanes[ticket.lane];
  if (!lane || positionOf(state.ledger, ticket) === undefined) return undefined;
  const slot = lane.slots[ticket.n - lane.head];
  return slot === undefined ? now : Math.max(now, slot * SECOND);
}

/**
 * A ticket may go before its slot into budget nobody was promised — a hole left by a request that was
 * dropped or superseded — when it is the first of its lane and would be given this second if it asked now.
 */
function mayGoEarly(state: BudgetState, ticket: Ticket, now: number, s: FairShareSettings): boolean {
  const without = settle(state.ledger, ticket, now);
  if (!without || positionOf(state.ledger, ticket) !== 1) return false;
  const nowSecond = Math.floor(now / SECOND);
  return (
    firstFit({ windows: state.windows, ledger: without }, now, s, nowSecond, nowSecond, ticket.lane) ===
    nowSecond
  );
}

export type Claim = { allowed: true; next: BudgetState } | { allowed: false; retryAt: number };

/**
 * May this email take a budget token now? A code email with a waiting ticket: once its slot has come
 * (within the second), or earlier into a hole (`mayGoEarly`), and the budget's windows have room. A code email whose ticket is unknown (settled by
 * an earlier attempt whose send failed, or its lane was reset) and a notice: when one more email now breaks
 * no promise. On `allowed` the token is counted, the lane's send recorded and the ticket settled, all in
 * `next`.
 */
export function claim(
  state: BudgetState,
  email: { kind: 'code'; lane: string; ticket?: Ticket } | { kind: 'notice' },
  now: number,
  s: FairShareSettings,
): Claim {
  const ledger = tidy(state.ledger, now, s);
  const tidied = { windows: state.windows, ledger };
  const nowSecond = Math.floor(now / SECOND);
  const ticket = email.kind === 'code' ? email.ticket : undefined;
  const promised = ticket && estimate(tidied, ticket, now);
  if (ticket && promised !== undefined) {
    if (promised >= (nowSecond + 1) * SECOND && !mayGoEarly(tidied, ticket, now, s))
      return { allowed: false, retryAt: promised };
  } else {
    const fit = firstFit(tidied, now, s, nowSecond, planEnd(tidied, nowSecond));
    if (fit === undefined || fit > nowSecond)
      return { allowed: false, retryAt: (fit ?? nowSecond + 3600) * SECOND };
  }
  const { decision, next: windows } = decide(state.windows, budgetLimits(s), new Date(now));
  if (!decision.allowed || !windows)
    return { allowed: false, retryAt: now + (decision.allowed ? SECOND : decision.retryAfterMs) };
  // Filed at its slot when it had one and is late (the plan reckons sends on time; see `booked`).
  const bookedAt = Math.min(nowSecond, (ticket && slotOf(ledger, ticket)) ?? nowSecond);
  if (email.kind === 'notice')
    return { allowed: true, next: { windows, ledger: book(ledger, bookedAt, nowSecond, s) } };
  const after = book((ticket && settle(ledger, ticket, now)) || cloneLedger(ledger), bookedAt, nowSecond, s);
  const lane = (after.lanes[email.lane] ??= newLane(now));
  lane.sent = [...lane.sent, bookedAt].sort((a, b) => a - b).slice(-keptSends(s));
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
