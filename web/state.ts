/** What the page shows: the controller (app.ts) changes it, the views (views.ts) render it. */
import type { Locale, MessageKey, MessageParams } from '../shared/i18n';
import type { NotEligibleReason, Outcome } from './api';
import type { StoredSignup } from './session';

export type Step =
  | 'loading'
  | 'email'
  | 'code'
  | 'waiting'
  | 'done'
  | 'failed'
  /** A sponsor decides; the person is emailed either way. */
  | 'approval'
  /** Verified, but this address gets no account (`notEligibleReason`). */
  | 'notEligible';
/** The progress line's step number per page step. */
export const STEP_NUMBER: Record<Step, number> = {
  loading: 1,
  email: 1,
  code: 2,
  waiting: 3,
  done: 3,
  failed: 3,
  approval: 3,
  notEligible: 3,
};
/** What the page says for each `not_eligible` reason. */
export const NOT_ELIGIBLE_KEYS = {
  not_partner: 'common.notEligible.not_partner',
  no_recent_mail: 'common.notEligible.no_recent_mail',
  denied: 'common.notEligible.denied',
  revoked: 'common.notEligible.revoked',
} as const satisfies Record<string, MessageKey>;

/** Where keyboard focus goes after a render. */
export type Focus = 'heading' | 'field' | 'language' | 'none';

export interface PageBranding {
  organization: string;
  support: string;
  privacyUrl: string | undefined;
  logoUrl: string | undefined;
  defaultLocale: Locale;
}

export interface Message {
  key: MessageKey;
  params?: MessageParams;
  /** Extra text from the server shown as is (the admin's `error.detail`, e.g. why sign-ups are paused). */
  detail?: string;
  retry?: () => void;
}

export interface State {
  locale: Locale;
  step: Step;
  email: string;
  code: string;
  codePrefilled: boolean;
  signup: StoredSignup | undefined;
  fieldError: Message | undefined;
  alert: Message | undefined;
  notice: Message | undefined;
  busy: boolean;
  outcome: Outcome | undefined;
  signInUrl: string | undefined;
  supportContact: string | undefined;
  notEligibleReason: NotEligibleReason | undefined;
  slow: boolean;
}

export function initialState(locale: Locale): State {
  return {
    locale,
    step: 'loading',
    email: '',
    code: '',
    codePrefilled: false,
    signup: undefined,
    fieldError: undefined,
    alert: undefined,
    notice: undefined,
    busy: false,
    outcome: undefined,
    signInUrl: undefined,
    supportContact: undefined,
    notEligibleReason: undefined,
    slow: false,
  };
}
