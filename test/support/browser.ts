/**
 * Real-browser testing of the landing page: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), the whole local stack (dev Functions host + Azurite + SMTP catcher + Graph
 * emulator), axe-core, screenshots, and a guard that fails a test on console errors or CSP violations.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AxeResults, Result } from 'axe-core';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

import { type GraphEmulator } from '../../dev/graph-emulator';
import { consoleLogSink, type LocalHost } from '../../dev/functions-host/host';
import { createStack } from '../../dev/stack/launcher';
import { freePort, type AzuriteInstance } from '../../dev/stack/processes';
import { buildWeb } from '../../build/web';
import { SmtpCatcher } from './smtpCatcher';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** CHROMIUM_PATH, else Debian's chromium; undefined when none is installed. */
export function chromiumPath(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : CHROMIUM_CANDIDATES;
  return candidates.find((p) => fs.existsSync(p));
}

export const INSTALL_HINT =
  'Chromium is not installed, so the browser tests were skipped. Install it with `sudo apt-get install -y chromium` ' +
  "(or set CHROMIUM_PATH). Never `npx playwright install`: the tests use Debian's browser.";

/**
 * `describe` when Chromium exists. Without it: under CI=true one failing test (a missing browser must not
 * pass silently in CI); locally a skipped suite and the install hint on stderr.
 */
export function describeWithChromium(name: string, body: (executablePath: string) => void): void {
  const executablePath = chromiumPath();
  if (executablePath) {
    describe(name, () => body(executablePath));
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('Chromium is installed (required under CI=true)', () => {
        throw new Error(INSTALL_HINT.replace('were skipped', 'cannot run'));
      });
    });
    return;
  }
  process.stderr.write(`\n${INSTALL_HINT}\n\n`);
  describe.skip(name, () => body(''));
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

// ---- the local stack -----------------------------------------------------------------------------------

export const CONSOLE_AUDIENCE = 'api://rms-signup-browser-test';
export const CONSOLE_CLIENT_ID = 'rms-signup-browser-console';

export interface LocalStack {
  url: string;
  host: LocalHost;
  smtp: SmtpCatcher;
  graph: GraphEmulator;
  azurite: AzuriteInstance;
  stop(): Promise<void>;
}

/**
 * Bundles the app (every function, the landing page included) and the page into a temporary app root, so
 * the test does not depend on a prior `npm run build` and sees the sources as they are now.
 */
