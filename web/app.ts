/**
 * The recipient's journey on one page: email → code → waiting → done (or failed). This controller holds
 * the page's state machine: each step gets its own history entry, calls the API and decides what to show;
 * views.ts renders the state (moving focus to the step's heading, worded from the shared catalogue, so
 * switching language re-renders the same step with what the person already typed) and poller.ts watches
 * a verified sign-up until it is ready.
 */
import { safeHttpUrl } from '../shared/email/escape';
import { isMessageKey, type Locale } from '../shared/i18n';
import type { Signup, SignupApi } from './api';
import { isCompleteCode, normalizeCode, parseEmailLink } from './code';
import { errorKey, errorMessage } from './errorMessages';
import { CodeStepClock } from './codeStepClock';
import { parseRenewLink } from './lifecycle';
import { type PollEvent, StatusPoller } from './poller';
import { clearSignup, loadSignup, saveSignup } from './session';
import { type Focus, initialState, type Message, type PageBranding, type State, type Step } from './state';
import { PageView } from './views';

export type { PageBranding } from './state';
export { pickLocale, readBranding } from './pageSetup';

type HistoryMode = 'push' | 'replace' | 'none';

export class LandingApp {
  private readonly state: State;
  private readonly view: PageView;
  private readonly poller: StatusPoller;
  private readonly clock: CodeStepClock;

  constructor(
    private readonly root: HTMLElement,
    branding: PageBranding,
    private readonly api: SignupApi,
    locale: Locale,
  ) {
    this.state = initialState(locale);
    // The view is made below; the clock reaches it only once a step is shown.
    this.clock = new CodeStepClock(
      api,
      this.state,
      () => this.view,
      (view) => {
        this.applyStatus(view, 'none', 'none');
        this.announceAlert();
      },
    );
    this.view = new PageView(this.state, branding, {
      submitEmail: () => void this.submitEmail(),
      submitCode: () => void this.submitCode(),
      resend: () => void this.resend(),
      changeEmail: () => this.changeEmail(),
      startAgain: () => this.startAgain(),
      setLocale: (next) => this.setLocale(next),
      editEmail: (value) => {
        this.state.email = value;
      },
      editCode: (value) => {
        this.state.code = value;
      },
      retry: (action) => {
        this.state.alert = undefined;
        action();
      },
      resendWaitSeconds: () => this.clock.resendWaitSeconds(),
      chooseIntent: (intent) => {
        this.state.intent = intent;
        this.state.alert = undefined;
        this.state.fieldError = undefined;
        this.go('email', 'push', 'heading');
      },
      codeExpectedAt: () => this.clock.codeExpectedAt(),
    });
    this.poller = new StatusPoller(api, (event) => this.onPoll(event));
  }

  // ---- start-up ------------------------------------------------------------------------------------

  async start(): Promise<void> {
    this.view.mount(this.root);
    this.view.applyLocale();
    window.addEventListener('popstate', (event) => this.onPopState(event));
    // The email link opened in a tab that already shows the page only changes the fragment.
    window.addEventListener('hashchange', () => {
      if (this.takeEmailLink()) void this.resume('push');
    });

    this.state.signup = loadSignup();
    this.takeEmailLink();
    const signup = this.state.signup;
    this.state.email = signup?.email ?? this.state.email;
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
    const renew = parseRenewLink(window.location.hash);
    if (renew) {
      // The renewal email: a verified `join` again, with the address filled in.
      history.replaceState(history.state, '', window.location.pathname + window.location.search);
      this.state.email = renew;
      this.state.intent = 'join';
      return false;
    }
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
    this.state.alert = { key: errorKey(result.error), retry: () => void this.resume(mode) };
    this.go('email', mode, 'none');
    this.announceAlert();
  }

