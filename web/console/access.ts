/**
 * Who may enrol, in the console: the sign-ups waiting for approval (approve or deny), revocations (list,
 * add, lift) and the policy editor's access part (enrolment mode, proof-of-send days, approvers, partners).
 */
import type { EnrolmentMode } from '../../shared/domain/accessPolicy';
import { type Child, h } from '../dom';
import type { Partner, PolicyInput, PolicyView } from './api';
import type { StringKey } from './strings';
import { heading, table, type ViewContext, when } from './ui';

// ---- approvals -----------------------------------------------------------------------------------------

export async function approvals(main: HTMLElement, ctx: ViewContext): Promise<void> {
  const { t } = ctx;
  const page = await ctx.api.list({ status: 'pending_approval', top: '200' });
  const decide = (signupId: string, decision: 'approve' | 'deny') => {
    if (decision === 'deny' && !confirm(t('denyConfirm'))) return;
    ctx.announce('');
    ctx.api.decide(signupId, decision).then(
      async () => {
        await approvals(main, ctx);
        ctx.announce(t(decision === 'approve' ? 'approved' : 'denied'));
      },
      (error: unknown) => ctx.fail(error),
    );
  };
  const rows = page.items.map((s) => {
    const cells: Child[] = [
      s.address,
      s.domain,
      when(ctx, s.createdAt),
      when(ctx, s.expiresAt),
      h('a', { href: `#signups/${s.signupId}` }, `${t('open')} ${s.signupId.slice(0, 6)}…`),
    ];
    if (ctx.canWrite) {
      // The visible word starts the accessible name, which also says whom it decides about.
      const approve = h('button', { type: 'button', 'aria-label': t('approveOne', { address: s.address }) });
      approve.textContent = t('approve');
      approve.addEventListener('click', () => decide(s.signupId, 'approve'));
      const deny = h('button', {
        type: 'button',
        class: 'danger',
        'aria-label': t('denyOne', { address: s.address }),
      });
      deny.textContent = t('deny');
      deny.addEventListener('click', () => decide(s.signupId, 'deny'));
      cells.push(h('div', { class: 'row-actions' }, approve, deny));
    }
    return cells;
  });
  const head = [t('address'), t('domain'), t('created'), t('expires'), t('details')];
  main.replaceChildren(
    heading(t('approvals')),
    h('p', {}, t('approvalsIntro')),
    h('p', { id: 'approval-count' }, t('waiting', { count: page.items.length })),
    rows.length
      ? table(t('waiting', { count: rows.length }), ctx.canWrite ? [...head, t('decision')] : head, rows)
      : h('p', {}, t('none')),
  );
  main.querySelector<HTMLElement>('h1')?.focus();
}

// ---- revocations ---------------------------------------------------------------------------------------

