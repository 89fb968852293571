/**
 * The page's guest-lifecycle parts: the help area offering "Delete my guest account" and "Start over with a
 * different account" (the same verified flow with another intent), the outcome texts of `leave` and
 * `reset`, the honest hints after sign-up (how long access takes, which apps open protected files, the
 * organisation account when the domain has its own tenant), and the renewal link's `#renew=` fragment.
 */
import type { MessageKey, MessageParams } from '../shared/i18n';
import type { Outcome } from './api';
import { h } from './dom';
import type { State } from './state';

export type Intent = 'join' | 'leave' | 'reset';

/** What the lifecycle parts need from the view. */
export interface Texts {
  text(key: MessageKey, params?: MessageParams): string;
  rich(key: MessageKey, params?: MessageParams): DocumentFragment;
}

const INTENT_TEXT = {
  leave: { heading: 'page.intent.leave.heading', body: 'page.intent.leave.body' },
  reset: { heading: 'page.intent.reset.heading', body: 'page.intent.reset.body' },
} as const satisfies Record<Exclude<Intent, 'join'>, { heading: MessageKey; body: MessageKey }>;

export function intentHeading(intent: Intent): MessageKey | undefined {
  return intent === 'join' ? undefined : INTENT_TEXT[intent].heading;
}

export function intentIntro(intent: Intent): MessageKey {
  return intent === 'join' ? 'page.intro' : INTENT_TEXT[intent].body;
}

/** The help area under the email form: the other two things this page can do. */
export function helpArea(texts: Texts, current: Intent, choose: (intent: Intent) => void): HTMLElement {
  const links: [Intent, MessageKey][] = [
    ['join', 'page.email.heading'],
    ['leave', 'page.help.leave'],
    ['reset', 'page.help.reset'],
  ];
  const items = links
    .filter(([intent]) => intent !== current)
    .map(([intent, key]) => {
      const button = h(
        'button',
        { type: 'button', class: 'link-button', 'data-intent': intent },
        texts.text(key),
      );
      button.addEventListener('click', () => choose(intent));
      return h('li', {}, button);
    });
  return h(
    'nav',
    { class: 'help', 'aria-label': texts.text('common.support', { support: '' }) },
    h('ul', {}, ...items),
  );
}

const OUTCOME_TEXT: Partial<Record<Outcome, { heading: MessageKey; body: MessageKey }>> = {
  guest_removed: { heading: 'common.outcome.guestRemoved.heading', body: 'common.outcome.guestRemoved.body' },
  not_managed: { heading: 'common.outcome.notManaged.heading', body: 'common.outcome.notManaged.body' },
  redemption_reset: {
    heading: 'common.outcome.redemptionReset.heading',
    body: 'common.outcome.redemptionReset.body',
  },
};

/** Heading and body of the lifecycle outcomes; undefined for the sign-up outcomes. */
export function lifecycleOutcome(outcome: Outcome): { heading: MessageKey; body: MessageKey } | undefined {
  return OUTCOME_TEXT[outcome];
}

/** The honest hints under a guest's "ready" page. */
export function accessHints(texts: Texts, homeTenant: boolean | undefined): HTMLElement[] {
  const keys: MessageKey[] = [
    ...(homeTenant ? (['common.access.homeTenant'] as const) : []),
    'common.access.delay',
    'common.access.apps',
  ];
  return keys.map((key) => h('p', { class: 'small hint' }, texts.rich(key)));
}

/** The renewal email's link `/#renew=<address>`: the page pre-fills the address (fragment: never sent). */
export function parseRenewLink(hash: string): string | undefined {
  if (!hash.startsWith('#') || hash.length > 600) return undefined;
  const address = new URLSearchParams(hash.slice(1)).get('renew') ?? '';
  return /^[^@\s]{1,64}@[^@\s]{1,255}$/.test(address) ? address : undefined;
}

/** The "done" step: the sign-up outcomes with the next steps and hints, or a lifecycle outcome. */
export function doneStep(texts: Texts, state: Readonly<State>): Node[] {
  const outcome = state.outcome ?? 'guest_created';
  const lifecycle = lifecycleOutcome(outcome);
  if (lifecycle && outcome !== 'redemption_reset') return [h('p', {}, texts.rich(lifecycle.body))];
  const body: MessageKey = lifecycle
    ? lifecycle.body
    : outcome === 'existing_member'
      ? 'common.ready.existingMember.body'
      : outcome === 'existing_guest'
        ? 'common.ready.existingGuest.body'
        : 'common.ready.guestCreated.body';
  const nodes: Node[] = [h('p', {}, texts.rich(body))];
  if (state.signInUrl) {
    const label = outcome === 'redemption_reset' ? 'common.acceptInvitation' : 'common.signIn';
    nodes.push(
      h(
        'p',
        {},
        h(
          'a',
          { class: 'button button-primary button-wide', href: state.signInUrl, id: 'sign-in' },
          texts.text(label),
        ),
      ),
    );
  }
  if (outcome !== 'existing_member') {
    nodes.push(
      h('h3', {}, texts.text('common.next.heading')),
      h(
        'ol',
        { class: 'next-steps' },
        h('li', {}, texts.text('common.next.signIn')),
        h('li', {}, texts.text('common.next.passcode')),
        h('li', {}, texts.text('common.next.reopen')),
        h('li', {}, texts.text('common.next.delay')),
      ),
      ...accessHints(texts, state.homeTenant),
    );
  }
  return nodes;
}
