import {
  codeMatches,
  generateCode,
  hashCode,
  keyedHash,
  newSignupId,
  normalizeSubmittedCode,
  SIGNUP_ID_PATTERN,
} from '../../shared/domain/codes';
import { TEST_SECRET } from '../support/builders';

describe('codes', () => {
  /** Chi-square over all six positions (54 degrees of freedom) for n fresh codes. */
  function sample(n: number): { chi2: number; leadingZeroShare: number } {
    const counts = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    let leadingZero = 0;
    for (let i = 0; i < n; i++) {
      const code = generateCode();
      if (!/^\d{6}$/.test(code)) throw new Error(`not six digits: ${code}`);
      if (code[0] === '0') leadingZero++;
      for (let p = 0; p < 6; p++) counts[p]![Number(code[p])]!++;
    }
    const expected = n / 10;
    const chi2 = counts.flat().reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    return { chi2, leadingZeroShare: leadingZero / n };
  }

  test('10^5 codes are six digits, uniform per position at p > 0.01, with leading zeros (req 1, 2)', () => {
    // 81.07 is the 0.99 quantile of chi-square(54). A fair generator exceeds it 1 % of the time, so a
    // second independent sample must exceed it too before we call the generator biased (1e-4 overall).
    const CRITICAL = 81.07;
    let result = sample(100_000);
    if (result.chi2 >= CRITICAL) result = sample(100_000);
    expect(result.chi2).toBeLessThan(CRITICAL);
    expect(result.leadingZeroShare).toBeGreaterThan(0.09);
    expect(result.leadingZeroShare).toBeLessThan(0.11);
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
