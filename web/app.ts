/**
 * The recipient's journey on one page: email → code → waiting → done (or failed). Each step is rendered
 * from `State`, gets its own history entry, moves focus to its heading and is worded from the shared
 * catalogue, so switching language re-renders the same step with what the person already typed.
 */
import { safeHttpUrl } from '../shared/email/escape';
import {
  direction,
  isLocale,
  isMessageKey,
  negotiateLocale,
  SUPPORTED_LOCALES,
  t,
  tParts,
  type Locale,
  type MessageKey,
  type MessageParams,
} from '../shared/i18n';
import { supportLink } from '../shared/web/branding';
import { type ApiError, type Outcome, pollDelayMs, SignupApi, type StatusView } from './api';
import { isCompleteCode, normalizeCode, parseEmailLink } from './code';
import { append, clear, h, ids } from './dom';
import { clearSignup, loadSignup, saveSignup, type StoredSignup } from './session';

type Step = 'loading' | 'email' | 'code' | 'waiting' | 'done' | 'failed';
type Focus = 'heading' | 'field' | 'language' | 'none';
type HistoryMode = 'push' | 'replace' | 'none';

export interface PageBranding {
  organization: string;
  support: string;
  privacyUrl: string | undefined;
  logoUrl: string | undefined;
  defaultLocale: Locale;
}

interface Message {
  key: MessageKey;
  params?: MessageParams;
  /** Extra text from the server shown as is (e.g. the admin's reason for pausing sign-ups). */
  detail?: string;
  retry?: () => void;
}

