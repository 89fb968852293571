/**
 * CSP violation reports (req 36): browsers POST them to /api/csp-reports, either the legacy
 * `application/csp-report` shape or Reporting API batches (`application/reports+json`). We keep only what
 * helps an operator find a broken or attacked page, and strip URLs down to origin + path so a query
 * string or fragment can never bring personal data into the logs.
 */

export interface CspViolation {
  directive: string;
  blocked: string;
  document: string;
  source: string;
  disposition: string;
}

export const MAX_CSP_REPORT_BYTES = 16 * 1024;
const MAX_VIOLATIONS = 10;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value.slice(0, 200) : '');

/** `inline`, `eval` and other keywords pass through; URLs lose credentials, query and fragment. */
export function redactUrl(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return value.slice(0, 40);
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:')
      return `${url.origin}${url.pathname}`.slice(0, 200);
    return url.protocol;
  } catch {
    return 'invalid-url';
  }
}

function fromLegacy(report: Json): CspViolation {
  return {
    directive: text(report['effective-directive'] ?? report['violated-directive']),
    blocked: redactUrl(text(report['blocked-uri'])),
    document: redactUrl(text(report['document-uri'])),
    source: redactUrl(text(report['source-file'])),
    disposition: text(report.disposition) || 'enforce',
  };
}

function fromReportingApi(body: Json): CspViolation {
  return {
    directive: text(body.effectiveDirective),
    blocked: redactUrl(text(body.blockedURL)),
    document: redactUrl(text(body.documentURL)),
    source: redactUrl(text(body.sourceFile)),
    disposition: text(body.disposition) || 'enforce',
  };
}

/** Violations in a report body; anything unrecognisable yields none (never an error for the browser). */
export function parseCspReport(raw: string): CspViolation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (isObject(parsed) && isObject(parsed['csp-report'])) return [fromLegacy(parsed['csp-report'])];
  if (Array.isArray(parsed)) {
    return parsed
      .filter((r): r is Json => isObject(r) && r.type === 'csp-violation' && isObject(r.body))
      .slice(0, MAX_VIOLATIONS)
      .map((r) => fromReportingApi(r.body as Json));
  }
  return [];
}
