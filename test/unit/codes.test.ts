import { codeMatches, generateCode, hashCode, keyedHash, newSignupId, normalizeSubmittedCode, SIGNUP_ID_PATTERN } from '../../shared/domain/codes';
import { TEST_SECRET } from '../support/builders';

describe('codes', () => {
  test('10^5 codes are six digits with uniformly distributed digits and leading zeros (req 1, 2)', () => {
    const n = 100_000;
    const counts = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    let leadingZero = 0;
    for (let i = 0; i < n; i++) {
      const code = generateCode();
      expect(code).toMatch(/^\d{6}$/);
      if (code[0] === '0') leadingZero++;
      for (let p = 0; p < 6; p++) counts[p]![Number(code[p])]!++;
    }
    // Chi-square with 9 degrees of freedom: the 0.01 critical value is 21.67.
    for (const position of counts) {
      const expected = n / 10;
      const chi2 = position.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
      expect(chi2).toBeLessThan(21.67);
    }
    expect(leadingZero / n).toBeGreaterThan(0.09);
    expect(leadingZero / n).toBeLessThan(0.11);
  });

  test('the stored hash binds the code to its flow (req 5, 11)', () => {
    const hash = hashCode(TEST_SECRET, 'flow-a', '012345');
    expect(hash).not.toContain('012345');
    expect(codeMatches(TEST_SECRET, 'flow-a', '012345', hash)).toBe(true);
    expect(codeMatches(TEST_SECRET, 'flow-b', '012345', hash)).toBe(false);
    expect(codeMatches(TEST_SECRET, 'flow-a', '012346', hash)).toBe(false);
    expect(codeMatches('another-secret-another-secret-000', 'flow-a', '012345', hash)).toBe(false);
    expect(codeMatches(TEST_SECRET, 'flow-a', '012345', undefined)).toBe(false);
  });

  test('pasted codes with spaces or a dash are accepted, anything else is not', () => {
    expect(normalizeSubmittedCode(' 123 456 ')).toBe('123456');
    expect(normalizeSubmittedCode('123-456')).toBe('123456');
    expect(normalizeSubmittedCode('12345')).toBeUndefined();
    expect(normalizeSubmittedCode('１２３４５６')).toBeUndefined();
    expect(normalizeSubmittedCode('123456\n')).toBe('123456');
  });

  test('signup ids carry 144 random bits, are URL-safe and not UUIDs (req 14)', () => {
    const ids = new Set(Array.from({ length: 1000 }, newSignupId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(SIGNUP_ID_PATTERN);
      expect(id).not.toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/i);
    }
  });

  test('keyed hashes differ by purpose and never contain the input', () => {
    const a = keyedHash(TEST_SECRET, 'address', 'jane@contoso.com');
    expect(a).not.toContain('jane');
    expect(keyedHash(TEST_SECRET, 'ip', 'jane@contoso.com')).not.toBe(a);
  });
});