  private applyStatus(view: Signup, mode: HistoryMode, focus: Focus = 'heading'): void {
    const signup = this.state.signup;
    if (!signup) return;
    switch (view.status) {
      case 'pending_verification':
        signup.verified = false;
        if (view.resendAvailableAt) signup.resendAvailableAt = view.resendAvailableAt;
        if (view.codeExpiresAt) signup.codeExpiresAt = view.codeExpiresAt;
        signup.estimatedCodeAt = view.estimatedCodeAt; // absent once the code went out
        saveSignup(signup);
        if (view.emailFailed === 'undeliverable') this.state.alert = { key: 'page.code.undeliverable' };
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
        this.state.homeTenant = view.homeTenant;
        this.state.supportContact = view.supportContact;
        this.go('done', mode);
        return;
      case 'failed':
        this.stopPolling();
        this.state.supportContact = view.supportContact;
        this.go('failed', mode);
        return;
      case 'pending_approval':
        // A sponsor may take days; the person is emailed either way, so the page stops polling.
        signup.verified = true;
        saveSignup(signup);
        this.stopPolling();
        this.go('approval', mode);
        return;
      case 'not_eligible':
        this.stopPolling();
        this.state.notEligibleReason = view.reason;
        this.go('notEligible', mode);
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
    if (step !== 'code') this.clock.stop();
    if (step !== 'waiting') this.stopPolling();
    this.state.step = step;
    this.state.busy = false;
    if (mode === 'push') history.pushState({ step }, '', this.currentUrl());
    else if (mode === 'replace') history.replaceState({ step }, '', this.currentUrl());
    this.render(focus);
    if (step === 'code') this.clock.start();
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
    const result = await this.api.start(email, this.state.locale, this.state.intent);
    if (result.ok) {
      this.state.signup = {
        signupId: result.data.signupId,
        email,
        resendAvailableAt: result.data.resendAvailableAt,
        codeExpiresAt: result.data.codeExpiresAt,
        estimatedCodeAt: result.data.estimatedCodeAt,
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
      if (!isMessageKey(specific)) return this.showFieldError({ key: 'error.domain_not_allowed' });
      // A paused domain carries the admin's own words for the public (`detail`).
      return this.showFieldError(
        error.reason === 'paused'
          ? { key: specific, params: { reason: error.detail ?? '' } }
          : { key: specific },
      );
    }
    this.showAlert(errorMessage(error, () => void this.submitEmail()));
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
    this.showAlert(errorMessage(error, () => void this.submitCode()));
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
      signup.estimatedCodeAt = result.data.estimatedCodeAt;
      saveSignup(signup);
      this.state.code = '';
      this.state.codePrefilled = false;
      this.state.notice = { key: 'page.code.resent' };
      this.render('field');
      this.clock.start();
      this.view.announce(this.view.text('page.code.resent'));
      return;
    }
    const { error } = result;
    if (error.code === 'resend_too_soon') {
      if (error.retryAfterSeconds !== undefined) {
        signup.resendAvailableAt = new Date(this.api.now() + error.retryAfterSeconds * 1000).toISOString();
        saveSignup(signup);
      }
      this.showAlert({ key: 'error.resend_too_soon' });
      this.clock.start();
      return;
    }
    if (error.status === 404) return this.expired('push', false);
    if (error.code === 'already_verified') {
      signup.verified = true;
      saveSignup(signup);
      this.go('waiting', 'push');
      return;
    }
    this.showAlert(errorMessage(error, () => void this.resend()));
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
    this.view.applyLocale();
    this.render('language');
    if (this.state.step === 'code') this.clock.tick();
  }

  // ---- waiting -------------------------------------------------------------------------------------

  private startPolling(): void {
    this.state.slow = false;
    if (this.state.signup) this.poller.start(this.state.signup.signupId);
  }

  private stopPolling(): void {
    this.poller.stop();
  }

  private onPoll(event: PollEvent): void {
    if (this.state.step !== 'waiting') return; // the person navigated away meanwhile
    switch (event.kind) {
      case 'status':
        this.applyStatus(event.view, 'replace');
        return;
      case 'gone':
        this.expired('replace', false);
        return;
      case 'recovered':
        if (this.state.alert?.key === 'error.network') {
          this.state.alert = undefined;
          this.render('none');
        }
        return;
      case 'offline':
        this.showAlert({ key: 'error.network' }, 'none');
        return;
      case 'slow':
        this.state.slow = true;
        this.render('none');
        this.view.announce(this.view.text('page.waiting.slow'));
        return;
      case 'gave_up':
        this.showAlert({ key: 'error.generic', retry: () => this.restartWaiting() });
        return;
    }
  }

  private restartWaiting(): void {
    this.state.alert = undefined;
    this.go('waiting', 'none', 'heading');
  }

  // ---- feedback ------------------------------------------------------------------------------------

  private setBusy(busy: boolean): void {
    this.state.busy = busy;
    this.view.setBusy(busy);
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
    if (this.state.step === 'code') this.clock.tick();
    this.announceAlert();
  }

  private announceAlert(): void {
    this.view.announceAlert();
  }

  private render(focus: Focus): void {
    this.view.render(focus);
  }
}
