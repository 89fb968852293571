/**
 * The console's views. Each renders into `main` from the admin API and returns; text goes in through
 * text nodes only (web/dom.ts), so nothing from the API becomes markup.
 */
import { h } from '../dom';
import { ApiError, type PolicyInput, type PolicyView } from './api';
import { accessFields } from './access';
import { barChart, meter } from './charts';
import { heading, table, type ViewContext, when } from './ui';

export type { ViewContext } from './ui';

const STATUSES = ['pending_verification', 'verified', 'provisioning', 'ready', 'failed', 'expired'] as const;
const TONES: Record<(typeof STATUSES)[number], string> = {
  pending_verification: 'bar-pending',
  verified: 'bar-verified',
  provisioning: 'bar-provisioning',
  ready: 'bar-ready',
  failed: 'bar-failed',
  expired: 'bar-expired',
};

// ---- overview ------------------------------------------------------------------------------------------

export async function overview(main: HTMLElement, ctx: ViewContext): Promise<void> {
  const { t } = ctx;
  const stats = await ctx.api.stats();
  const funnel = (title: string, counts: (typeof stats)['last24h']) =>
    h(
      'section',
      { class: 'card' },
      h('h2', {}, title),
      h('p', {}, t('total', { count: counts.total })),
      barChart(
        `${t('funnel')} (${title})`,
        STATUSES.map((s) => ({ label: s, value: counts.byStatus[s] ?? 0, tone: TONES[s] })),
      ),
    );
  const budget = (label: string, used: number, limit: number) =>
    h('li', {}, h('span', {}, `${label}: ${used} / ${limit}`), meter(label, used, limit));
  main.replaceChildren(
    heading(t('overview')),
    h(
      'div',
      { class: 'grid' },
      funnel(t('last24h'), stats.last24h),
      funnel(t('last30d'), stats.last30d),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, t('budgets')),
        h(
          'ul',
          { class: 'budgets' },
          budget(t('emailMinute'), stats.emailBudget.minute.used, stats.emailBudget.minute.limit),
          budget(t('emailHour'), stats.emailBudget.hour.used, stats.emailBudget.hour.limit),
          budget(t('graphSecond'), stats.graphBudget.second.used, stats.graphBudget.second.limit),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, t('bounces')),
        table(
          t('bounces'),
          [t('bounces'), t('count')],
          [
            [t('bouncesHour'), String(stats.emailBounces.lastHour)],
            [t('bouncesDay'), String(stats.emailBounces.last24h)],
            [t('suppressed'), String(stats.emailBounces.suppressed)],
          ],
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, t('queues')),
        table(
          t('queues'),
          [t('queue'), t('messages')],
          Object.entries(stats.queueDepths).map(([queue, depth]) => [
            queue,
            depth === null ? t('unknown') : String(depth),
          ]),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, t('topDomains')),
        stats.topDomains.length
          ? table(
              t('topDomains'),
              [t('domain'), t('count')],
              stats.topDomains.map((d) => [d.domain, String(d.count)]),
            )
          : h('p', {}, t('none')),
      ),
    ),
  );
}

// ---- sign-ups ------------------------------------------------------------------------------------------

export async function signups(main: HTMLElement, ctx: ViewContext, query: URLSearchParams): Promise<void> {
  const { t } = ctx;
  const email = h('input', {
    id: 'q-email',
    name: 'email',
    type: 'email',
    autocomplete: 'off',
    value: query.get('email') ?? '',
  });
  const status = h(
    'select',
    { id: 'q-status', name: 'status' },
    h('option', { value: '' }, t('anyStatus')),
    ...STATUSES.map((s) => h('option', { value: s, selected: query.get('status') === s }, s)),
  );
  const domain = h('input', {
    id: 'q-domain',
    name: 'domain',
    type: 'text',
    autocomplete: 'off',
    value: query.get('domain') ?? '',
  });
  const form = h(
    'form',
    { class: 'search', role: 'search', 'aria-label': t('searchTitle') },
    h('div', { class: 'field' }, h('label', { for: 'q-email' }, t('email')), email),
    h('div', { class: 'field' }, h('label', { for: 'q-status' }, t('status')), status),
    h('div', { class: 'field' }, h('label', { for: 'q-domain' }, t('domain')), domain),
    h('button', { type: 'submit' }, t('search')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, el] of [
      ['email', email],
      ['status', status],
      ['domain', domain],
    ] as const)
      if (el.value.trim()) next.set(key, el.value.trim());
    location.hash = `#signups?${next.toString()}`;
  });
  const filters: Record<string, string> = {};
  for (const key of ['email', 'status', 'domain']) {
    const value = query.get(key);
    if (value) filters[key] = value;
  }
  const page = await ctx.api.list({ ...filters, top: '50' });
  main.replaceChildren(
    heading(t('signups')),
    form,
    h('p', { id: 'result-count' }, t('results', { count: page.items.length })),
    table(
      t('results', { count: page.items.length }),
      [t('address'), t('domain'), t('status'), t('created'), t('details')],
      page.items.map((s) => [
        s.address,
        s.domain,
        s.status,
        when(ctx, s.createdAt),
        h('a', { href: `#signups/${s.signupId}` }, `${t('open')} ${s.signupId.slice(0, 6)}…`),
      ]),
    ),
  );
}

