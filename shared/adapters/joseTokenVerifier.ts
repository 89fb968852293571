/**
 * Checks Entra ID access tokens for the admin API with `jose`: signature against the tenant's JWKS
 * (fetched from the authority's OpenID discovery document, cached, and fetched again when a token names
 * a key id it does not know, which is how Entra's key rollover reaches us), issuer, audience, `exp`/`nbf`
 * with a small clock skew. App roles are the caller's business (shared/adminAuth.ts).
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

import { type AccessTokenVerifier, InvalidTokenError, type TokenProblem, type VerifiedToken } from '../ports';

export interface JoseTokenVerifierOptions {
  /** e.g. `https://login.microsoftonline.com/{tenant}/v2.0`; its discovery document names issuer and JWKS. */
  authority: string;
  /** Accepted `aud` values: the application id URI (v1 tokens) and the client id (v2 tokens carry it). */
  audiences: readonly string[];
  /** Seconds of clock difference tolerated on `exp` and `nbf`. */
  clockToleranceSeconds?: number;
  fetch?: typeof fetch;
  /** Tests: the current time. */
  now?: () => Date;
}

interface Discovered {
  issuer: string;
  keys: JWTVerifyGetKey;
}

const DISCOVERY_PATH = '/.well-known/openid-configuration';

export class JoseTokenVerifier implements AccessTokenVerifier {
  #discovered: Promise<Discovered> | undefined;

  constructor(private readonly options: JoseTokenVerifierOptions) {}

  async verify(token: string): Promise<VerifiedToken> {
    const { issuer, keys } = await this.discover();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        audience: [...this.options.audiences],
        algorithms: ['RS256'],
        clockTolerance: this.options.clockToleranceSeconds ?? 60,
        requiredClaims: ['exp', 'oid'],
        ...(this.options.now ? { currentDate: this.options.now() } : {}),
      }));
    } catch (error) {
      throw new InvalidTokenError(problemOf(error));
    }
    const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
    const oid = str(payload.oid);
    if (!oid) throw new InvalidTokenError('missing_claims');
    const roles = Array.isArray(payload.roles)
      ? payload.roles.filter((r): r is string => typeof r === 'string')
      : [];
    return {
      oid,
      preferredUsername: str(payload.preferred_username) ?? str(payload.upn),
      clientId: str(payload.azp) ?? str(payload.appid),
      roles,
    };
  }

  /** Discovery once per process; a failed one is forgotten so the next request tries again. */
  private discover(): Promise<Discovered> {
    this.#discovered ??= this.load().catch((error: unknown) => {
      this.#discovered = undefined;
      throw error;
    });
    return this.#discovered;
  }

  private async load(): Promise<Discovered> {
    const url = this.options.authority.replace(/\/+$/, '') + DISCOVERY_PATH;
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await (this.options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as typeof doc;
    } catch {
      throw new InvalidTokenError('unavailable');
    }
    if (typeof doc.issuer !== 'string' || typeof doc.jwks_uri !== 'string')
      throw new InvalidTokenError('unavailable');
    return {
      issuer: doc.issuer,
      // jose caches the key set and refetches it (at most every 30 s) for a key id it has not seen.
      keys: createRemoteJWKSet(new URL(doc.jwks_uri), {
        cacheMaxAge: 10 * 60_000,
        cooldownDuration: 30_000,
        timeoutDuration: 10_000,
      }),
    };
  }
}

function problemOf(error: unknown): TokenProblem {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'wrong_issuer';
    if (error.claim === 'aud') return 'wrong_audience';
    if (error.claim === 'nbf') return 'not_yet_valid';
    return 'missing_claims';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return 'bad_signature';
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSMultipleMatchingKeys
  )
    return 'malformed';
  // The key set could not be fetched (network, timeout, not JSON): not the caller's fault.
  return 'unavailable';
}
