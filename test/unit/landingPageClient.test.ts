/** The page's pure helpers (the rest of the page is exercised in a real browser, test/integration/browser.test.ts). */
import { pollDelayMs } from '../../web/poller';
import { isCompleteCode, normalizeCode, parseEmailLink } from '../../web/code';

describe('code input', () => {
  test.each([
    ['123456', '123456'],
    [' 123 456 ', '123456'],
    ['123-456', '123456'],
    ['１２３４５６', '123456'],
    ['١٢٣٤٥٦', '123456'],
    ['۱۲۳۴۵۶', '123456'],
    ['12a456', '12a456'],
  ])('%j reads as %j', (typed, expected) => {
    expect(normalizeCode(typed)).toBe(expected);
  });

  test('only six digits make a complete code (leading zeros included)', () => {
    expect(isCompleteCode('012345')).toBe(true);
    expect(isCompleteCode('12345')).toBe(false);
    expect(isCompleteCode('1234567')).toBe(false);
    expect(isCompleteCode('12a456')).toBe(false);
  });
});

describe('email link', () => {
  const id = 'AbCdEfGhIjKlMnOpQrStUvWx';

  test('the fragment pre-fills the code and names the sign-up', () => {
    expect(parseEmailLink(`#code=012345&signup=${id}`)).toEqual({ signupId: id, code: '012345' });
    expect(parseEmailLink(`#signup=${id}&code=012%20345`)).toEqual({ signupId: id, code: '012345' });
  });

  test.each([
    '',
    '#',
    `#code=12345&signup=${id}`,
    '#code=123456&signup=short',
    `#code=123456&signup=${id}<script>`,
    `#code=123456`,
    `#code=123456&signup=${'a'.repeat(600)}`,
  ])('%j is ignored', (hash) => {
    expect(parseEmailLink(hash)).toBeUndefined();
  });
});

describe('waiting and limits', () => {
  test('polling backs off 1 s, 2 s, 3 s … and stays at 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(pollDelayMs)).toEqual([
      1000, 2000, 3000, 4000, 5000, 5000, 5000, 5000,
    ]);
  });
});
