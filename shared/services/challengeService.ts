/**
 * The proof-of-work challenge at the public door (req 20, self-hosted instead of a third party): ALTCHA v1
 * challenges signed with a key derived from CODE_HMAC_SECRET, solved in the page's Web Worker, checked on
 * start and resend before any other work. Each solution counts once (ChallengeLedger) until it expires.
 */
import { z } from 'zod';

import {
  CHALLENGE_TTL_SECONDS,
  challengeMaxNumber,
  START_BUDGET_KEY,
  type StartBudget,
  startBudgetLimits,
} from '../domain/admission';
import {
  type Challenge,
  createChallenge,
  extractParams,
  type Payload,
  verifySolution,
} from '../domain/altcha';
import { keyedHash } from '../domain/codes';
import { AppError } from '../errors';
import type { Logger } from '../log';
import type { ChallengeLedger, Clock, RateLimiter } from '../ports';

export type ChallengeMode = 'altcha' | 'off';

export interface ChallengeSettings {
  mode: ChallengeMode;
  /** CODE_HMAC_SECRET: the challenge key is a keyed hash of it under its own label, never the secret itself. */
  secret: string;
  /** Difficulty while starts are quiet (CHALLENGE_BASE_MAX_NUMBER unless a test wants it cheaper). */
  baseMaxNumber: number;
  startBudget: StartBudget;
}

export interface ChallengeDeps {
  ledger: ChallengeLedger;
  limiter: RateLimiter;
  clock: Clock;
  settings: ChallengeSettings;
}

/** What `GET /api/challenge` returns: an ALTCHA challenge (the widget's format) plus when it expires. */
export type IssuedChallenge = Challenge & { maxnumber: number; expiresAt: string };

/** A base64 JSON payload is a few hundred characters; anything much longer is not one of ours. */
const MAX_PAYLOAD_LENGTH = 2048;

const PayloadSchema = z.object({
  algorithm: z.literal('SHA-256'),
  challenge: z.string().regex(/^[0-9a-f]{64}$/),
  number: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  salt: z.string().min(1).max(200),
  signature: z.string().regex(/^[0-9a-f]{64}$/),
});

/** How long the instance reuses its reading of the start budget for difficulty (one Table read per 5 s). */
const SURGE_CACHE_MS = 5000;

export function makeChallengeService(deps: ChallengeDeps) {
  const { settings } = deps;
  const hmacKey = keyedHash(settings.secret, 'altcha-challenge-key', 'v1');
  let surge: { maxNumber: number; readAt: number } | undefined;

  async function currentMaxNumber(now: Date): Promise<number> {
    if (surge && now.getTime() - surge.readAt < SURGE_CACHE_MS) return surge.maxNumber;
    const used = await deps.limiter.peek(START_BUDGET_KEY, startBudgetLimits(settings.startBudget), now);
    const maxNumber = challengeMaxNumber(
      settings.baseMaxNumber,
      { minute: used.minute ?? 0, hour: used.hour ?? 0 },
      settings.startBudget,
    );
    surge = { maxNumber, readAt: now.getTime() };
    return maxNumber;
  }

  async function issue(): Promise<IssuedChallenge> {
    const now = deps.clock.now();
    const expires = new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000);
    const maxnumber = await currentMaxNumber(now);
    const challenge = await createChallenge({ algorithm: 'SHA-256', hmacKey, maxnumber, expires });
    return { ...challenge, maxnumber, expiresAt: expires.toISOString() };
  }

  function failed(log: Logger, reason: string): AppError {
    log.event('challenge_failed', { reason }, 'warn');
    return new AppError('challenge_failed');
  }

  /**
   * Accepts a solved challenge once: throws `challenge_required` when none was sent and `challenge_failed`
   * when it is malformed, wrong, expired or already used. A no-op with CHALLENGE_MODE=off.
   */
  async function verify(altcha: string | undefined, log: Logger): Promise<void> {
    if (settings.mode === 'off') return;
    if (altcha === undefined || altcha === '') throw new AppError('challenge_required');
    const payload = decode(altcha);
    if (!payload) throw failed(log, 'malformed');
    const expires = Number(extractParams(payload).expires);
    const now = deps.clock.now();
    if (!Number.isSafeInteger(expires)) throw failed(log, 'malformed');
    if (!(await verifySolution(payload, hmacKey, false))) throw failed(log, 'invalid');
    // Checked after the signature, so the expiry read is one we issued.
    if (expires * 1000 <= now.getTime()) throw failed(log, 'expired');
    if (!(await deps.ledger.spend(payload.challenge, new Date(expires * 1000))))
      throw failed(log, 'replayed');
  }

  return { issue, verify, mode: settings.mode };
}

function decode(altcha: string): Payload | undefined {
  if (altcha.length > MAX_PAYLOAD_LENGTH || !/^[A-Za-z0-9+/=_-]+$/.test(altcha)) return undefined;
  try {
    const parsed = PayloadSchema.safeParse(JSON.parse(Buffer.from(altcha, 'base64').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export type ChallengeService = ReturnType<typeof makeChallengeService>;