interface State {
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

const STEP_NUMBER: Record<Step, number> = { loading: 1, email: 1, code: 2, waiting: 3, done: 3, failed: 3 };
const TOTAL_STEPS = 3;
const SLOW_AFTER_MS = 45_000;
const GIVE_UP_AFTER_MS = 15 * 60_000;

/** Reads the branding the server put on <body> (shared/web/landingPage.ts `bodyAttributes`). */
export function readBranding(body: HTMLElement): PageBranding {
  const data = body.dataset;
  return {
    organization: data.organization ?? '',
    support: data.support ?? '',
    privacyUrl: safeHttpUrl(data.privacyUrl),
    logoUrl: safeHttpUrl(data.logoUrl),
    defaultLocale: isLocale(data.defaultLocale) ? data.defaultLocale : 'en',
  };
}

/** `?lang=` first, then the browser's languages, then the deployment's default. */
export function pickLocale(search: string, languages: readonly string[], fallback: Locale): Locale {
  const requested = new URLSearchParams(search).get('lang') ?? undefined;
  return negotiateLocale({ requested, acceptLanguage: languages.slice(0, 20).join(','), fallback });
}

export class LandingApp {
  private readonly state: State;
  private readonly header = h('header', { class: 'masthead' });
  private readonly main = h('main', { id: 'main' });
  /** Re-rendered on every change; the live regions beside it stay put so announcements are heard. */
  private readonly content = h('div', { class: 'content' });
  private readonly footer = h('footer', { class: 'site-footer' });
  private readonly livePolite = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  private readonly liveAlert = h('div', { class: 'visually-hidden', role: 'alert' });
  private countdownTimer: number | undefined;
  private pollTimer: number | undefined;
  private pollAttempt = 0;
  private pollStartedAt = 0;
  private pollFailures = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly branding: PageBranding,
    private readonly api: SignupApi,
    locale: Locale,
  ) {
    this.state = {
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

  // ---- start-up ------------------------------------------------------------------------------------

  async start(): Promise<void> {
    clear(this.root);
    append(this.main, this.content, this.livePolite, this.liveAlert);
    append(this.root, this.header, this.main, this.footer);
    this.applyLocale();
    window.addEventListener('popstate', (event) => this.onPopState(event));
    // The email link opened in a tab that already shows the page only changes the fragment.
    window.addEventListener('hashchange', () => {
      if (this.takeEmailLink()) void this.resume('push');
    });

    this.state.signup = loadSignup();
    this.takeEmailLink();
    const signup = this.state.signup;
    this.state.email = signup?.email ?? '';
    if (!signup) {
      this.go('email', 'replace', 'none');
      return;
    }
    this.render('none');
    await this.resume('replace');
  }

  /**
   * Reads `#code=…&signup=…` into the state and removes it from the address bar and history at once.
   * Nothing is submitted: a mail scanner that opens the link must not use up the code.
   */
  private takeEmailLink(): boolean {
    if (!window.location.hash) return false;
    const link = parseEmailLink(window.location.hash);
    history.replaceState(history.state, '', window.location.pathname + window.location.search);
    if (!link) return false;
    let signup = this.state.signup;
    if (signup?.signupId !== link.signupId) signup = { signupId: link.signupId, wrongCodes: 0 };
    signup.verified = false;
    saveSignup(signup);
    this.state.signup = signup;
    this.state.code = link.code;
    this.state.codePrefilled = true;
    this.state.fieldError = undefined;
    this.state.alert = undefined;
    this.state.notice = { key: 'page.code.prefilled' };
    return true;
  }

  /** Asks the API where the remembered sign-up stands and shows that step. */
  private async resume(mode: HistoryMode): Promise<void> {
    const signup = this.state.signup;
    if (!signup) return;
    const result = await this.api.status(signup.signupId);
    if (result.ok) {
      this.applyStatus(result.data, mode, this.state.codePrefilled ? 'field' : 'heading');
      return;
    }
    if (result.error.status === 404) {
      this.expired(mode, false);
      return;
    }
    this.state.alert = { key: this.errorKey(result.error), retry: () => void this.resume(mode) };
    this.go('email', mode, 'none');
    this.announceAlert();
  }

  private applyStatus(view: StatusView, mode: HistoryMode, focus: Focus = 'heading'): void {
    const signup = this.state.signup;
    if (!signup) return;
    switch (view.status) {
      case 'pending_verification':
        signup.verified = false;
        if (view.resendAvailableAt) signup.resendAvailableAt = view.resendAvailableAt;
        if (view.codeExpiresAt) signup.codeExpiresAt = view.codeExpiresAt;
        saveSignup(signup);
        this.go('code', mode, focus);
        return;
      case 'verified':
      case 'provisioning':
        signup.verified = true;
        saveSignup(signup);
        this.state.codePrefilled = false;
        this.state.notice = undefined;
        this.go('waiting', mode);
        return;
      case 'ready':
        signup.verified = true;
        saveSignup(signup);
        this.stopPolling();
        this.state.outcome = view.outcome ?? 'guest_created';
        this.state.signInUrl = safeHttpUrl(view.signInUrl);
        this.go('done', mode);
        return;
      case 'failed':
        this.stopPolling();
        this.state.supportContact = view.supportContact;
        this.go('failed', mode);
        return;
      case 'expired':
      default:
        this.expired(mode, false);
    }
  }

  /** The flow is gone (expired, erased or locked): back to the first step with an explanation. */
  private expired(mode: HistoryMode, locked: boolean): void {
    this.stopPolling();
    clearSignup();
    this.state.signup = undefined;
    this.state.code = '';
    this.state.codePrefilled = false;
    this.state.notice = undefined;
    this.state.alert = { key: locked ? 'error.locked' : 'error.signup_not_found' };
    this.go('email', mode, 'heading');
    this.announceAlert();
  }

  // ---- navigation ----------------------------------------------------------------------------------

  private go(step: Step, mode: HistoryMode, focus: Focus = 'heading'): void {
    if (step !== 'code') this.stopCountdown();
    if (step !== 'waiting') this.stopPolling();
    this.state.step = step;
    this.state.busy = false;
    if (mode === 'push') history.pushState({ step }, '', this.currentUrl());
    else if (mode === 'replace') history.replaceState({ step }, '', this.currentUrl());
    this.render(focus);
    if (step === 'code') this.startCountdown();
    if (step === 'waiting') this.startPolling();
  }

  private onPopState(event: PopStateEvent): void {
    const wanted = (event.state as { step?: Step } | null)?.step ?? 'email';
    const signup = this.state.signup;
    this.state.fieldError = undefined;
    this.state.alert = undefined;
    this.state.notice = undefined;
    let step: Step;
    if (wanted === 'email' || wanted === 'loading' || !signup) step = 'email';
    else if (wanted === 'code') step = signup.verified ? 'email' : 'code';
    else step = signup.verified ? 'waiting' : 'code';
    this.go(step, 'none');
  }

  private currentUrl(): string {
    return window.location.pathname + window.location.search;
  }

  // ---- actions -------------------------------------------------------------------------------------

  private async submitEmail(): Promise<void> {
    if (this.state.busy) return;
    const email = this.state.email.trim();
    this.state.alert = undefined;
    this.state.notice = undefined;
    this.state.fieldError = undefined;
    if (!email) return this.showFieldError({ key: 'page.email.required' });
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return this.showFieldError({ key: 'error.invalid_email' });
    this.setBusy(true);
    const result = await this.api.start(email, this.state.locale);
    if (result.ok) {
      this.state.signup = {
        signupId: result.data.signupId,
        email,
        resendAvailableAt: result.data.resendAvailableAt,
        codeExpiresAt: result.data.codeExpiresAt,
        wrongCodes: 0,
        verified: false,
      };
      saveSignup(this.state.signup);
      this.state.fieldError = undefined;
      this.state.code = '';
      this.state.codePrefilled = false;
      this.go('code', 'push');
      return;
    }
    const { error } = result;
    if (error.code === 'invalid_email') return this.showFieldError({ key: 'error.invalid_email' });
    if (error.code === 'domain_not_allowed') {
      const specific = `error.domain_not_allowed.${error.reason ?? ''}`;
      return this.showFieldError({ key: isMessageKey(specific) ? specific : 'error.domain_not_allowed' });
    }
    this.showAlert(this.errorMessage(error, () => void this.submitEmail()));
  }

  private async submitCode(): Promise<void> {
    const signup = this.state.signup;
    if (this.state.busy || !signup) return;
    const code = normalizeCode(this.state.code);
    this.state.alert = undefined;
    this.state.fieldError = undefined;
    if (!isCompleteCode(code)) return this.showFieldError({ key: 'page.code.required' });
    this.setBusy(true);
    const result = await this.api.verify(signup.signupId, code);
    if (result.ok) {
      signup.verified = true;
      saveSignup(signup);
      this.state.fieldError = undefined;
      this.state.notice = undefined;
      this.state.codePrefilled = false;
      this.go('waiting', 'push');
      return;
    }
    const { error } = result;
    if (error.code === 'invalid_code') {
      signup.wrongCodes = (signup.wrongCodes ?? 0) + 1;
      saveSignup(signup);
      this.state.notice = undefined;
      return this.showFieldError({ key: 'error.invalid_code' });
    }
    if (error.status === 404) return this.expired('push', (signup.wrongCodes ?? 0) > 0);
    if (error.code === 'already_verified') {
      signup.verified = true;
      saveSignup(signup);
      this.state.notice = { key: 'error.already_verified' };
      this.go('waiting', 'push');
      return;
    }
    this.showAlert(this.errorMessage(error, () => void this.submitCode()));
  }

  private async resend(): Promise<void> {
    const signup = this.state.signup;
    if (this.state.busy || !signup) return;
    this.state.alert = undefined;
    this.state.notice = undefined;
    this.state.fieldError = undefined;
    this.state.busy = true;
    const result = await this.api.resend(signup.signupId);
    this.state.busy = false;
    if (result.ok) {
      signup.resendAvailableAt = result.data.resendAvailableAt;
      signup.codeExpiresAt = result.data.codeExpiresAt;
      saveSignup(signup);
      this.state.code = '';
      this.state.codePrefilled = false;
      this.state.notice = { key: 'page.code.resent' };
      this.render('field');
      this.startCountdown();
      this.announce(this.text('page.code.resent'));
      return;
    }
    const { error } = result;
    if (error.code === 'resend_too_soon') {
      if (error.retryAfterSeconds !== undefined) {
        signup.resendAvailableAt = new Date(this.api.now() + error.retryAfterSeconds * 1000).toISOString();
        saveSignup(signup);
      }
      this.showAlert({ key: 'error.resend_too_soon' });
      this.startCountdown();
      return;
    }
    if (error.status === 404) return this.expired('push', false);
    if (error.code === 'already_verified') {
      signup.verified = true;
      saveSignup(signup);
      this.go('waiting', 'push');
      return;
    }
    this.showAlert(this.errorMessage(error, () => void this.resend()));
  }

  private changeEmail(): void {
    this.state.fieldError = undefined;
    this.state.alert = undefined;
    this.state.notice = undefined;
    this.go('email', 'push', 'field');
  }

  private startAgain(): void {
    clearSignup();
    this.state.signup = undefined;
    this.state.email = '';
    this.state.code = '';
    this.state.fieldError = undefined;
    this.state.alert = undefined;
    this.state.notice = undefined;
    this.go('email', 'push', 'heading');
  }

  private setLocale(locale: Locale): void {
    if (locale === this.state.locale) return;
    this.state.locale = locale;
    const url = new URL(window.location.href);
    url.searchParams.set('lang', locale);
    url.hash = '';
    history.replaceState(history.state, '', url.pathname + url.search);
    this.applyLocale();
    this.render('language');
    if (this.state.step === 'code') this.tickCountdown();
  }

  // ---- waiting -------------------------------------------------------------------------------------

  private startPolling(): void {
    this.stopPolling();
    this.pollAttempt = 0;
    this.pollFailures = 0;
    this.pollStartedAt = Date.now();
    this.state.slow = false;
    this.schedulePoll();
  }

  private stopPolling(): void {
    if (this.pollTimer !== undefined) window.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private schedulePoll(): void {
    const delay = pollDelayMs(this.pollAttempt++);
    this.pollTimer = window.setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    this.pollTimer = undefined;
    const signup = this.state.signup;
    if (this.state.step !== 'waiting' || !signup) return;
    const result = await this.api.status(signup.signupId);
    if (this.state.step !== 'waiting') return; // the person navigated away meanwhile
    if (result.ok) {
      if (this.pollFailures >= 3 && this.state.alert?.key === 'error.network') {
        this.state.alert = undefined;
        this.render('none');
      }
      this.pollFailures = 0;
      if (result.data.status !== 'verified' && result.data.status !== 'provisioning') {
        this.applyStatus(result.data, 'replace');
        return;
      }
    } else if (result.error.status === 404) {
      this.expired('replace', false);
      return;
    } else {
      this.pollFailures++;
    }

    const elapsed = Date.now() - this.pollStartedAt;
    if (elapsed >= GIVE_UP_AFTER_MS) {
      this.showAlert({ key: 'error.generic', retry: () => this.restartWaiting() });
      return;
    }
    if (!this.state.slow && elapsed >= SLOW_AFTER_MS) {
      this.state.slow = true;
      this.render('none');
      this.announce(this.text('page.waiting.slow'));
    }
    if (this.pollFailures === 3) this.showAlert({ key: 'error.network' }, 'none');
    this.schedulePoll();
  }

  private restartWaiting(): void {
    this.state.alert = undefined;
    this.go('waiting', 'none', 'heading');
  }

  // ---- resend countdown ----------------------------------------------------------------------------

  private startCountdown(): void {
    this.stopCountdown();
    this.tickCountdown();
    this.countdownTimer = window.setInterval(() => this.tickCountdown(), 1000);
  }

  private stopCountdown(): void {
    if (this.countdownTimer !== undefined) window.clearInterval(this.countdownTimer);
    this.countdownTimer = undefined;
  }

  /** Seconds until a new code may be requested, on the server's clock. */
  private resendWaitSeconds(): number {
    const at = Date.parse(this.state.signup?.resendAvailableAt ?? '');
    if (!Number.isFinite(at)) return 0;
    return Math.max(0, Math.ceil((at - this.api.now()) / 1000));
  }

  private tickCountdown(): void {
    const button = document.getElementById('resend') as HTMLButtonElement | null;
    const status = document.getElementById('resend-status');
    if (!button || !status) return;
    const seconds = this.resendWaitSeconds();
    button.disabled = seconds > 0 || this.state.busy;
    status.textContent = seconds > 0 ? this.text('page.code.resendCountdown', { seconds }) : '';
    status.hidden = seconds === 0;
    if (seconds === 0) this.stopCountdown();
  }

  // ---- feedback ------------------------------------------------------------------------------------

  private setBusy(busy: boolean): void {
    this.state.busy = busy;
    const button = this.main.querySelector<HTMLButtonElement>('form button[type="submit"]');
    if (button) {
      button.setAttribute('aria-disabled', String(busy));
      button.textContent = busy
        ? this.text('page.working')
        : this.text(this.state.step === 'code' ? 'page.code.submit' : 'page.email.submit');
    }
  }

  private showFieldError(message: Message): void {
    this.state.busy = false;
    this.state.fieldError = message;
    this.render('field');
  }

  private showAlert(message: Message, focus: Focus = 'none'): void {
    this.state.busy = false;
    this.state.alert = message;
    this.render(focus);
    if (this.state.step === 'code') this.tickCountdown();
    this.announceAlert();
  }

  private announceAlert(): void {
    const alert = this.state.alert;
    if (!alert) return;
    const text = [this.text(alert.key, this.paramsFor(alert)), alert.detail].filter(Boolean).join(' ');
    this.announce(text, this.liveAlert);
  }

  /** Live regions stay in the DOM for the whole visit; clearing first makes a repeated message heard again. */
  private announce(text: string, region: HTMLElement = this.livePolite): void {
    region.textContent = '';
    window.setTimeout(() => {
      region.textContent = text;
    }, 100);
  }

  private errorKey(error: ApiError): MessageKey {
    if (error.code === 'network') return 'error.network';
    const key = `error.${error.code}`;
    return isMessageKey(key) && error.code !== 'domain_not_allowed' ? key : 'error.generic';
  }

  private errorMessage(error: ApiError, retry?: () => void): Message {
    const key = this.errorKey(error);
    const message: Message = { key };
    if (key === 'error.rate_limited') message.params = { seconds: error.retryAfterSeconds ?? 60 };
    if (key === 'error.signups_paused' && error.message && error.message !== PAUSED_DEFAULT)
      message.detail = error.message;
    if (key === 'error.network' || key === 'error.generic') message.retry = retry;
    return message;
  }

  private paramsFor(message: Message): MessageParams {
    return { organization: this.branding.organization, support: this.supportText(), ...message.params };
  }

  private supportText(): string {
    return this.state.supportContact ?? this.branding.support;
  }

  // ---- rendering -----------------------------------------------------------------------------------

  private text(key: MessageKey, params?: MessageParams): string {
    return t(this.state.locale, key, {
      organization: this.branding.organization,
      support: this.supportText(),
      ...params,
    });
  }

  /** A message as nodes: every parameter is isolated (<bdi>), the support contact becomes a link. */
  private rich(key: MessageKey, params?: MessageParams): DocumentFragment {
    const fragment = document.createDocumentFragment();
    const parts = tParts(this.state.locale, key, {
      organization: this.branding.organization,
      support: this.supportText(),
      ...params,
    });
    for (const part of parts) {
      if (part.type === 'text') append(fragment, part.value);
      else if (part.name === 'support') append(fragment, this.supportNode(part.value));
      else append(fragment, h('bdi', { class: part.name === 'email' ? 'email' : undefined }, part.value));
    }
    return fragment;
  }

  private supportNode(contact: string): Node {
    const link = supportLink(contact);
    // The class sits on the link itself: an underline does not reach into an inline-block child.
    return link.href
      ? h('a', { href: link.href, class: 'contact' }, h('bdi', {}, link.text))
      : h('bdi', { class: 'contact' }, link.text);
  }

  private applyLocale(): void {
    document.documentElement.lang = this.state.locale;
    document.documentElement.dir = direction(this.state.locale);
  }

  private render(focus: Focus): void {
    // Re-rendering replaces every element: remember which control had focus to give it back.
    const active = document.activeElement;
    const previousId = active instanceof HTMLElement && this.content.contains(active) ? active.id : '';
    this.renderHeader();
    this.renderFooter();
    clear(this.content);
    const heading = h('h2', { id: 'step-heading', tabindex: -1 }, this.text(this.headingKey()));
    const card = h('section', { class: 'card', 'aria-labelledby': 'step-heading' });
    if (this.state.step !== 'loading') {
      append(
        card,
        h(
          'p',
          { class: 'progress' },
          this.text('page.progress', { step: STEP_NUMBER[this.state.step], total: TOTAL_STEPS }),
        ),
      );
    }
    append(card, heading);
    append(card, ...this.renderStep());
    append(this.content, h('h1', { class: 'page-title' }, this.text('page.title')), card);
    document.title = `${heading.textContent ?? ''} – ${this.branding.organization}`;

    if (focus === 'heading') heading.focus();
    else if (focus === 'field') {
      const input = this.content.querySelector<HTMLInputElement>('input');
      input?.focus();
      // After a wrong code, typing the right one replaces the wrong one.
      if (input && this.state.fieldError && input.id === 'code') input.select();
    } else if (focus === 'language') document.getElementById('language')?.focus();
    else if (previousId) this.restoreFocus(previousId, heading);
  }

  /** Back to the same control; if it is gone or disabled, to the alert explaining why, else the heading. */
  private restoreFocus(id: string, heading: HTMLElement): void {
    const element = document.getElementById(id);
    if (element && !(element instanceof HTMLButtonElement && element.disabled)) {
      element.focus();
      return;
    }
    const alert = this.content.querySelector<HTMLElement>('.alert');
    (alert ?? heading).focus();
  }

  private headingKey(): MessageKey {
    switch (this.state.step) {
      case 'loading':
        return 'page.working';
      case 'email':
        return 'page.email.heading';
      case 'code':
        return 'page.code.heading';
      case 'waiting':
        return 'page.waiting.heading';
      case 'failed':
        return 'common.failed.heading';
      case 'done':
        if (this.state.outcome === 'existing_guest') return 'common.ready.existingGuest.heading';
        if (this.state.outcome === 'existing_member') return 'common.ready.existingMember.heading';
        return 'common.ready.guestCreated.heading';
    }
  }

  private renderHeader(): void {
    clear(this.header);
    const brand = h('div', { class: 'brand' });
    if (this.branding.logoUrl)
      append(brand, h('img', { class: 'logo', src: this.branding.logoUrl, alt: '' }));
    append(brand, h('span', { class: 'brand-name' }, this.branding.organization));

    const select = h('select', { id: 'language', name: 'language', autocomplete: 'off' });
    for (const locale of SUPPORTED_LOCALES) {
      const option = h(
        'option',
        { value: locale, lang: locale, dir: direction(locale) },
        t(locale, 'language.name'),
      );
      option.selected = locale === this.state.locale;
      append(select, option);
    }
    select.addEventListener('change', () => {
      if (isLocale(select.value)) this.setLocale(select.value);
    });
    const language = h(
      'div',
      { class: 'language' },
      h('label', { for: 'language' }, this.text('language.label')),
      select,
    );
    append(this.header, brand, language);
  }

  private renderFooter(): void {
    clear(this.footer);
    append(this.footer, h('p', {}, this.rich('common.support')));
    if (this.branding.privacyUrl) {
      append(
        this.footer,
        h('p', {}, h('a', { href: this.branding.privacyUrl }, this.text('common.privacy'))),
      );
    }
  }

  private renderStep(): Node[] {
    switch (this.state.step) {
      case 'loading':
        return [h('div', { class: 'spinner', 'aria-hidden': 'true' })];
      case 'email':
        return this.renderEmailStep();
      case 'code':
        return this.renderCodeStep();
      case 'waiting':
        return this.renderWaitingStep();
      case 'done':
        return this.renderDoneStep();
      case 'failed':
        return [
          // The email's wording is kinder than error.failed and does not repeat the heading.
          h('p', {}, this.rich('email.failed.body')),
          h(
            'p',
            {},
            this.actionButton('page.startAgain', () => this.startAgain(), 'button button-secondary'),
          ),
        ];
    }
  }

  private renderAlert(): Node | undefined {
    const alert = this.state.alert;
    if (!alert) return undefined;
    const box = h(
      'div',
      { class: 'alert', id: 'alert', tabindex: -1 },
      h('p', {}, this.rich(alert.key, alert.params)),
    );
    if (alert.detail) append(box, h('p', { class: 'alert-detail' }, h('bdi', {}, alert.detail)));
    if (alert.retry) {
      const retry = alert.retry;
      append(
        box,
        h(
          'p',
          {},
          this.actionButton(
            'page.tryAgain',
            () => {
              this.state.alert = undefined;
              retry();
            },
            'button button-secondary',
          ),
        ),
      );
    }
    return box;
  }

  private renderNotice(): Node | undefined {
    const notice = this.state.notice;
    return notice
      ? h('div', { class: 'notice' }, h('p', {}, this.rich(notice.key, notice.params)))
      : undefined;
  }

  private field(options: {
    id: string;
    labelKey: MessageKey;
    hintKey: MessageKey;
    input: HTMLInputElement;
  }): HTMLElement {
    const error = this.state.fieldError;
    const hintId = `${options.id}-hint`;
    const errorId = `${options.id}-error`;
    const input = options.input;
    input.id = options.id;
    input.name = options.id;
    const describedBy = ids(hintId, error && errorId);
    if (describedBy) input.setAttribute('aria-describedby', describedBy);
    if (error) input.setAttribute('aria-invalid', 'true');
    return h(
      'div',
      { class: error ? 'field field-invalid' : 'field' },
      h('label', { for: options.id }, this.text(options.labelKey)),
      h('p', { class: 'hint', id: hintId }, this.text(options.hintKey)),
      error && h('p', { class: 'field-error', id: errorId }, this.rich(error.key, error.params)),
      input,
    );
  }

  private form(onSubmit: () => void, ...children: Node[]): HTMLFormElement {
    const form = h('form', { novalidate: true, action: '#', method: 'post' }, ...children);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      onSubmit();
    });
    return form;
  }

  private submitButton(key: MessageKey): HTMLButtonElement {
    return h(
      'button',
      {
        type: 'submit',
        id: `${this.state.step}-submit`,
        class: 'button button-primary',
        'aria-disabled': this.state.busy ? 'true' : undefined,
      },
      this.text(this.state.busy ? 'page.working' : key),
    );
  }

  private actionButton(
    key: MessageKey,
    onClick: () => void,
    className: string,
    id?: string,
  ): HTMLButtonElement {
    const button = h('button', { type: 'button', class: className, id }, this.text(key));
    button.addEventListener('click', onClick);
    return button;
  }

  private renderEmailStep(): Node[] {
    const input = h('input', {
      type: 'email',
      autocomplete: 'email',
      inputmode: 'email',
      spellcheck: 'false',
      autocapitalize: 'none',
      dir: 'ltr',
      maxlength: 254,
      required: true,
    });
    input.value = this.state.email;
    input.addEventListener('input', () => {
      this.state.email = input.value;
    });
    return [
      h('p', {}, this.rich('page.intro')),
      this.renderAlert(),
      this.form(
        () => void this.submitEmail(),
        this.field({ id: 'email', labelKey: 'page.email.label', hintKey: 'page.email.hint', input }),
        h('p', { class: 'small' }, this.text('page.email.privacy')),
        this.submitButton('page.email.submit'),
      ),
    ].filter((n): n is HTMLElement => n !== undefined);
  }

  private renderCodeStep(): Node[] {
    const email = this.state.signup?.email;
    const input = h('input', {
      type: 'text',
      class: 'code-input',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      spellcheck: 'false',
      autocapitalize: 'none',
      dir: 'ltr',
      maxlength: 20,
      required: true,
    });
    input.value = this.state.code;
    input.addEventListener('input', () => {
      this.state.code = input.value;
    });
    input.addEventListener('paste', (event) => {
      // A pasted "123 456" or "123-456" becomes the six digits in one go.
      const pasted = normalizeCode(event.clipboardData?.getData('text') ?? '');
      if (!isCompleteCode(pasted)) return;
      event.preventDefault();
      input.value = pasted;
      this.state.code = pasted;
    });

    const resend = this.actionButton(
      'page.code.resend',
      () => void this.resend(),
      'button button-secondary',
      'resend',
    );
    resend.setAttribute('aria-describedby', 'resend-status');
    // Disabled from the start (not only at the first tick) so focus is never given back to it while waiting.
    resend.disabled = this.resendWaitSeconds() > 0;
    return [
      email ? h('p', {}, this.rich('page.code.sent', { email })) : undefined,
      this.renderNotice(),
      this.renderAlert(),
      this.form(
        () => void this.submitCode(),
        this.field({ id: 'code', labelKey: 'page.code.label', hintKey: 'page.code.hint', input }),
        this.submitButton('page.code.submit'),
      ),
      h(
        'div',
        { class: 'resend' },
        h('p', { class: 'small' }, this.text('page.code.junk')),
        resend,
        h('p', { class: 'countdown', id: 'resend-status', hidden: true }),
      ),
      h(
        'p',
        {},
        this.actionButton('page.code.changeEmail', () => this.changeEmail(), 'link-button'),
      ),
    ].filter((n): n is HTMLElement => n !== undefined);
  }

  private renderWaitingStep(): Node[] {
    return [
      this.renderNotice(),
      h(
        'div',
        { class: 'waiting' },
        h('div', { class: 'spinner', 'aria-hidden': 'true' }),
        h('p', {}, this.text('page.waiting.body')),
      ),
      this.state.slow ? h('p', { class: 'slow' }, this.text('page.waiting.slow')) : undefined,
      this.renderAlert(),
    ].filter((n): n is HTMLElement => n !== undefined);
  }

  private renderDoneStep(): Node[] {
    const outcome = this.state.outcome ?? 'guest_created';
    const body: MessageKey =
      outcome === 'existing_member'
        ? 'common.ready.existingMember.body'
        : outcome === 'existing_guest'
          ? 'common.ready.existingGuest.body'
          : 'common.ready.guestCreated.body';
    const nodes: (Node | undefined)[] = [h('p', {}, this.rich(body))];
    if (this.state.signInUrl) {
      nodes.push(
        h(
          'p',
          {},
          h(
            'a',
            { class: 'button button-primary button-wide', href: this.state.signInUrl, id: 'sign-in' },
            this.text('common.signIn'),
          ),
        ),
      );
    }
    if (outcome !== 'existing_member') {
      nodes.push(
        h('h3', {}, this.text('common.next.heading')),
        h(
          'ol',
          { class: 'next-steps' },
          h('li', {}, this.text('common.next.signIn')),
          h('li', {}, this.text('common.next.passcode')),
          h('li', {}, this.text('common.next.reopen')),
          h('li', {}, this.text('common.next.delay')),
        ),
      );
    }
    return nodes.filter((n): n is Node => n !== undefined);
  }
}

/** The API's default English text for a pause; anything else is the admin's own reason, worth showing. */
const PAUSED_DEFAULT = 'Sign-ups are paused at the moment. Please try again later.';
