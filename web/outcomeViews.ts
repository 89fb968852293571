/**
 * Each step's heading and the views at the end of the flow (ready, pending approval): functions of the
 * state alone, worded through the page view's text helpers, kept apart so web/views.ts stays about the
 * forms and their focus handling.
 */
import type { MessageKey, MessageParams } from '../shared/i18n';
import { h } from './dom';
import { doneStep, intentHeading, lifecycleOutcome } from './lifecycle';
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
      return intentHeading(state.intent) ?? 'page.email.heading';
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
    case 'done': {
      const lifecycle = state.outcome ? lifecycleOutcome(state.outcome) : undefined;
      if (lifecycle) return lifecycle.heading;
      if (state.outcome === 'existing_guest') return 'common.ready.existingGuest.heading';
      if (state.outcome === 'existing_member') return 'common.ready.existingMember.heading';
      return 'common.ready.guestCreated.heading';
    }
  }
}

export function renderApprovalStep(wording: Wording): Node[] {
  return [h('p', {}, wording.rich('common.pendingApproval.body'))];
}

/** The "done" step: the sign-up outcomes with next steps and access hints, or a lifecycle outcome. */
export function renderDoneStep(state: Readonly<State>, wording: Wording): Node[] {
  return doneStep(wording, state);
}
