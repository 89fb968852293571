/**
 * Timer triggers: NCRONTAB schedules with six fields (`{second} {minute} {hour} {day} {month} {day-of-week}`)
 * or a TimeSpan interval (`hh:mm:ss`), evaluated in UTC unless WEBSITE_TIME_ZONE names an IANA zone,
 * like the Functions host on Linux. One timer never overlaps itself: the next occurrence is computed
 * after the previous run has finished.
 */
import { CronExpressionParser } from 'cron-parser';
import { parseTimeSpan } from './hostConfig';

export interface Schedule {
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
}

export function parseSchedule(expression: string, timeZone = 'UTC'): Schedule {
  const trimmed = expression.trim();
  if (/^(\d+\.)?\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?$/.test(trimmed)) {
    const interval = parseTimeSpan(trimmed);
    if (interval <= 0) throw new Error(`Timer schedule "${expression}" must be a positive interval`);
    return { next: (after) => new Date(after.getTime() + interval) };
  }
  if (trimmed.split(/\s+/).length !== 6) {
    throw new Error(
      `The schedule expression "${expression}" was not recognized as a valid cron expression or timespan string ` +
        '(NCRONTAB needs six fields: second minute hour day month day-of-week).',
    );
  }
  try {
    CronExpressionParser.parse(trimmed, { tz: timeZone });
  } catch (error) {
    throw new Error(`Invalid NCRONTAB expression "${expression}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    next: (after) =>
      CronExpressionParser.parse(trimmed, { currentDate: after, tz: timeZone }).next().toDate(),
  };
}

/** The payload the host sends for a timer trigger (PascalCase; the library camel-cases it). */
export interface TimerPayload {
  Schedule: { AdjustForDST: boolean };
  ScheduleStatus: { Last: string; Next: string; LastUpdated: string };
  IsPastDue: boolean;
}

// .NET DateTime.MinValue, what the host reports as "Last" before the first run.
const NEVER = '0001-01-01T00:00:00.000Z';
// setTimeout accepts at most ~24.8 days; longer waits are re-armed.
const MAX_TIMEOUT_MS = 2_147_483_647;
// A run that starts this late after its occurrence counts as past due.
const PAST_DUE_TOLERANCE_MS = 1000;

export class TimerTrigger {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #last: Date | undefined;
  #next: Date | undefined;

  constructor(
    private readonly schedule: Schedule,
    private readonly runOnStartup: boolean,
    private readonly run: (payload: TimerPayload) => Promise<unknown>,
  ) {}

  get nextOccurrence(): Date | undefined {
    return this.#next;
  }

  payload(isPastDue: boolean, now = new Date()): TimerPayload {
    const next = this.#next ?? this.schedule.next(now);
    return {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: this.#last?.toISOString() ?? NEVER,
        Next: next.toISOString(),
        LastUpdated: now.toISOString(),
      },
      IsPastDue: isPastDue,
    };
  }

  start(): void {
    const first = this.runOnStartup ? this.fire(new Date(), false) : Promise.resolve();
    void first.then(() => this.arm());
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  private arm(): void {
    if (this.#stopped) return;
    const next = this.schedule.next(new Date());
    this.#next = next;
    const wait = () => {
      if (this.#stopped) return;
      const remaining = next.getTime() - Date.now();
      if (remaining > 0) {
        this.#timer = setTimeout(wait, Math.min(remaining, MAX_TIMEOUT_MS));
        return;
      }
      void this.fire(next, Date.now() - next.getTime() > PAST_DUE_TOLERANCE_MS).then(() => this.arm());
    };
    wait();
  }

  private async fire(occurrence: Date, isPastDue: boolean): Promise<void> {
    if (this.#stopped) return;
    const payload = this.payload(isPastDue);
    this.#last = occurrence;
    try {
      await this.run(payload);
    } catch {
      // The host logs failed invocations; a failing timer still keeps its schedule.
    }
  }
}
