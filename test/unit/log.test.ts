/** Structured events: no forged lines, no full address even inside free text (req 44, 45). */
import { maskEmail } from '../../shared/domain/addressMask';
import { createLogger, sanitizeForLog } from '../../shared/log';
import { CapturingSink } from '../support/fakes';

test('control characters are escaped, so a value cannot start a second log line (req 45)', () => {
  expect(sanitizeForLog('ok\n{"event":"admin_login"}')).toBe('ok\\u000a{"event":"admin_login"}');
  expect(sanitizeForLog('a\u2028b')).toBe('a\\u2028b');
});

test('an address quoted in an upstream error message is masked before it is logged (req 44)', () => {
  const sink = new CapturingSink();
  createLogger(sink).event(
    'provisioning_attempt_failed',
    { error: 'Graph 400: The invited user jane.doe@fabrikam.com or jörg@müller.example is invalid' },
    'error',
  );
  const [line] = sink.lines;
  expect(line).not.toContain('jane.doe@');
  expect(line).not.toContain('jörg@');
  expect(line).toContain(maskEmail('jane.doe@fabrikam.com'));
  expect(line).toContain('j•••@müller.example');
});

test('values are cut at 500 characters', () => {
  expect(sanitizeForLog('x'.repeat(2000))).toHaveLength(500);
});

test('a long value costs linear time: it is cut before the address regex runs (review I1)', () => {
  const hostile = `${'a.'.repeat(50_000)}@`; // 100 kB of one long would-be local part
  const started = process.hrtime.bigint();
  for (let i = 0; i < 20; i++) sanitizeForLog(hostile);
  expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(200);
});
