/** The whole-suite log scrub's scanner finds what it must, and passes what the app legitimately logs (req 44). */
import { maskEmail } from '../../shared/domain/addressMask';
import { scanLines } from '../support/logScrubScan';

const rules = { secrets: ['s3cret-value-0123456789'], allowedAddresses: ['help@contoso.example'] };

// Raw event lines as a leaking logger would write them (the real one masks addresses itself).
const logged = (fields: Record<string, string | number>) => [JSON.stringify({ event: 'probe', ...fields })];

test('a full address, a code or a secret in any logged event is a finding, reported redacted', () => {
  const cases: Array<[Record<string, string | number>, string]> = [
    [{ address: 'jane.doe@fabrikam.com' }, 'address'],
    [{ note: 'sent to Jane <jane@fabrikam.co.uk>' }, 'address'],
    [{ note: 'jörg@müller.example' }, 'address'],
    [{ code: '012345' }, 'code'],
    [{ url: 'https://signup.contoso.example/#code=482913&signup=abc' }, 'code'],
    [{ detail: 'verify failed, code: 482913' }, 'code'],
    [{ error: 'HMAC key s3cret-value-0123456789 rejected' }, 'secret'],
  ];
  for (const [fields, kind] of cases) {
    const findings = scanLines(logged(fields), 'probe.log', rules);
    expect(findings.map((f) => f.kind)).toEqual([kind]);
    expect(findings[0]?.line).toContain('[REDACTED]');
    expect(findings[0]?.line).not.toMatch(/jane|482913|012345|s3cret/);
  }
});

test('masked addresses, the organisation’s own addresses, ids and counts are not findings', () => {
  const lines = logged({
    address: maskEmail('jane.doe@fabrikam.com'),
    supportContact: 'help@contoso.example',
    signupId: 'kq3vJ0x_2Zc4nW8bT1yLmA',
    codeVersion: 2,
    durationMs: 123456,
    status: 202,
  });
  expect(scanLines(lines, 'probe.log', rules)).toEqual([]);
});
