/**
 * Structured events: one JSON object per outcome, with a correlation id and only hashed or masked
 * personal data (req 43–45). Never pass a code, a secret or a full address in `fields`.
 */
import { maskEmails } from './domain/addressMask';

const MAX_VALUE = 500;

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  event(name: string, fields?: LogFields, level?: LogLevel): void;
}

export interface LogSink {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

// Control characters in logged strings are escaped so a value cannot forge a log line (req 45).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// Addresses inside free text (an upstream error message that quotes the invitee, say) are masked too, so no
// code path can put a full address in the logs by accident (req 44). The value is cut before any regex
// runs, and again after escaping (which lengthens it).
export function sanitizeForLog(value: string): string {
  const escaped = value
    .slice(0, MAX_VALUE)
    .replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return maskEmails(escaped, escaped.length).slice(0, MAX_VALUE);
}

export function createLogger(sink: LogSink, base: LogFields = {}): Logger {
  return {
    event(name, fields = {}, level = 'info') {
      const record: Record<string, unknown> = { event: name, time: new Date().toISOString() };
      for (const [k, v] of Object.entries({ ...base, ...fields })) {
        if (v === undefined) continue;
        record[k] = typeof v === 'string' ? sanitizeForLog(v) : v;
      }
      const line = JSON.stringify(record);
      if (level === 'error') sink.error(line);
      else if (level === 'warn') sink.warn(line);
      else sink.log(line);
    },
  };
}
