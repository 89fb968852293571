/**
 * The page's DOM: one render per state change, built from text nodes only (web/dom.ts), worded from the
 * shared catalogue. The views read the state and report what the person does through `ViewActions`;
 * they never change the state themselves.
 */
import {
  direction,
  isLocale,
  SUPPORTED_LOCALES,
  t,
  tParts,
  type Locale,
  type MessageKey,
  type MessageParams,
} from '../shared/i18n';
import { supportLink } from '../shared/web/branding';
import { isCompleteCode, normalizeCode } from './code';
import { append, clear, h, ids } from './dom';
import { helpArea, type Intent, intentIntro } from './lifecycle';
import { headingKey, renderApprovalStep, renderDoneStep } from './outcomeViews';
import {
  type Focus,
  type Message,
  NOT_ELIGIBLE_KEYS,
  type PageBranding,
  type State,
  STEP_NUMBER,
} from './state';

const TOTAL_STEPS = 3;

/** What the person can do on the page; the controller implements each. */
export interface ViewActions {
  submitEmail: () => void;
  submitCode: () => void;
  resend: () => void;
  changeEmail: () => void;
  startAgain: () => void;
  setLocale: (locale: Locale) => void;
  editEmail: (value: string) => void;
  editCode: (value: string) => void;
  /** The alert's "Try again": clear the alert, then run its retry. */
  retry: (action: () => void) => void;
  /** Seconds until a new code may be requested (the resend button starts disabled while waiting). */
  resendWaitSeconds: () => number;
  /** The help area: switch the email form to another intent. */
  chooseIntent: (intent: Intent) => void;
  /** When the code should arrive, when that is more than a minute away. */
  codeExpectedAt: () => Date | undefined;
}

export class PageView {
  private readonly header = h('header', { class: 'masthead' });
  private readonly main = h('main', { id: 'main' });
  /** Re-rendered on every change; the live regions beside it stay put so announcements are heard. */
  private readonly content = h('div', { class: 'content' });
  private readonly footer = h('footer', { class: 'site-footer' });
  private readonly livePolite = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  private readonly liveAlert = h('div', { class: 'visually-hidden', role: 'alert' });

  constructor(
    private readonly state: Readonly<State>,
    private readonly branding: PageBranding,
    private readonly actions: ViewActions,
  ) {}

  /** Puts the page's fixed frame into `root` (once). */
  mount(root: HTMLElement): void {
    clear(root);
    append(this.main, this.content, this.livePolite, this.liveAlert);
    append(root, this.header, this.main, this.footer);
  }

  /** Shows the busy state on the form's submit button without a re-render (focus stays put). */
  setBusy(busy: boolean): void {
    const button = this.main.querySelector<HTMLButtonElement>('form button[type="submit"]');
    if (button) {
      button.setAttribute('aria-disabled', String(busy));
      button.textContent = busy
        ? this.text('page.working')
        : this.text(this.state.step === 'code' ? 'page.code.submit' : 'page.email.submit');
    }
  }

  /** Updates the resend button and its countdown in place (no re-render). */
  updateCountdown(seconds: number): void {
    const button = document.getElementById('resend') as HTMLButtonElement | null;
    const status = document.getElementById('resend-status');
    if (!button || !status) return;
    button.disabled = seconds > 0 || this.state.busy;
    status.textContent = seconds > 0 ? this.text('page.code.resendCountdown', { seconds }) : '';
    status.hidden = seconds === 0;
  }

  /** Replaces the code step's "should arrive by" line in place (no re-render: the person may be typing). */
  updateCodeEta(): void {
    const current = document.getElementById('code-eta');
    const next = this.renderCodeEta();
    if (current && next) current.replaceWith(next);
    else if (current) current.remove();
    else if (next) document.querySelector('.resend')?.prepend(next);
  }

  /** Reads the current alert out through the assertive live region. */
  announceAlert(): void {
    const alert = this.state.alert;
    if (!alert) return;
    const text = [this.text(alert.key, this.paramsFor(alert)), alert.detail].filter(Boolean).join(' ');
    this.announce(text, this.liveAlert);
  }

  announce(text: string, region: HTMLElement = this.livePolite): void {
    region.textContent = '';
    window.setTimeout(() => {
      region.textContent = text;
    }, 100);
  }

  paramsFor(message: Message): MessageParams {
    return { organization: this.branding.organization, support: this.supportText(), ...message.params };
  }

  private supportText(): string {
    return this.state.supportContact ?? this.branding.support;
  }

  text(key: MessageKey, params?: MessageParams): string {
    return t(this.state.locale, key, {
      organization: this.branding.organization,
      support: this.supportText(),
      ...params,
    });
  }

