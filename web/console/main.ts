/**
 * The admin console at /console: sign in (auth code + PKCE), then overview, sign-ups, approvals, policy
 * and revocation views over the admin API. Hash routes (`#overview`, `#signups?…`, `#signups/<id>`,
 * `#approvals`, `#policy`, `#revocations`) keep the page one document, so the strict CSP and the single
 * script cover everything.
 */
import { h } from '../dom';
import { adminApi, ApiError } from './api';
import { type AuthConfig, completeSignIn, currentSession, type Session, signIn, signOut } from './auth';
import { pickLocale, translator } from './strings';
import { approvals, revocations } from './access';
import { overview, policy, signupDetail, signups, type ViewContext } from './views';

const ADMIN_ROLE = 'RmsSignup.Admin';
const SECTIONS = ['overview', 'signups', 'approvals', 'policy', 'revocations'] as const;

function start(): void {
  const root = document.getElementById('console');
  if (!root) return;
  const data = document.body.dataset;
  const config: AuthConfig = {
    authority: data.authority ?? '',
    clientId: data.clientId ?? '',
    scope: data.scope ?? '',
    redirectUri: `${location.origin}/console`,
  };
  const locale = pickLocale(new URL(location.href).searchParams.get('lang'), navigator.languages);
  const t = translator(locale);
  document.documentElement.lang = locale;
  document.title = t('title');

  const status = h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });
  const main = h('main', { id: 'main', tabindex: -1 });

  const signedOut = (message?: string) => {
    const button = h('button', { type: 'button' }, t('signIn'));
    button.addEventListener('click', () => {
      button.disabled = true;
      signIn(config).catch((error: unknown) => {
        button.disabled = false;
        status.textContent = t('signInFailed', { message: messageOf(error) });
      });
    });
    main.replaceChildren(
      h('h1', { tabindex: -1 }, t('title')),
      message ? h('p', { class: 'alert', role: 'alert' }, message) : '',
      h('p', {}, t('signInIntro')),
      button,
    );
    root.replaceChildren(main, status);
  };

  const signedIn = (session: Session) => {
    const canWrite = session.roles.includes(ADMIN_ROLE);
    const out = h('button', { type: 'button', class: 'link' }, t('signOut'));
    out.addEventListener('click', () => {
      signOut();
      signedOut();
    });
    const links = SECTIONS.map((s) => h('a', { href: `#${s}`, 'data-section': s }, t(s)));
    const header = h(
      'header',
      { class: 'top' },
      h('p', { class: 'brand' }, t('title')),
      h(
        'p',
        { class: 'who' },
        t('signedInAs', { name: session.name || '—' }),
        canWrite ? '' : ` (${t('readOnly')})`,
        ' ',
        out,
      ),
      h('nav', { 'aria-label': t('nav') }, h('ul', {}, ...links.map((a) => h('li', {}, a)))),
    );
    root.replaceChildren(header, main, status);

    const ctx: ViewContext = {
      api: adminApi(() => session.accessToken),
      t,
      locale,
      canWrite,
      announce: (message) => {
        status.textContent = message;
      },
      fail: (error) => {
        if (error instanceof ApiError && error.status === 401) {
          signOut();
          signedOut(t('expired'));
          return;
        }
        const message = error instanceof ApiError && error.status === 403 ? t('forbidden') : messageOf(error);
        status.textContent = t('error', { message });
      },
    };

    const render = async () => {
      const [path = '', search = ''] = location.hash.replace(/^#/, '').split('?');
      const [section = 'overview', id] = path.split('/');
      const current = (SECTIONS as readonly string[]).includes(section) ? section : 'overview';
      for (const a of links) {
        if (a.dataset.section === current) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
      main.replaceChildren(h('p', {}, t('loading')));
      try {
        if (current === 'signups' && id) await signupDetail(main, ctx, decodeURIComponent(id));
        else if (current === 'signups') await signups(main, ctx, new URLSearchParams(search));
        else if (current === 'approvals') await approvals(main, ctx);
        else if (current === 'policy') await policy(main, ctx);
        else if (current === 'revocations') await revocations(main, ctx);
        else await overview(main, ctx);
        main.querySelector<HTMLElement>('h1')?.focus();
      } catch (error) {
        ctx.fail(error);
      }
    };
    window.addEventListener('hashchange', () => void render());
    void render();
  };

  main.replaceChildren(h('p', {}, t('signingIn')));
  root.replaceChildren(main, status);
  completeSignIn(config)
    .then((fresh) => {
      const session = fresh ?? currentSession();
      if (session) signedIn(session);
      else signedOut();
    })
    .catch((error: unknown) => signedOut(t('signInFailed', { message: messageOf(error) })));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
