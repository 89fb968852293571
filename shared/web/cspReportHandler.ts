/**
 * POST /api/csp-reports: logs CSP violations as structured events. Anyone can POST here, so each instance
 * logs at most `perMinute` reports a minute and drops the rest (the container builds one per process).
 */
import type { HttpResponseInit } from '@azure/functions';

import { AppError } from '../errors';
import { readBodyText } from '../http';
import type { AppHttpHandler } from '../httpFunction';
import { MAX_CSP_REPORT_BYTES, parseCspReport } from './cspReport';
import { BASE_HEADERS } from './headers';

const REPORT_TYPES = new Set(['application/csp-report', 'application/reports+json', 'application/json']);

export function makeCspReportHandler(
  options: { perMinute?: number; now?: () => number } = {},
): AppHttpHandler {
  const perMinute = options.perMinute ?? 60;
  const now = options.now ?? Date.now;
  let windowStart = 0;
  let logged = 0;
  return async (req, log) => {
    const type = (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!REPORT_TYPES.has(type)) throw new AppError('unsupported_media_type');
    // Read as a stream and abandoned at the limit (review L6).
    const raw = await readBodyText(req, MAX_CSP_REPORT_BYTES);
    for (const violation of parseCspReport(raw)) {
      if (now() - windowStart >= 60_000) {
        windowStart = now();
        logged = 0;
      }
      if (logged >= perMinute) break;
      logged++;
      log.event('csp_violation', { ...violation }, 'warn');
    }
    const response: HttpResponseInit = {
      status: 204,
      headers: { ...BASE_HEADERS, 'Cache-Control': 'no-store' },
    };
    return response;
  };
}