  /** A message as nodes: every parameter is isolated (<bdi>), the support contact becomes a link. */
  rich(key: MessageKey, params?: MessageParams): DocumentFragment {
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

  applyLocale(): void {
    document.documentElement.lang = this.state.locale;
    document.documentElement.dir = direction(this.state.locale);
  }

  render(focus: Focus): void {
    // Re-rendering replaces every element: remember which control had focus to give it back.
    const active = document.activeElement;
    const previousId = active instanceof HTMLElement && this.content.contains(active) ? active.id : '';
    this.renderHeader();
    this.renderFooter();
    clear(this.content);
    const heading = h('h2', { id: 'step-heading', tabindex: -1 }, this.text(headingKey(this.state)));
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
      if (isLocale(select.value)) this.actions.setLocale(select.value);
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
        return renderDoneStep(this.state, this);
      case 'approval':
        return renderApprovalStep(this);
      case 'notEligible':
        return [
          h('p', {}, this.rich(NOT_ELIGIBLE_KEYS[this.state.notEligibleReason ?? 'not_partner'])),
          h(
            'p',
            {},
            this.actionButton('page.startAgain', this.actions.startAgain, 'button button-secondary'),
          ),
        ];
      case 'failed':
        return [
          // The email's wording is kinder than error.failed and does not repeat the heading.
          h('p', {}, this.rich('email.failed.body')),
          h(
            'p',
            {},
            this.actionButton('page.startAgain', this.actions.startAgain, 'button button-secondary'),
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
          this.actionButton('page.tryAgain', () => this.actions.retry(retry), 'button button-secondary'),
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

  /** A required, left-to-right input that is never spell-checked or capitalised (addresses and codes). */
  private textInput(
    attributes: Record<string, string | number>,
    value: string,
    onEdit: (value: string) => void,
  ): HTMLInputElement {
    const input = h('input', {
      ...attributes,
      spellcheck: 'false',
      autocapitalize: 'none',
      dir: 'ltr',
      required: true,
    });
    input.value = value;
    input.addEventListener('input', () => onEdit(input.value));
    return input;
  }

  private renderEmailStep(): Node[] {
    const input = this.textInput(
      { type: 'email', autocomplete: 'email', inputmode: 'email', maxlength: 254 },
      this.state.email,
      this.actions.editEmail,
    );
    return [
      h('p', {}, this.rich(intentIntro(this.state.intent))),
      this.renderAlert(),
      this.form(
        this.actions.submitEmail,
        this.field({ id: 'email', labelKey: 'page.email.label', hintKey: 'page.email.hint', input }),
        h('p', { class: 'small' }, this.text('page.email.privacy')),
        this.submitButton('page.email.submit'),
      ),
      helpArea(this, this.state.intent, this.actions.chooseIntent),
    ].filter((n): n is HTMLElement => n !== undefined);
  }

  private renderCodeStep(): Node[] {
    const email = this.state.signup?.email;
    const input = this.textInput(
      {
        type: 'text',
        class: 'code-input',
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
        maxlength: 20,
      },
      this.state.code,
      this.actions.editCode,
    );
    input.addEventListener('paste', (event) => {
      // A pasted "123 456" or "123-456" becomes the six digits in one go.
      const pasted = normalizeCode(event.clipboardData?.getData('text') ?? '');
      if (!isCompleteCode(pasted)) return;
      event.preventDefault();
      input.value = pasted;
      this.actions.editCode(pasted);
    });

    const resend = this.actionButton(
      'page.code.resend',
      this.actions.resend,
      'button button-secondary',
      'resend',
    );
    resend.setAttribute('aria-describedby', 'resend-status');
    // Disabled from the start (not only at the first tick) so focus is never given back to it while waiting.
    resend.disabled = this.actions.resendWaitSeconds() > 0;
    return [
      email ? h('p', {}, this.rich('page.code.sent', { email })) : undefined,
      this.renderNotice(),
      this.renderAlert(),
      this.form(
        this.actions.submitCode,
        this.field({ id: 'code', labelKey: 'page.code.label', hintKey: 'page.code.hint', input }),
        this.submitButton('page.code.submit'),
      ),
      h(
        'div',
        { class: 'resend' },
        this.renderCodeEta(),
        h('p', { class: 'small' }, this.text('page.code.junk')),
        resend,
        h('p', { class: 'countdown', id: 'resend-status', hidden: true }),
      ),
      h('p', {}, this.actionButton('page.code.changeEmail', this.actions.changeEmail, 'link-button')),
    ].filter((n): n is HTMLElement => n !== undefined);
  }

  /** "Your code should arrive by 14:20", in the page's language and the person's time zone. */
  private renderCodeEta(): HTMLElement | undefined {
    const at = this.actions.codeExpectedAt();
    if (!at) return undefined;
    const sameDay = at.toDateString() === new Date().toDateString();
    const time = new Intl.DateTimeFormat(this.state.locale, {
      hour: 'numeric',
      minute: '2-digit',
      ...(sameDay ? {} : { weekday: 'long' }),
    }).format(at);
    return h('p', { class: 'small', id: 'code-eta' }, this.text('page.code.eta', { time }));
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
}
