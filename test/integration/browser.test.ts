/**
 * The landing page in a real browser against the real local stack (dev Functions host, Azurite, SMTP
 * catcher, Graph emulator): the whole journey with the code read from the email, keyboard only, on a
 * phone and a desktop, in Arabic (RTL), with axe-core on every step, the resend countdown, reload-resume,
 * the back button, and no console errors, CSP violations or inline script. Screenshots of every step go
 * to test-results/screenshots/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { t } from '../../shared/i18n';
import {
  axeViolations,
  codeEmail,
  describeViolations,
  describeWithChromium,
  EXPECTED_HTTP_ERROR,
  guardPage,
  inlineCodeFindings,
  launchChromium,
  type LocalStack,
  type PageGuard,
  screenshot,
  startLocalStack,
} from '../support/browser';

const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };
const SIGNUP_ID = 'BrowserTestSignup0000000';
const STORAGE_KEY = 'rms-signup.signup.v1';

let counter = 0;
const newAddress = (tag: string) => `${tag}.${Date.now().toString(36)}${counter++}@northwind-test.com`;

describeWithChromium(
  'landing page in Chromium against the local stack: every journey with no CSP violation (req 36)',
  (executablePath) => {
    let stack: LocalStack;
    let browser: Browser;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      browser = await launchChromium(executablePath);
      stack = await startLocalStack({ RESEND_COOLDOWN_SECONDS: '4' });
    }, 60_000);

    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser?.close();
      await stack?.stop();
    }, 30_000);

    async function open(
      viewport: { width: number; height: number },
      options: { locale?: string; reducedMotion?: 'reduce' | 'no-preference'; mobile?: boolean } = {},
    ): Promise<{ page: Page; guard: PageGuard; context: BrowserContext }> {
      const context = await browser.newContext({
        viewport,
        locale: options.locale ?? 'en-GB',
        reducedMotion: options.reducedMotion ?? 'no-preference',
        isMobile: options.mobile ?? viewport.width < 600,
        hasTouch: options.mobile ?? viewport.width < 600,
      });
      contexts.push(context);
      const page = await context.newPage();
      const guard = await guardPage(page);
      return { page, guard, context };
    }

    /** The Graph emulator answers the next invitation late, so the waiting step stays long enough to check. */
    async function slowDownNextInvitation(): Promise<void> {
      const res = await fetch(`${stack.graph.url}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'POST', path: '/v1.0/invitations', delayMs: 3500, times: 1 }),
      });
      expect(res.status).toBe(201);
    }

    /** Waits until a step is shown: its heading has focus and reads `heading`. */
    async function stepShown(page: Page, heading: string | RegExp, timeout = 10_000): Promise<void> {
      const pattern: [string, string] =
        typeof heading === 'string' ? [escapeRegExp(heading), ''] : [heading.source, heading.flags];
      await page.waitForFunction(
        ([source, flags]) => {
          const el = document.getElementById('step-heading');
          return (
            !!el && document.activeElement === el && new RegExp(source, flags).test(el.textContent ?? '')
          );
        },
        pattern,
        { timeout },
      );
    }

    /** axe, no inline code, a screenshot: what every step must pass. */
    async function checkStep(page: Page, name: string): Promise<void> {
      // Before axe: axe itself leaves empty style="" attributes behind on elements it measures.
      expect(await inlineCodeFindings(page)).toEqual([]);
      await screenshot(page, name);
      const violations = await axeViolations(page);
      expect(describeViolations(violations)).toBe('');
    }

    test('the whole journey with a mouse on a desktop: email → code from the email → waiting → Sign in', async () => {
      const { page, guard } = await open(DESKTOP);
      const email = newAddress('desktop');
      await slowDownNextInvitation();
      // Req 20: the proof of work is solved in a worker from our own hashed file and sent with the start.
      const workers: string[] = [];
      page.on('worker', (worker) => workers.push(worker.url()));
      const startBodies: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/signups')
          startBodies.push(request.postData() ?? '');
      });

      const response = await page.goto(`${stack.url}/`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      expect(response?.headers()['content-security-policy']).toContain("worker-src 'self'");
      await page.waitForSelector('#email');
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.title()).toBe('Enter your work email address – Fabrikam');
      await checkStep(page, '01-email-desktop');

      await page.fill('#email', email);
      await page.click('button[type="submit"]');
      await stepShown(page, 'Check your email');
      expect(await page.textContent('main')).toContain(`We sent a 6-digit code to ${email}.`);
      const codeInput = page.locator('#code');
      expect(await codeInput.getAttribute('inputmode')).toBe('numeric');
      expect(await codeInput.getAttribute('autocomplete')).toBe('one-time-code');
      await checkStep(page, '02-code-desktop');

      const { code } = await codeEmail(stack.smtp, email);
      await codeInput.fill(`${code.slice(0, 3)} ${code.slice(3)}`); // spaces are fine
      await page.click('button[type="submit"]');
      await stepShown(page, 'Setting up your access');
      await checkStep(page, '03-waiting-desktop');

      await stepShown(page, 'Your guest account is ready', 30_000);
      const signIn = page.locator('#sign-in');
      const href = (await signIn.getAttribute('href')) ?? '';
      expect(href.startsWith(`${stack.graph.url}/redeem?`)).toBe(true);
      expect(await page.textContent('main')).toContain('Microsoft may email you a one-time passcode');
      await checkStep(page, '04-done-desktop');
      expect((await fetch(href)).status).toBe(200);
      expect(workers.some((url) => /\/assets\/challenge-worker-[A-Z0-9]+\.js$/.test(url))).toBe(true);
      expect(startBodies).toHaveLength(1);
      expect((JSON.parse(startBodies[0] ?? '{}') as { altcha?: string }).altcha).toMatch(
        /^[A-Za-z0-9+/]+=*$/,
      );

      expect(guard.problems()).toEqual([]);
    }, 60_000);

    test('keyboard only on a phone, the email link pre-fills the code without using it, and a reload resumes', async () => {
      const { page, guard, context } = await open(MOBILE);
      const email = newAddress('mobile');
      await page.goto(`${stack.url}/`);
      await page.waitForSelector('#email');
      await checkStep(page, '01-email-mobile');

      // Tab from the top of the page to the email field: the language switcher comes first.
      await tabUntil(page, 'email');
      await page.keyboard.type(email);
      await page.keyboard.press('Enter');
      await stepShown(page, 'Check your email');

      // Reload: the step is resumed from sessionStorage and the API, with the address still shown.
      await page.reload();
      await page.waitForSelector('#code');
      expect(await page.textContent('main')).toContain(email);

      // The email link, opened in a new tab like a mail app does: code filled in, nothing submitted.
      const { code, link } = await codeEmail(stack.smtp, email);
      const signupId = new URLSearchParams(link.split('#')[1]).get('signup') ?? '';
      const linkTab = await context.newPage();
      const linkGuard = await guardPage(linkTab);
      await linkTab.goto(link);
      await linkTab.waitForSelector('#code');
      await linkTab.waitForFunction(() => document.activeElement?.id === 'code');
      expect(await linkTab.inputValue('#code')).toBe(code);
      expect(linkTab.url()).toBe(`${stack.url}/`); // the code left the address bar
      expect(await linkTab.textContent('main')).toContain(
        'The code from your email is filled in. Select Confirm to continue.',
      );
      const status = (await (await fetch(`${stack.url}/api/signups/${signupId}`)).json()) as {
        status: string;
      };
      expect(status.status).toBe('pending_verification');
      await checkStep(linkTab, '02-code-prefilled-mobile');

      // Keyboard: Tab from the code field to Confirm and press Enter.
      await slowDownNextInvitation();
      await linkTab.keyboard.press('Tab');
      expect(await linkTab.evaluate(() => document.activeElement?.textContent)).toBe('Confirm');
      await linkTab.keyboard.press('Enter');
      await stepShown(linkTab, 'Setting up your access');
      await checkStep(linkTab, '03-waiting-mobile');
      await stepShown(linkTab, /Your guest account is ready|You already have a guest account/, 30_000);
      await checkStep(linkTab, '04-done-mobile');
      await tabUntil(linkTab, 'sign-in');

      // The first tab, reloaded, resumes at the end too.
      await page.reload();
      await stepShown(page, /Your guest account is ready|You already have a guest account/, 15_000);
      expect(guard.problems()).toEqual([]);
      expect(linkGuard.problems()).toEqual([]);
    }, 60_000);

    test('the resend countdown ticks, a new code replaces the old one, and Back returns to the email step', async () => {
      const { page, guard } = await open(DESKTOP);
      const email = newAddress('resend');
      await page.goto(`${stack.url}/`);
      await page.fill('#email', email);
      await page.click('button[type="submit"]');
      await stepShown(page, 'Check your email');

      const resend = page.locator('#resend');
      const countdown = page.locator('#resend-status');
      expect(await resend.isDisabled()).toBe(true);
      const first = await countdown.textContent();
      expect(first).toMatch(/^You can ask for a new code in [1-4] seconds?\.$/);
      await page.waitForFunction(
        (before) => document.getElementById('resend-status')?.textContent !== before,
        first,
        { timeout: 2500 },
      );
      expect(await countdown.textContent()).toMatch(/^You can ask for a new code in [1-3] seconds?\.$/);
      await screenshot(page, '05-code-countdown-desktop');
      await page.waitForFunction(
        () => !(document.getElementById('resend') as HTMLButtonElement).disabled,
        undefined,
        { timeout: 6000 },
      );
      expect(await countdown.isHidden()).toBe(true);

      const { code: oldCode } = await codeEmail(stack.smtp, email, 0);
      await resend.click();
      await page.waitForSelector('.notice');
      expect(await page.textContent('.notice')).toContain('We sent you a new code');
      expect(await resend.isDisabled()).toBe(true); // the cooldown starts again
      const { code: newCode } = await codeEmail(stack.smtp, email, 1);

      if (oldCode !== newCode) {
        await page.fill('#code', oldCode);
        await page.click('button[type="submit"]');
        await page.waitForSelector('#code-error');
        expect(await page.getAttribute('#code', 'aria-invalid')).toBe('true');
        expect(await page.getAttribute('#code', 'aria-describedby')).toBe('code-hint code-error');
        expect(await page.textContent('#code-error')).toBe(
          'That code is wrong or has expired. Check the latest email, or ask for a new code.',
        );
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('code');
        await checkStep(page, '06-code-wrong-desktop');
      }

      // Back: the email step, with the address kept; Forward: the code step again.
      await page.goBack();
      await stepShown(page, 'Enter your work email address');
      expect(await page.inputValue('#email')).toBe(email);
      await page.goForward();
      await stepShown(page, 'Check your email');

      await page.fill('#code', newCode);
      await page.click('button[type="submit"]');
      await stepShown(page, 'Setting up your access');
      expect(guard.problems([EXPECTED_HTTP_ERROR])).toEqual([]);
    }, 60_000);

    test('Arabic is laid out right to left; the switcher changes language in place', async () => {
      for (const [viewport, name] of [
        [MOBILE, 'mobile'],
        [DESKTOP, 'desktop'],
      ] as const) {
        const { page, guard } = await open(viewport, { locale: 'ar' });
        await page.goto(`${stack.url}/`);
        await page.waitForSelector('#email');
        expect(await page.getAttribute('html', 'dir')).toBe('rtl');
        expect(await page.getAttribute('html', 'lang')).toBe('ar');
        expect(await page.textContent('#step-heading')).toBe(t('ar', 'page.email.heading'));
        // The heading starts at the right edge in RTL.
        const box = await page.locator('#step-heading').boundingBox();
        const card = await page.locator('.card').boundingBox();
        expect(box && card && card.x + card.width - (box.x + box.width)).toBeLessThan(40);
        await checkStep(page, `07-email-ar-${name}`);

        await page.focus('#language');
        await page.selectOption('#language', 'ja');
        await page.waitForFunction(() => document.documentElement.lang === 'ja');
        expect(await page.getAttribute('html', 'dir')).toBe('ltr');
        expect(new URL(page.url()).searchParams.get('lang')).toBe('ja');
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('language');
        await checkStep(page, `08-email-ja-${name}`);
        expect(guard.problems()).toEqual([]);
      }
    }, 60_000);

    test('error states say what happened and how to go on', async () => {
      const { page, guard } = await open(MOBILE, { reducedMotion: 'reduce' });
      await page.goto(`${stack.url}/`);
      await page.waitForSelector('#email');

      // Empty and personal addresses (the second from the real API's domain policy).
      await page.click('button[type="submit"]');
      expect(await page.textContent('#email-error')).toBe('Enter your email address.');
      await page.fill('#email', `someone.${Date.now()}@gmail.com`);
      await page.click('button[type="submit"]');
      await page.waitForFunction(() =>
        document.getElementById('email-error')?.textContent?.includes('Personal email addresses'),
      );
      expect(await page.getAttribute('#email', 'aria-describedby')).toBe('email-hint email-error');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('email');
      await checkStep(page, '09-email-personal-address-mobile');

      // Paused by the admin, with their reason; then rate limited.
      await page.route('**/api/signups', (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({
            error: {
              code: 'signups_paused',
              message: 'Maintenance until 18:00 UTC.',
              detail: 'Maintenance until 18:00 UTC.',
            },
          }),
        }),
      );
      await page.fill('#email', newAddress('paused'));
      await page.click('button[type="submit"]');
      await page.waitForSelector('.alert');
      expect(await page.textContent('.alert')).toContain('Sign-ups are paused at the moment');
      expect(await page.textContent('.alert')).toContain('Maintenance until 18:00 UTC.');
      // The page was re-rendered, but keyboard focus is back on the button that was pressed.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('email-submit');
      await page.waitForFunction(() =>
        (document.querySelector('[role="alert"]')?.textContent ?? '').includes('paused'),
      );
      await checkStep(page, '10-email-paused-mobile');
      await page.unroute('**/api/signups');
      await page.route('**/api/signups', (route) =>
        route.fulfill({
          status: 429,
          headers: { 'retry-after': '42' },
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests.' } }),
        }),
      );
      await page.click('button[type="submit"]');
      await page.waitForFunction(() => document.querySelector('.alert')?.textContent?.includes('42 seconds'));
      await page.unroute('**/api/signups');

      // A remembered sign-up that failed, then one that is gone, then an organisation member.
      const remember = (verified: boolean) =>
        page.evaluate(
          ([key, id, v]) =>
            sessionStorage.setItem(key as string, JSON.stringify({ signupId: id, verified: v })),
          [STORAGE_KEY, SIGNUP_ID, verified] as const,
        );
      const answerStatus = async (status: number, body: unknown) => {
        await page.unroute(`**/api/signups/${SIGNUP_ID}`);
        await page.route(`**/api/signups/${SIGNUP_ID}`, (route) =>
          route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) }),
        );
      };

      await answerStatus(200, { signupId: SIGNUP_ID, status: 'provisioning' });
      await remember(true);
      await page.reload();
      await stepShown(page, 'Setting up your access');
      const animation = await page.evaluate(
        () => getComputedStyle(document.querySelector('.spinner') as Element).animationIterationCount,
      );
      expect(animation).toBe('1'); // prefers-reduced-motion: the spinner does not spin

      await answerStatus(200, {
        signupId: SIGNUP_ID,
        status: 'failed',
        supportContact: 'it-help@fabrikam.com',
      });
      await page.reload();
      await stepShown(page, 'We could not create your account');
      expect(await page.textContent('main')).toContain('Sorry, something went wrong on our side');
      expect(await page.getAttribute('main a[href^="mailto:"]', 'href')).toBe('mailto:it-help@fabrikam.com');
      await checkStep(page, '11-failed-mobile');

      await answerStatus(404, { error: { code: 'signup_not_found', message: 'gone' } });
      await page.reload();
      await stepShown(page, 'Enter your work email address');
      expect(await page.textContent('.alert')).toContain('This sign-up has expired. Please start again.');
      await checkStep(page, '12-email-expired-mobile');

      await answerStatus(200, {
        signupId: SIGNUP_ID,
        status: 'ready',
        outcome: 'existing_member',
        signInUrl: 'https://myapplications.microsoft.com/',
      });
      await remember(true);
      await page.reload();
      await stepShown(page, 'Use your organisation account');
      expect(await page.getAttribute('#sign-in', 'href')).toBe('https://myapplications.microsoft.com/');
      await checkStep(page, '13-done-member-mobile');

      expect(guard.problems([EXPECTED_HTTP_ERROR])).toEqual([]);
    }, 60_000);

    test('the axe harness reports real violations, so "zero violations" above means something', async () => {
      const { page } = await open(DESKTOP);
      await page.setContent(
        '<!doctype html><html lang="en"><title>x</title><body><main><img src="data:,"><input></main></body></html>',
      );
      const found = (await axeViolations(page)).map((v) => v.id);
      expect(found).toEqual(expect.arrayContaining(['image-alt', 'label']));
    });

    test('works at 320 px width (200 % zoom of a 640 px window) without sideways scrolling', async () => {
      const { page, guard } = await open({ width: 320, height: 640 });
      await page.goto(`${stack.url}/?lang=de`);
      await page.waitForSelector('#email');
      await page.fill(
        '#email',
        'a.very.long.address.that.keeps.going@northwind-traders-international-test.com',
      );
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      await checkStep(page, '14-email-de-320px');
      expect(guard.problems()).toEqual([]);
    }, 30_000);
  },
);

async function tabUntil(page: Page, id: string, maxPresses = 15): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
  }
  throw new Error(`#${id} was not reached with ${maxPresses} Tab presses`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