export async function signupDetail(main: HTMLElement, ctx: ViewContext, id: string): Promise<void> {
  const { t } = ctx;
  const { signup, events } = await ctx.api.signup(id);
  const facts: [string, string | undefined][] = [
    [t('address'), signup.address],
    [t('domain'), signup.domain],
    [t('status'), signup.status],
    [t('created'), when(ctx, signup.createdAt)],
    [t('lastError'), signup.lastError],
  ];
  const actions = h('div', { class: 'actions' });
  if (ctx.canWrite) {
    if (signup.status === 'failed') {
      const retry = h('button', { type: 'button' }, t('retry'));
      retry.addEventListener('click', () => {
        ctx.announce('');
        void act(ctx, main, id, () => ctx.api.retry(id), t('retried'));
      });
      actions.append(retry);
    }
    const erase = h('button', { type: 'button', class: 'danger' }, t('erase'));
    erase.addEventListener('click', () => {
      if (!confirm(t('eraseConfirm'))) return;
      ctx.api.erase(id).then(
        () => {
          ctx.announce(t('erased'));
          location.hash = '#signups';
        },
        (error: unknown) => ctx.fail(error),
      );
    });
    actions.append(erase);
  }
  main.replaceChildren(
    heading(t('signupTitle', { id })),
    h('p', {}, h('a', { href: '#signups' }, t('back'))),
    h(
      'dl',
      { class: 'facts' },
      ...facts
        .filter((f): f is [string, string] => !!f[1])
        .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    h(
      'p',
      {},
      t('attempts', {
        codes: signup.attempts.codeRequests,
        failed: signup.attempts.failedSubmissions,
        provision: signup.attempts.provisionAttempts,
      }),
    ),
    actions,
    h('h2', {}, t('audit')),
    table(
      t('audit'),
      [t('event'), t('at'), t('actor')],
      events.map((e) => [e.type, when(ctx, e.at), e.actor ?? '']),
    ),
  );
}

async function act(
  ctx: ViewContext,
  main: HTMLElement,
  id: string,
  action: () => Promise<unknown>,
  done: string,
): Promise<void> {
  try {
    await action();
    await signupDetail(main, ctx, id);
    ctx.announce(done);
  } catch (error) {
    ctx.fail(error);
  }
}

// ---- policy --------------------------------------------------------------------------------------------

const lines = (value: string) =>
  value
    .split(/[\s,]+/)
    .map((d) => d.trim())
    .filter(Boolean);

function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export async function policy(main: HTMLElement, ctx: ViewContext): Promise<void> {
  const { t } = ctx;
  const view: PolicyView = await ctx.api.policy();
  const p = view.policy;
  const field = (id: string, label: string, control: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const paused = h('input', { id: 'p-paused', type: 'checkbox', checked: p.signupsPaused });
  const reason = h('input', { id: 'p-reason', type: 'text', maxlength: 500, value: p.pauseReason ?? '' });
  const until = h('input', { id: 'p-until', type: 'datetime-local', value: toLocalInput(p.pauseUntil) });
  const allowed = h('textarea', { id: 'p-allowed', rows: 3 }, p.allowedDomains.join('\n'));
  const blocked = h('textarea', { id: 'p-blocked', rows: 3 }, p.blockedDomains.join('\n'));
  const cap = h('input', {
    id: 'p-cap',
    type: 'number',
    min: 1,
    inputmode: 'numeric',
    value: p.domainDailyCap ?? '',
  });
  const access = accessFields(view, ctx);
  const note = h('input', { id: 'p-note', type: 'text', maxlength: 500 });
  const conflict = h('div', { id: 'conflict', class: 'alert', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'policy' },
    h(
      'fieldset',
      { disabled: !ctx.canWrite },
      h('legend', {}, t('policyTitle')),
      h('div', { class: 'check' }, paused, h('label', { for: 'p-paused' }, t('paused'))),
      field('p-reason', t('pauseReason'), reason),
      field('p-until', t('pauseUntil'), until),
      field('p-allowed', t('allowed'), allowed),
      field('p-blocked', t('blocked'), blocked),
      field('p-cap', t('dailyCap'), cap),
      access.element,
      field('p-note', t('changeNote'), note),
      h('button', { type: 'submit' }, t('save')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.announce('');
    conflict.hidden = true;
    const body: PolicyInput = {
      signupsPaused: paused.checked,
      allowedDomains: lines(allowed.value),
      blockedDomains: lines(blocked.value),
      // A PUT replaces the whole policy: keep what this form does not edit.
      pausedDomains: p.pausedDomains,
      ...access.read(),
    };
    if (reason.value.trim()) body.pauseReason = reason.value.trim();
    if (until.value) body.pauseUntil = new Date(until.value).toISOString();
    if (cap.value) body.domainDailyCap = Number(cap.value);
    if (note.value.trim()) body.reason = note.value.trim();
    ctx.api.putPolicy(body, view.etag).then(
      async () => {
        await policy(main, ctx);
        ctx.announce(t('saved'));
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 412) {
          const reload = h('button', { type: 'button' }, t('reload'));
          reload.addEventListener('click', () => void policy(main, ctx).catch((e: unknown) => ctx.fail(e)));
          conflict.replaceChildren(h('p', {}, t('conflict')), reload);
          conflict.hidden = false;
          reload.focus();
        } else ctx.fail(error);
      },
    );
  });
  main.replaceChildren(
    heading(t('policy')),
    h(
      'p',
      { class: view.effective.pausedNow ? 'state paused' : 'state open' },
      view.effective.pausedNow ? t('pausedNow') : t('openNow'),
    ),
    p.updatedAt && p.updatedBy
      ? h('p', { class: 'muted' }, t('updatedBy', { at: when(ctx, p.updatedAt), actor: p.updatedBy }))
      : '',
    conflict,
    form,
  );
  // Also after a save or a reload: the old controls are gone, so focus must go somewhere sensible.
  main.querySelector<HTMLElement>('h1')?.focus();
}