export async function buildAppInto(appRoot: string): Promise<void> {
  fs.mkdirSync(appRoot, { recursive: true });
  await build({
    absWorkingDir: ROOT,
    stdin: {
      // landingPage is imported explicitly until functions/index.ts imports it; importing twice is harmless.
      contents: "import './functions/index';\nimport './functions/landingPage';\n",
      resolveDir: ROOT,
      sourcefile: 'test-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(appRoot, 'index.js'),
    external: ['@azure/functions-core'],
    define: { 'import.meta.url': '__import_meta_url' },
    banner: { js: "const __import_meta_url = require('url').pathToFileURL(__filename).href;" },
    logLevel: 'silent',
  });
  fs.copyFileSync(path.join(ROOT, 'host.json'), path.join(appRoot, 'host.json'));
  fs.writeFileSync(
    path.join(appRoot, 'package.json'),
    JSON.stringify({ name: 'rms-signup-browser-test', main: 'index.js' }),
  );
  await buildWeb({ rootDir: ROOT, outDir: path.join(appRoot, 'web') });
}

/**
 * The whole product on loopback ports. It gets its own Azurite rather than the jest-global one: the queue
 * names are fixed, and another dev host on the same storage would take this host's messages.
 */
export async function startLocalStack(settings: Record<string, string> = {}): Promise<LocalStack> {
  const appRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'rms-browser-app-'));
  const stack = createStack({ mail: { kind: 'catcher', start: () => SmtpCatcher.start() } });
  const stopAll = async () => {
    await stack.stop();
    fs.rmSync(appRoot, { recursive: true, force: true });
  };
  try {
    await buildAppInto(appRoot);
    await stack.start();
    const { smtp, graph, azurite } = stack;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const host = await stack.startHost({
      appRoot,
      port,
      // BROWSER_TEST_HOST_LOG=1 shows the host's and the functions' logs when a test needs debugging.
      log: process.env.BROWSER_TEST_HOST_LOG === '1' ? consoleLogSink : () => undefined,
      shutdownTimeoutMs: 2000,
      queueMessageLeaseSeconds: 30,
      env: {
        CODE_HMAC_SECRET: 'browser-test-secret-browser-test-secret-0123',
        GRAPH_BASE_URL: graph.url,
        GRAPH_STATIC_TOKEN: 'dev-token',
        EMAIL_TRANSPORT: 'smtp',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        PUBLIC_BASE_URL: url,
        TRUSTED_PROXY_HOPS: '0',
        IP_STARTS_PER_MINUTE: '1000',
        IP_STARTS_PER_HOUR: '10000',
        IP_VERIFIES_PER_MINUTE: '1000',
        RECIPIENT_EMAILS_PER_MINUTE: '20',
        RECIPIENT_EMAILS_PER_HOUR: '100',
        RECIPIENT_EMAILS_PER_DAY: '100',
        EMAIL_BUDGET_PER_MINUTE: '1000',
        EMAIL_BUDGET_PER_HOUR: '10000',
        // The page solves a real proof-of-work challenge in its worker (req 20).
        CHALLENGE_MODE: 'altcha',
        START_BUDGET_PER_MINUTE: '1000',
        START_BUDGET_PER_HOUR: '10000',
        BRAND_ORGANIZATION_NAME: 'Fabrikam',
        SUPPORT_CONTACT: 'it-help@fabrikam.com',
        PRIVACY_URL: 'https://fabrikam.com/privacy',
        ORGANIZATION_DOMAINS: 'fabrikam.com',
        // The console signs in at the Graph emulator's local identity provider, as it would at Entra.
        ADMIN_AUTH: 'entra',
        ADMIN_AUTHORITY: graph.idp.authority(),
        ADMIN_AUDIENCE: CONSOLE_AUDIENCE,
        ADMIN_CLIENT_ID: CONSOLE_CLIENT_ID,
        ...settings,
      },
    });
    return { url, host, smtp, graph, azurite, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The six-digit code and the page link from the newest code email to `address`. */
export async function codeEmail(
  smtp: SmtpCatcher,
  address: string,
  after = 0,
  timeoutMs = 15_000,
): Promise<{ code: string; link: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = smtp.messages.filter((m) =>
      m.envelopeTo.some((to) => to.toLowerCase() === address.toLowerCase()),
    );
    const mail = mails[after];
    if (mail) {
      const code = /\b(\d{6})\b/.exec(mail.subject)?.[1] ?? /\b(\d{6})\b/.exec(mail.text)?.[1];
      const link = /(https?:\/\/\S+#code=\d{6}&signup=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
      if (!code || !link) throw new Error(`The email to ${address} has no code or link:\n${mail.text}`);
      return { code, link };
    }
    if (Date.now() > deadline)
      throw new Error(`No code email #${after + 1} to ${address} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- page checks ---------------------------------------------------------------------------------------

export interface PageGuard {
  /** Console errors, uncaught exceptions and CSP violations seen so far, minus the allowed ones. */
  problems(allowed?: RegExp[]): string[];
}

/**
 * Records what must never happen on the page. Chromium logs every 4xx answer as a console error
 * ("Failed to load resource"), so tests that provoke one on purpose pass it in `allowed`.
 */
export async function guardPage(page: Page): Promise<PageGuard> {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') seen.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => seen.push(`pageerror: ${error.message}`));
  await page.exposeFunction('__reportCspViolation', (text: string) => seen.push(`csp: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCspViolation?: (t: string) => void })
        .__reportCspViolation;
      report?.(`${event.effectiveDirective} blocked ${event.blockedURI}`);
    });
  });
  return {
    problems: (allowed = []) => seen.filter((line) => !allowed.some((re) => re.test(line))),
  };
}

/** Chromium's console line for an HTTP error answer to fetch(), which the page handles itself. */
export const EXPECTED_HTTP_ERROR =
  /Failed to load resource: the server responded with a status of (400|404|409|429|503)/;

let axeSource: string | undefined;

/** axe-core with the WCAG 2.0–2.2 A/AA rules and best practices; returns the violations. */
export async function axeViolations(page: Page): Promise<Result[]> {
  // Loaded with evaluate (DevTools protocol), not a <script> tag: the page's CSP rightly forbids inline script.
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axeSource);
  const results = await page.evaluate<AxeResults>(`window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  })`);
  return results.violations;
}

export function describeViolations(violations: Result[]): string {
  return violations
    .map(
      (v) =>
        `${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join('\n')}`,
    )
    .join('\n');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Facts about the DOM that must hold on every step. */
export async function inlineCodeFindings(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const findings: string[] = [];
    document.querySelectorAll('script').forEach((s) => {
      if (!s.src) findings.push('inline <script>');
    });
    if (document.querySelector('style')) findings.push('<style> element');
    document.querySelectorAll('*').forEach((el) => {
      for (const attr of Array.from(el.attributes)) {
        if (attr.name === 'style')
          findings.push(`style attribute on <${el.tagName.toLowerCase()}>: ${attr.value}`);
        if (/^on/i.test(attr.name)) findings.push(`${attr.name} handler on <${el.tagName.toLowerCase()}>`);
      }
    });
    return findings;
  });
}
