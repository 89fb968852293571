/** What the page shows: the controller (app.ts) changes it, the views (views.ts) render it. */
import type { Locale, MessageKey, MessageParams } from '../shared/i18n';
import type { Outcome } from './api';
import type { StoredSignup } from './session';

export type Step = 'loading' | 'email' | 'code' | 'waiting' | 'done' | 'failed';
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
    slow: false,
  };
}
