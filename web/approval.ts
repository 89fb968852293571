/**
 * The sponsor's page at /approvals/{token}: shows whose request it is and two buttons. Loading the page
 * (as mail scanners do) only reads the request; nothing is decided until a button is pressed, which POSTs
 * the decision once. Text nodes only (web/dom.ts), worded from the shared catalogue.
 */
import { isMessageKey, t, type Locale, type MessageKey, type MessageParams } from '../shared/i18n';
import type { ApiError, ApprovalRequest, SignupApi } from './api';
import { append, clear, h } from './dom';
import type { PageBranding } from './state';

const TOKEN_PATH = /^\/approvals\/([A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{24})\/?$/;

/** The token of an approval link's path, or undefined on every other page. */
export function approvalToken(pathname: string): string | undefined {
  return TOKEN_PATH.exec(pathname)?.[1];
}

export class ApprovalPage {
  private readonly card = h('section', { class: 'card', 'aria-labelledby': 'step-heading' });
  private request: ApprovalRequest | undefined;
  private busy = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly branding: PageBranding,
    private readonly api: SignupApi,
    private readonly locale: Locale,
    private readonly token: string,
  ) {}

  async start(): Promise<void> {
    clear(this.root);
    const main = h(
      'main',
      { id: 'main' },
      h('h1', { class: 'page-title' }, this.text('page.approval.heading')),
    );
    append(main, this.card);
    append(this.root, main);
    document.documentElement.lang = this.locale;
    const result = await this.api.approval(this.token);
    if (!result.ok) return this.showError(result.error);
    this.request = result.data;
    if (result.data.status === 'approved') return this.show('page.approval.approved');
    if (result.data.status === 'denied') return this.show('page.approval.denied');
    this.render();
  }

  private text(key: MessageKey, params?: MessageParams): string {
    return t(this.locale, key, {
      organization: this.branding.organization,
      support: this.branding.support,
      ...params,
    });
  }

  private render(): void {
    const request = this.request;
    if (!request) return;
    clear(this.card);
    const button = (key: MessageKey, decision: 'approve' | 'deny', css: string) => {
      const element = h('button', { type: 'button', class: css, disabled: this.busy }, this.text(key));
      element.addEventListener('click', () => void this.decide(decision));
      return element;
    };
    append(
      this.card,
      h('h2', { id: 'step-heading', tabindex: -1 }, this.text('page.approval.heading')),
      h('p', {}, this.text('page.approval.body', { email: request.email, domain: request.domain })),
      h(
        'p',
        { class: 'actions' },
        button('page.approval.approve', 'approve', 'button'),
        ' ',
        button('page.approval.deny', 'deny', 'button button-secondary'),
      ),
    );
  }

  private async decide(decision: 'approve' | 'deny'): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.render();
    const result = await this.api.decide(this.token, decision);
    this.busy = false;
    if (!result.ok) return this.showError(result.error);
    this.show(decision === 'approve' ? 'page.approval.approved' : 'page.approval.denied');
  }

  private show(key: MessageKey): void {
    clear(this.card);
    append(
      this.card,
      h('h2', { id: 'step-heading', tabindex: -1 }, this.text('page.approval.heading')),
      h('p', { role: 'status' }, this.text(key)),
    );
  }

  private showError(error: ApiError): void {
    const key = `error.${error.code}`;
    clear(this.card);
    append(
      this.card,
      h(
        'div',
        { class: 'alert', role: 'alert' },
        h('p', {}, this.text(isMessageKey(key) ? key : 'error.generic')),
      ),
    );
  }
}
