/** The one address masker: one address for views, every address inside free text for logs (req 44). */
import { maskEmail, maskEmails } from '../../shared/domain/addressMask';

describe('maskEmail (one address, for views)', () => {
  test('keeps the first character and the domain', () => {
    expect(maskEmail('jane.doe@contoso.com')).toBe('j•••@contoso.com');
  });

  test('no local part gives nothing away', () => {
    expect(maskEmail('@contoso.com')).toBe('•••');
    expect(maskEmail('not an address')).toBe('•••');
  });
});

describe('maskEmails (every address in free text)', () => {
  test('masks every address in a Graph message, quoted or with an apostrophe in the name', () => {
    expect(maskEmails("Resource 'a.b+c@x.example.com' and O'Brien@fabrikam.com")).toBe(
      "Resource 'a•••@x.example.com' and O•••@fabrikam.com",
    );
  });

  test('masks international addresses and ones without a dot in the domain', () => {
    expect(maskEmails('invited jörg@müller.example, root@localhost')).toBe(
      'invited j•••@müller.example, r•••@localhost',
    );
  });

  test('an address cut by the scan limit is still masked', () => {
    const text = `${'x '.repeat(240)}jane.doe@fabrikam.com`;
    const masked = maskEmails(text, 490); // cut at "jane.doe@f"
    expect(masked).toBe(`${'x '.repeat(240)}j•••@f`);
  });

  test('text is cut before it is scanned: a huge value costs no more than the limit (security review I1)', () => {
    const huge = 'a'.repeat(1_000_000) + '@' + 'b'.repeat(1_000_000);
    const started = process.hrtime.bigint();
    const masked = maskEmails(huge);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(masked).toBe('a'.repeat(500));
    expect(ms).toBeLessThan(50);
  });

  test('a long run without an @ is scanned in linear time (bounded quantifiers)', () => {
    const run = 'a'.repeat(100_000);
    const started = process.hrtime.bigint();
    expect(maskEmails(run, run.length)).toBe(run);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});