export async function revocations(main: HTMLElement, ctx: ViewContext): Promise<void> {
  const { t } = ctx;
  const { items } = await ctx.api.revocations();
  const email = h('input', { id: 'r-email', type: 'email', required: true, autocomplete: 'off' });
  const deleteGuest = h('input', { id: 'r-delete', type: 'checkbox' });
  const reason = h('input', { id: 'r-reason', type: 'text', maxlength: 500 });
  const form = h(
    'form',
    { class: 'policy' },
    h(
      'fieldset',
      { disabled: !ctx.canWrite },
      h('legend', {}, t('revokeTitle')),
      h('div', { class: 'field' }, h('label', { for: 'r-email' }, t('revokeEmail')), email),
      h('div', { class: 'check' }, deleteGuest, h('label', { for: 'r-delete' }, t('deleteGuest'))),
      h('div', { class: 'field' }, h('label', { for: 'r-reason' }, t('revokeReason')), reason),
      h('button', { type: 'submit', class: 'danger' }, t('revoke')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // Deleting a guest cannot be undone; the rest can be lifted.
    if (deleteGuest.checked && !confirm(t('revokeConfirm'))) return;
    ctx.announce('');
    const body = { email: email.value.trim(), deleteGuest: deleteGuest.checked, reason: reason.value.trim() };
    ctx.api.revoke(body.reason ? body : { email: body.email, deleteGuest: body.deleteGuest }).then(
      async () => {
        await revocations(main, ctx);
        ctx.announce(t('revoked'));
      },
      (error: unknown) => ctx.fail(error),
    );
  });
  const rows = items.map((r) => {
    const short = `${r.emailHash.slice(0, 12)}…`;
    const cells: Child[] = [
      h('code', { title: r.emailHash }, short),
      when(ctx, r.revokedAt),
      r.revokedBy,
      r.reason ?? '',
      t(r.guestDeleted ? 'yes' : 'no'),
      String(r.groupsRemoved),
    ];
    if (ctx.canWrite) {
      const lift = h('button', { type: 'button', 'aria-label': t('liftOne', { hash: short }) });
      lift.textContent = t('lift');
      lift.addEventListener('click', () => {
        ctx.announce('');
        ctx.api.lift(r.emailHash).then(
          async () => {
            await revocations(main, ctx);
            ctx.announce(t('lifted'));
          },
          (error: unknown) => ctx.fail(error),
        );
      });
      cells.push(lift);
    }
    return cells;
  });
  const head = [
    t('emailHash'),
    t('revokedAt'),
    t('actor'),
    t('reason'),
    t('guestDeleted'),
    t('groupsRemoved'),
  ];
  main.replaceChildren(
    heading(t('revocations')),
    h('p', {}, t('revocationsIntro')),
    form,
    h('h2', {}, t('revokedList', { count: items.length })),
    rows.length
      ? table(t('revokedList', { count: rows.length }), ctx.canWrite ? [...head, t('lift')] : head, rows)
      : h('p', {}, t('none')),
  );
  main.querySelector<HTMLElement>('h1')?.focus();
}

// ---- the policy editor's access part -------------------------------------------------------------------

const MODES = ['open', 'partners', 'proof_of_send', 'approval'] as const satisfies readonly EnrolmentMode[];
const MODE_LABEL: Record<(typeof MODES)[number], StringKey> = {
  open: 'modeOpen',
  partners: 'modePartners',
  proof_of_send: 'modeProofOfSend',
  approval: 'modeApproval',
};

const list = (value: string) =>
  value
    .split(/[\s,;]+/)
    .map((v) => v.trim())
    .filter(Boolean);

type AccessInput = Pick<PolicyInput, 'enrolment' | 'proofOfSendDays' | 'approvers' | 'partners'>;

/**
 * The enrolment fields and the partner list, filled from what applies now (the stored policy may not
 * name them yet). `read()` gives the policy fields they edit, since a PUT replaces the whole policy.
 */
export function accessFields(
  view: PolicyView,
  ctx: ViewContext,
): { element: HTMLElement; read(): AccessInput } {
  const { t } = ctx;
  const access = view.effective.access;
  const mode = h(
    'select',
    { id: 'p-enrolment' },
    ...MODES.map((m) => h('option', { value: m, selected: access.enrolment === m }, t(MODE_LABEL[m]))),
  );
  const days = h('input', {
    id: 'p-proof-days',
    type: 'number',
    min: 1,
    max: 90,
    inputmode: 'numeric',
    value: access.proofOfSendDays,
  });
  const approvers = h('textarea', { id: 'p-approvers', rows: 2 }, access.approvers.join('\n'));
  // Groups a partner may join: the configured ones, plus any a stored partner names (the API will say
  // why such a group is refused rather than the form dropping it silently).
  const groups = [
    ...new Set([...view.settings.managedGroupIds, ...access.partners.flatMap((p) => p.groupIds ?? [])]),
  ];
  const partnerList = h('div', { class: 'partners' });
  const rows: { element: HTMLElement; read(): Partner | undefined }[] = [];
  let next = 0;

  const renumber = () =>
    rows.forEach((row, i) => {
      const legend = row.element.querySelector('legend');
      if (legend) legend.textContent = t('partnerN', { n: i + 1 });
      const remove = row.element.querySelector('button');
      remove?.setAttribute('aria-label', t('removePartner', { n: i + 1 }));
    });

  const addPartner = (partner: Partner | undefined) => {
    const n = next++;
    const domain = h('input', {
      id: `pp-${n}-domain`,
      type: 'text',
      autocomplete: 'off',
      value: partner?.domain ?? '',
    });
    const checks = groups.map((g, i) =>
      h('input', {
        id: `pp-${n}-group-${i}`,
        type: 'checkbox',
        value: g,
        checked: partner?.groupIds?.includes(g) ?? false,
      }),
    );
    const boxes = checks.map((box, i) =>
      h('div', { class: 'check' }, box, h('label', { for: box.id }, h('code', {}, groups[i] ?? ''))),
    );
    const sponsors = h('textarea', { id: `pp-${n}-sponsors`, rows: 2 }, (partner?.sponsors ?? []).join('\n'));
    const remove = h('button', { type: 'button', class: 'link' }, t('remove'));
    const element = h(
      'fieldset',
      { class: 'partner' },
      h('legend', {}, ''),
      h('div', { class: 'field' }, h('label', { for: `pp-${n}-domain` }, t('partnerDomain')), domain),
      h(
        'fieldset',
        { class: 'groups' },
        h('legend', {}, t('partnerGroups')),
        ...(boxes.length ? boxes : [h('p', { class: 'muted' }, t('noGroups'))]),
      ),
      h('div', { class: 'field' }, h('label', { for: `pp-${n}-sponsors` }, t('partnerSponsors')), sponsors),
      remove,
    );
    const row = {
      element,
      read(): Partner | undefined {
        if (!domain.value.trim()) return undefined;
        const groupIds = checks.filter((b) => b.checked).map((b) => b.value);
        const sponsorList = list(sponsors.value);
        return {
          domain: domain.value.trim(),
          ...(groupIds.length ? { groupIds } : {}),
          ...(sponsorList.length ? { sponsors: sponsorList } : {}),
        };
      },
    };
    remove.addEventListener('click', () => {
      const at = rows.indexOf(row);
      rows.splice(at, 1);
      element.remove();
      renumber();
      add.focus();
    });
    rows.push(row);
    partnerList.append(element);
    renumber();
    return domain;
  };

  const add = h('button', { type: 'button' }, t('addPartner'));
  add.addEventListener('click', () => addPartner(undefined).focus());
  for (const partner of access.partners) addPartner(partner);

  const field = (id: string, label: string, control: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const element = h(
    'fieldset',
    { class: 'access' },
    h('legend', {}, t('accessTitle')),
    field('p-enrolment', t('enrolment'), mode),
    field('p-proof-days', t('proofDays'), days),
    field('p-approvers', t('approvers'), approvers),
    h('fieldset', { class: 'partner-list' }, h('legend', {}, t('partners')), partnerList, add),
  );
  return {
    element,
    read: () => ({
      enrolment: mode.value as EnrolmentMode,
      ...(days.value ? { proofOfSendDays: Number(days.value) } : {}),
      approvers: list(approvers.value),
      partners: rows.map((r) => r.read()).filter((p): p is Partner => p !== undefined),
    }),
  };
}
