// Admin sign-in (Entra access tokens)

/** The claims of an access token whose signature, issuer, audience and lifetime were checked. */
export interface VerifiedToken {
  /** Object id of the user or service principal. */
  oid: string;
  /** The signed-in user's name; absent for an app (client credentials). */
  preferredUsername?: string;
  /** The calling client (v2 `azp`, v1 `appid`). */
  clientId?: string;
  roles: string[];
}

/** Why a token was refused, for the log (never the token itself). */
export type TokenProblem =
  | 'malformed'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'bad_signature'
  | 'missing_claims'
  | 'unavailable';

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError' as const;
  constructor(readonly problem: TokenProblem) {
    super(`The access token was refused (${problem}).`);
  }
}

export interface AccessTokenVerifier {
  /** Resolves the checked claims, or rejects with `InvalidTokenError`. */
  verify(token: string): Promise<VerifiedToken>;
}
