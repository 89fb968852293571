/**
 * Each step's heading and the views at the end of the flow (ready, pending approval): functions of the
 * state alone, worded through the page view's text helpers, kept apart so web/views.ts stays about the
 * forms and their focus handling.
 */
import type { MessageKey, MessageParams } from '../shared/i18n';
import { h } from './dom';
import type { State } from './state';

/** The page view's wording helpers (plain text, and text with isolated parameters and a support link). */
export interface Wording {
  text(key: MessageKey, params?: MessageParams): string;
  rich(key: MessageKey, params?: MessageParams): DocumentFragment;
}

export function headingKey(state: Readonly<State>): MessageKey {
  switch (state.step) {
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
    case 'approval':
      return 'common.pendingApproval.heading';
    case 'notEligible':
      return 'common.notEligible.heading';
    case 'done':
      if (state.outcome === 'existing_guest') return 'common.ready.existingGuest.heading';
      if (state.outcome === 'existing_member') return 'common.ready.existingMember.heading';
      return 'common.ready.guestCreated.heading';
  }
}

export function renderApprovalStep(wording: Wording): Node[] {
  return [h('p', {}, wording.rich('common.pendingApproval.body'))];
}

export function renderDoneStep(state: Readonly<State>, wording: Wording): Node[] {
  const outcome = state.outcome ?? 'guest_created';
  const body: MessageKey =
    outcome === 'existing_member'
      ? 'common.ready.existingMember.body'
      : outcome === 'existing_guest'
        ? 'common.ready.existingGuest.body'
        : 'common.ready.guestCreated.body';
  const nodes: Node[] = [h('p', {}, wording.rich(body))];
  if (state.signInUrl) {
    nodes.push(
      h(
        'p',
        {},
        h(
          'a',
          { class: 'button button-primary button-wide', href: state.signInUrl, id: 'sign-in' },
          wording.text('common.signIn'),
        ),
      ),
    );
  }
  if (outcome !== 'existing_member') {
    nodes.push(
      h('h3', {}, wording.text('common.next.heading')),
      h(
        'ol',
        { class: 'next-steps' },
        h('li', {}, wording.text('common.next.signIn')),
        h('li', {}, wording.text('common.next.passcode')),
        h('li', {}, wording.text('common.next.reopen')),
        h('li', {}, wording.text('common.next.delay')),
      ),
    );
  }
  return nodes;
}
