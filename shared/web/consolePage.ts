/**
 * Serves the admin console's HTML (/console). Same strict headers as the landing page, except that the
 * page may also connect to the identity provider's origin (OpenID discovery and the token endpoint of
 * the sign-in); every admin call goes to this origin. The sign-in settings reach the script as `data-*`
 * attributes, never as inline script.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { escapeHtml } from '../email/escape';
import { plainError } from '../http';
import type { WebAssets } from './assets';
import { BASE_HEADERS, chooseEncoding, CONTENT_SECURITY_POLICY, htmlHeaders } from './headers';

/** The delegated scope the console asks for on the admin API (infra/ exposes it on the app registration). */
export const CONSOLE_SCOPE = 'Console.Access';

export interface ConsoleSettings {
  authority: string;
  clientId: string;
  audience: string;
}

/** The console's sign-in settings; undefined unless ADMIN_AUTH=entra. */
export function consoleSettingsFromConfig(config: {
  ADMIN_AUTH: string;
  ADMIN_AUTHORITY?: string | undefined;
  ADMIN_CLIENT_ID?: string | undefined;
  ADMIN_AUDIENCE?: string | undefined;
}): ConsoleSettings | undefined {
  const { ADMIN_AUTH, ADMIN_AUTHORITY, ADMIN_CLIENT_ID, ADMIN_AUDIENCE } = config;
  return ADMIN_AUTH === 'entra' && ADMIN_AUTHORITY && ADMIN_CLIENT_ID && ADMIN_AUDIENCE
    ? { authority: ADMIN_AUTHORITY, clientId: ADMIN_CLIENT_ID, audience: ADMIN_AUDIENCE }
    : undefined;
}

/** The landing page's policy with the identity provider added to connect-src. */
export function consoleCsp(authority: string): string {
  const origin = new URL(authority).origin;
  return CONTENT_SECURITY_POLICY.replace("connect-src 'self'", `connect-src 'self' ${origin}`);
}

export function renderConsoleHtml(template: string, settings: ConsoleSettings): string {
  const attributes = [
    ['data-authority', settings.authority],
    ['data-client-id', settings.clientId],
    ['data-scope', `${settings.audience}/${CONSOLE_SCOPE}`],
  ]
    .map(([name, value]) => `${name}="${escapeHtml(value ?? '')}"`)
    .join(' ');
  return template
    .replace('{{body}}', attributes)
    .replace('{{noscript}}', 'The admin console needs JavaScript.');
}

export interface ConsolePage {
  page(req: HttpRequest): HttpResponseInit;
  html(): string;
}

/** `settings` undefined (ADMIN_AUTH=key): there is no sign-in to offer, so /console is a 404. */
export function makeConsolePage(assets: WebAssets, settings: ConsoleSettings | undefined): ConsolePage {
  const template = assets.consoleTemplate;
  const html = template && settings ? renderConsoleHtml(template, settings) : undefined;
  const raw = html ? Buffer.from(html, 'utf8') : undefined;
  const encoded = raw ? { br: brotliCompressSync(raw), gzip: gzipSync(raw, { level: 9 }) } : undefined;
  return {
    html: () => html ?? '',
    page(req) {
      if (!raw || !encoded || !settings) {
        const response = plainError(
          'not_found',
          'The admin console needs ADMIN_AUTH=entra (sign-in with Entra ID).',
        );
        return { ...response, headers: { ...(response.headers as Record<string, string>), ...BASE_HEADERS } };
      }
      const encoding = chooseEncoding(req.headers.get('accept-encoding'), ['br', 'gzip']);
      const headers: Record<string, string> = {
        ...htmlHeaders(),
        'Content-Security-Policy': consoleCsp(settings.authority),
        Vary: 'Accept-Encoding',
      };
      if (encoding) headers['Content-Encoding'] = encoding;
      return { status: 200, headers, body: encoding ? encoded[encoding] : raw };
    },
  };
}
