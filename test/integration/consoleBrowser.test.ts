/**
 * The admin console in Chromium against the real local stack (dev Functions host, Azurite, SMTP catcher,
 * Graph emulator with its local identity provider): sign in with auth code + PKCE, pause with a reason
 * and see the landing page refused, resume; find a sign-up by its address; retry a failed one; a reader
 * cannot write; set approval enrolment with an approver and a partner, approve a pending sign-up in the
 * Approvals view; revoke an address and lift it. axe-core on every view, screenshots on a desktop and a 390 px phone, and no request to any
 * origin but the app's and the identity provider's.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { createTableClient } from '../../shared/adapters/storageClients';
import { TableSignupStore } from '../../shared/adapters/tableStores';
import { TABLES } from '../../shared/storageNames';
import { aSignup } from '../support/builders';
import { codeIn, waitFor } from '../support/stack';
import {
  axeViolations,
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

let counter = 0;
const newAddress = (tag: string) => `${tag}.${Date.now().toString(36)}${counter++}@northwind-test.com`;

describeWithChromium(
  'admin console in Chromium against the local stack (issue: admin console)',
  (executablePath) => {
    let stack: LocalStack;
    let browser: Browser;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      browser = await launchChromium(executablePath);
      stack = await startLocalStack({ CHALLENGE_MODE: 'off' }); // starts come from the test, not the page
    }, 60_000);

    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser?.close();
      await stack?.stop();
    }, 30_000);

    /** A page that records every request's origin and every CSP violation or console error. */
    async function open(viewport: {
      width: number;
      height: number;
    }): Promise<{ page: Page; guard: PageGuard; origins: Set<string> }> {
      const context = await browser.newContext({
        viewport,
        locale: 'en-GB',
        isMobile: viewport.width < 600,
        hasTouch: viewport.width < 600,
      });
      contexts.push(context);
      const page = await context.newPage();
      const guard = await guardPage(page);
      const origins = new Set<string>();
      page.on('request', (request) => origins.add(new URL(request.url()).origin));
      return { page, guard, origins };
    }

    async function check(page: Page, name: string): Promise<void> {
      expect(await inlineCodeFindings(page)).toEqual([]);
      await screenshot(page, `console-${name}`);
      expect(describeViolations(await axeViolations(page))).toBe('');
    }

    /** Waits until a view's heading has focus and reads `text`. */
    async function viewShown(page: Page, text: string | RegExp): Promise<void> {
      const [source, flags] = typeof text === 'string' ? [text, ''] : [text.source, text.flags];
      await page.waitForFunction(
        ([s, f]) => {
          const h1 = document.querySelector('main h1');
          return !!h1 && document.activeElement === h1 && new RegExp(s, f).test(h1.textContent ?? '');
        },
        [source, flags] as const,
        { timeout: 15_000 },
      );
    }

    /** Through the local identity provider's consent page, as a person would. */
    async function signIn(page: Page, options: { reader?: boolean; shots?: string } = {}): Promise<void> {
      const response = await page.goto(`${stack.url}/console`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain(
        `connect-src 'self' ${new URL(stack.graph.url).origin}`,
      );
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      if (options.shots) await check(page, `signin-${options.shots}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/oauth2\/v2\.0\/authorize/);
      if (options.reader) {
        await page.getByLabel('Rita Reader (rita.reader@contoso.com)').check();
        await page.getByLabel('RmsSignup.Admin').uncheck();
        await page.getByLabel('RmsSignup.Reader').check();
      }
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${stack.url}/console`);
      await viewShown(page, 'Overview');
      // The code and state never stay in the address bar.
      expect(page.url()).toBe(`${stack.url}/console`);
    }

    const startSignup = (email: string) =>
      fetch(`${stack.url}/api/signups`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });

    test('sign in, pause with a reason (the landing page is refused with it), resume; desktop and phone; 0 axe violations', async () => {
      const { page, guard, origins } = await open(DESKTOP);
      await signIn(page, { shots: 'desktop' });
      expect(await page.textContent('header')).toContain('Signed in as ada.admin@contoso.com');
      await page.waitForSelector('svg.chart');
      await check(page, 'overview-desktop');

      await page.getByRole('link', { name: 'Policy' }).click();
      await viewShown(page, 'Policy');
      expect(await page.textContent('main')).toContain('Sign-ups are open.');
      await check(page, 'policy-desktop');
      await page.getByLabel('Pause all sign-ups').check();
      await page.getByLabel('Message shown while paused').fill('Maintenance until 18:00 UTC.');
      await page.getByLabel('Why you change it (audit only)').fill('browser test');
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Policy saved.');
      expect(await page.textContent('main')).toContain('Sign-ups are paused now.');
      expect(await page.textContent('main')).toMatch(/Last changed .* by ada\.admin@contoso\.com \(/);

      // The landing page, in another tab, is refused with the admin's reason.
      const landing = await page.context().newPage();
      await landing.goto(`${stack.url}/`);
      await landing.fill('#email', newAddress('paused'));
      const [answer] = await Promise.all([
        landing.waitForResponse((r) => r.url().endsWith('/api/signups')),
        landing.click('button[type="submit"]'),
      ]);
      expect(answer.status()).toBe(503);
      await landing.waitForSelector('.alert');
      expect(await landing.textContent('.alert')).toContain('Maintenance until 18:00 UTC.');
      await landing.close();

      await page.getByLabel('Pause all sign-ups').uncheck();
      await page.getByLabel('Message shown while paused').fill('');
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Policy saved.');
      expect(await page.textContent('main')).toContain('Sign-ups are open.');
      expect((await startSignup(newAddress('reopened'))).status).toBe(202);

      // Only this origin and the identity provider's were ever asked for anything.
      expect([...origins].sort()).toEqual(
        [new URL(stack.url).origin, new URL(stack.graph.url).origin].sort(),
      );
      expect(guard.problems([EXPECTED_HTTP_ERROR])).toEqual([]);
    }, 90_000);

    test('a stale policy (someone saved in between) → 412 and a reload prompt', async () => {
      // Another admin (through the API with their own token) has saved a policy, so it has an ETag…
      const other = await stack.graph.idp.mint({
        roles: ['RmsSignup.Admin'],
        aud: 'api://rms-signup-browser-test',
        preferred_username: 'other.admin@contoso.com',
      });
      const first = await fetch(`${stack.url}/api/admin/policy`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' },
        body: JSON.stringify({ signupsPaused: false }),
      });
      expect(first.status).toBe(200);
      const { page, guard } = await open(DESKTOP);
      await signIn(page);
      await page.getByRole('link', { name: 'Policy' }).click();
      await viewShown(page, 'Policy');
      // …and saves again while this admin edits.
      const current = await fetch(`${stack.url}/api/admin/policy`, {
        headers: { authorization: `Bearer ${other}` },
      });
      const saved = await fetch(`${stack.url}/api/admin/policy`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${other}`,
          'content-type': 'application/json',
          ...(current.headers.get('etag') ? { 'if-match': current.headers.get('etag')! } : {}),
        },
        body: JSON.stringify({ signupsPaused: false, blockedDomains: ['blocked-by-other.com'] }),
      });
      expect(saved.status).toBe(200);
      await page.getByLabel('Blocked domains (one per line)').fill('mine.com');
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.getByRole('alert').filter({ hasText: 'Someone else changed the policy' }).waitFor();
      await check(page, 'policy-conflict-desktop');
      await page.getByRole('button', { name: 'Reload the policy' }).click();
      await viewShown(page, 'Policy');
      expect(await page.inputValue('#p-blocked')).toBe('blocked-by-other.com');
      expect(guard.problems([EXPECTED_HTTP_ERROR, /status of 412/])).toEqual([]);
    }, 90_000);

    test('find a sign-up by its exact address, open it; retry a failed one — on a 390 px phone', async () => {
      const email = newAddress('findme');
      expect((await startSignup(email)).status).toBe(202);
      const store = new TableSignupStore(
        createTableClient({ connectionString: stack.azurite.connectionString }, TABLES.signups),
      );
      const failed = aSignup(
        {
          email: newAddress('failed'),
          status: 'failed',
          outcome: undefined,
          verifiedAt: new Date().toISOString(),
          finishedAt: new Date().toISOString(),
          lastError: 'GraphError: Insufficient privileges',
        },
        new Date(),
      );
      await store.create(failed);

      const { page, guard } = await open(MOBILE);
      await signIn(page, { shots: 'mobile' });
      await check(page, 'overview-mobile');
      await page.getByRole('link', { name: 'Sign-ups' }).click();
      await viewShown(page, 'Sign-ups');
      await page.getByLabel('Exact email address').fill(email.toUpperCase());
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForFunction(() => document.getElementById('result-count')?.textContent === '1 sign-ups');
      expect(await page.textContent('main table')).toContain('f•••@northwind-test.com');
      expect(await page.textContent('main')).not.toContain(email);
      await check(page, 'signups-search-mobile');
      await page.getByRole('link', { name: /^Open / }).click();
      await viewShown(page, /^Sign-up /);
      expect(await page.textContent('main')).toContain('started');
      await check(page, 'signup-detail-mobile');

      await page.goto(`${stack.url}/console#signups?status=failed`);
      await viewShown(page, 'Sign-ups');
      await page.locator(`a[href="#signups/${failed.signupId}"]`).click();
      await viewShown(page, `Sign-up ${failed.signupId}`);
      expect(await page.textContent('main')).toContain('Insufficient privileges');
      await page.getByRole('button', { name: 'Retry provisioning' }).click();
      await page.waitForFunction(
        () => document.getElementById('status')?.textContent === 'Provisioning queued again.',
      );
      expect(await page.textContent('main table')).toContain('admin_retry');
      expect(await page.textContent('main table')).toContain('ada.admin@contoso.com');
      await check(page, 'signup-retried-mobile');
      expect(guard.problems([EXPECTED_HTTP_ERROR])).toEqual([]);
    }, 90_000);

    test('approval enrolment set in the policy editor; a pending sign-up approved in the Approvals view leaves pending_approval; revoke and lift an address; 0 axe violations', async () => {
      const approver = 'approver@contoso.com';
      const { page, guard } = await open(DESKTOP);
      await signIn(page);
      await page.getByRole('link', { name: 'Policy' }).click();
      await viewShown(page, 'Policy');
      await page.getByLabel('Enrolment mode').selectOption('approval');
      await page.getByLabel('Approvers (one email address per line)').fill(approver);
      await page.getByRole('button', { name: 'Add a partner' }).click();
      // Keyboard: the new partner's first field has focus.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('pp-0-domain');
      await page.keyboard.type('partner-test.com');
      await page.getByLabel('Sponsors (one email address per line)').fill('sponsor@contoso.com');
      await page.getByLabel('Why you change it (audit only)').fill('sponsors decide');
      await check(page, 'policy-access-desktop');
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Policy saved.');
      expect(await page.inputValue('#p-enrolment')).toBe('approval');
      expect(await page.inputValue('#p-approvers')).toBe(approver);
      expect(await page.inputValue('#pp-0-domain')).toBe('partner-test.com');

      // A sign-up through the host: start, the emailed code, verify; the provisioner leaves it waiting.
      const email = newAddress('approve');
      const started = await startSignup(email);
      expect(started.status).toBe(202);
      const { signupId } = (await started.json()) as { signupId: string };
      const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && /code/i.test(m.subject), 15_000);
      const verified = await fetch(`${stack.url}/api/signups/${signupId}/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: codeIn(mail.text) }),
      });
      expect(verified.status).toBe(200);
      const statusOf = async () => {
        const res = await fetch(`${stack.url}/api/signups/${signupId}`);
        return ((await res.json()) as { status: string }).status;
      };
      await waitFor(
        async () => ((await statusOf()) === 'pending_approval' ? true : undefined),
        30_000,
        'the sign-up to wait for approval',
      );

      await page.getByRole('link', { name: 'Approvals' }).click();
      await viewShown(page, 'Approvals');
      const row = page.locator('tr', { has: page.locator(`a[href="#signups/${signupId}"]`) });
      expect(await row.textContent()).toContain('a•••@northwind-test.com');
      await check(page, 'approvals-desktop');
      await row.getByRole('button', { name: /^Approve / }).click();
      await page.waitForFunction(
        () =>
          document.getElementById('status')?.textContent === 'Approved: the guest account is being created.',
      );
      expect(await page.locator(`a[href="#signups/${signupId}"]`).count()).toBe(0);
      const settled = await waitFor(
        async () => {
          const status = await statusOf();
          return ['pending_approval', 'verified', 'provisioning'].includes(status) ? undefined : status;
        },
        30_000,
        'the approved sign-up to be provisioned',
      );
      expect(settled).toBe('ready');
      await page.goto(`${stack.url}/console#signups/${signupId}`);
      await viewShown(page, `Sign-up ${signupId}`);
      expect(await page.textContent('main table')).toContain('approval_decided');
      expect(await page.textContent('main table')).toContain('ada.admin@contoso.com');

      await page.getByRole('link', { name: 'Revocations' }).click();
      await viewShown(page, 'Revocations');
      await check(page, 'revocations-desktop');
      await page.getByLabel('Email address to revoke').fill(newAddress('revoked'));
      await page.getByLabel('Reason (audit only)').fill('left the project');
      await page.getByRole('button', { name: 'Revoke', exact: true }).click();
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Revoked.');
      const revoked = page.locator('tr', { hasText: 'left the project' });
      expect(await revoked.textContent()).toContain('ada.admin@contoso.com');
      await check(page, 'revocations-one-desktop');
      await revoked.getByRole('button', { name: /^Lift / }).click();
      await page.waitForFunction(
        () => document.getElementById('status')?.textContent === 'Revocation lifted.',
      );
      expect(await page.locator('tr', { hasText: 'left the project' }).count()).toBe(0);
      expect(guard.problems([EXPECTED_HTTP_ERROR])).toEqual([]);
    }, 120_000);

    test('a reader sees everything read only: the policy form is disabled and the API refuses a write with 403', async () => {
      const { page, guard } = await open(DESKTOP);
      await signIn(page, { reader: true });
      expect(await page.textContent('header')).toContain('(read only)');
      await page.getByRole('link', { name: 'Policy' }).click();
      await viewShown(page, 'Policy');
      expect(await page.isDisabled('#p-paused')).toBe(true);
      await check(page, 'policy-reader-desktop');
      const status = await page.evaluate(async () => {
        const session = JSON.parse(sessionStorage.getItem('rms-signup.console.session') ?? '{}') as {
          accessToken?: string;
        };
        const res = await fetch('/api/admin/policy', {
          method: 'PUT',
          headers: { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ signupsPaused: true }),
        });
        return res.status;
      });
      expect(status).toBe(403);
      expect(guard.problems([EXPECTED_HTTP_ERROR, /status of 403/])).toEqual([]);
    }, 90_000);
  },
);
