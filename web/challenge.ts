/**
 * Gets a solved proof-of-work challenge ready before the person needs it (req 20): `prepare()` fetches
 * `GET /api/challenge` and solves it in a Web Worker while they type; `take()` hands over the solution (or
 * waits for the one under way) and starts on the next, for a resend. Nothing is shown: keyboard and
 * screen-reader users see no change.
 */
import { solvePow } from './pow';

interface Challenge {
  algorithm: string;
  challenge: string;
  salt: string;
  signature: string;
  maxnumber: number;
  expiresAt: string;
}

interface Prepared {
  /** The base64 `altcha` payload, or undefined when fetching or solving failed (the API then says why). */
  altcha: Promise<string | undefined>;
  /** Local time after which the server would refuse it (a margin before its expiry). */
  usableUntil: number;
}

/** Spare time kept before a challenge's expiry, for the request itself. */
const EXPIRY_MARGIN_MS = 30_000;

export class ChallengeSolver {
  private prepared: Prepared | undefined;

  constructor(
    /** URL of the built worker (a hashed asset); without one the page solves on the main thread. */
    private readonly workerUrl: string | undefined,
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  /** Starts fetching and solving unless a usable solution is already on its way. Idempotent. */
  prepare(): void {
    if (this.prepared && Date.now() < this.prepared.usableUntil) return;
    const prepared: Prepared = { altcha: Promise.resolve(undefined), usableUntil: Date.now() + 4 * 60_000 };
    prepared.altcha = this.fetchAndSolve(prepared);
    this.prepared = prepared;
  }

  /** The prepared solution (each is accepted once), then starts preparing the next. */
  async take(): Promise<string | undefined> {
    this.prepare();
    const current = this.prepared;
    this.prepared = undefined;
    const altcha = await current?.altcha;
    this.prepare();
    return altcha;
  }

  private async fetchAndSolve(prepared: Prepared): Promise<string | undefined> {
    try {
      const response = await this.fetcher('/api/challenge', {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (!response.ok) return undefined;
      const c = (await response.json()) as Challenge;
      const lifetime = Date.parse(c.expiresAt) - Date.parse(response.headers.get('date') ?? '');
      if (Number.isFinite(lifetime)) prepared.usableUntil = Date.now() + lifetime - EXPIRY_MARGIN_MS;
      const number = await this.solve(c);
      if (number === undefined) return undefined;
      const payload = {
        algorithm: c.algorithm,
        challenge: c.challenge,
        number,
        salt: c.salt,
        signature: c.signature,
      };
      return btoa(JSON.stringify(payload));
    } catch {
      return undefined;
    }
  }

  private solve(c: Challenge): Promise<number | undefined> {
    const work = { challenge: c.challenge, salt: c.salt, maxnumber: c.maxnumber };
    if (!this.workerUrl || typeof Worker === 'undefined') {
      return Promise.resolve(solvePow(work.challenge, work.salt, work.maxnumber)?.number);
    }
    return new Promise((resolve) => {
      const worker = new Worker(this.workerUrl as string);
      const done = (n: number | undefined) => {
        worker.terminate();
        resolve(n);
      };
      worker.onmessage = (event: MessageEvent<{ number: number } | null>) => done(event.data?.number);
      worker.onerror = () => done(solvePow(work.challenge, work.salt, work.maxnumber)?.number);
      worker.postMessage(work);
    });
  }
}
