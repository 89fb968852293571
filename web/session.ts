/**
 * The in-progress sign-up, kept in sessionStorage (this tab only, gone when it closes) so a reload resumes
 * at the right step. The email address is kept only to show it back to its owner.
 */
import { SIGNUP_ID } from './code';

export interface StoredSignup {
  signupId: string;
  email?: string;
  resendAvailableAt?: string;
  codeExpiresAt?: string;
  /** When the code email should go out (the API's estimate; shown when more than a minute away). */
  estimatedCodeAt?: string;
  /** Wrong codes entered on this page: a 404 after some of them means the flow was locked. */
  wrongCodes?: number;
  verified?: boolean;
}

const KEY = 'rms-signup.signup.v1';

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // storage disabled: the journey still works, only without resume
  }
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length <= 400 ? value : undefined;

export function loadSignup(): StoredSignup | undefined {
  try {
    const raw = storage()?.getItem(KEY);
    if (!raw) return undefined;
    const value = JSON.parse(raw) as Record<string, unknown>;
    if (typeof value.signupId !== 'string' || !SIGNUP_ID.test(value.signupId)) return undefined;
    return {
      signupId: value.signupId,
      email: optionalString(value.email),
      resendAvailableAt: optionalString(value.resendAvailableAt),
      codeExpiresAt: optionalString(value.codeExpiresAt),
      estimatedCodeAt: optionalString(value.estimatedCodeAt),
      wrongCodes: typeof value.wrongCodes === 'number' ? value.wrongCodes : 0,
      verified: value.verified === true,
    };
  } catch {
    return undefined;
  }
}

export function saveSignup(signup: StoredSignup): void {
  try {
    storage()?.setItem(KEY, JSON.stringify(signup));
  } catch {
    // quota or privacy mode: nothing to do
  }
}

export function clearSignup(): void {
  try {
    storage()?.removeItem(KEY);
  } catch {
    // ignore
  }
}
