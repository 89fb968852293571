import { parse as parseHostname } from 'tldts';
import consumerList from '../../shared/data/consumer-domains.json';
import disposableList from '../../shared/data/disposable-domains.json';
import relayList from '../../shared/data/relay-domains.json';
import {
  builtInListInfo,
  checkDomain,
  normalizeDomain,
  REFUSAL_MESSAGES,
  type DomainPolicyInput,
  type DomainVerdict,
} from '../../shared/domain/domainPolicy';
import { parseEmailAddress } from '../../shared/domain/emailAddress';
import { isAppError } from '../../shared/errors';

const OPEN: DomainPolicyInput = { organizationDomains: [], allowedDomains: [], blockedDomains: [] };

function verdict(email: string, policy: Partial<DomainPolicyInput> = {}): DomainVerdict {
  return checkDomain(parseEmailAddress(email), { ...OPEN, ...policy });
}

function reason(email: string, policy: Partial<DomainPolicyInput> = {}): string {
  const result = verdict(email, policy);
  return result.allowed ? 'allowed' : result.reason;
}

describe('checkDomain: order of the rules (req 30)', () => {
  const everything: Partial<DomainPolicyInput> = {
    organizationDomains: ['contoso.com'],
    blockedDomains: ['contoso.com', 'fabrikam.com', 'gmail.com'],
    allowedDomains: ['contoso.com', 'fabrikam.com', 'gmail.com', 'mailinator.com', 'northwind.example.org'],
  };

  it('refuses the organisation’s own domains before anything else', () => {
    expect(reason('ann@contoso.com', everything)).toBe('organization');
  });

  it('then the admin block list, even for allow-listed domains', () => {
    expect(reason('ann@fabrikam.com', everything)).toBe('blocked');
    expect(reason('ann@gmail.com', everything)).toBe('blocked');
  });

  it('then the allow list: an explicit allow entry wins over the built-in consumer and disposable lists', () => {
    expect(reason('ann@mailinator.com', everything)).toBe('allowed');
    expect(reason('ann@northwind.example.org', everything)).toBe('allowed');
  });

  it('refuses everything else as not_allowed when the allow list is not empty', () => {
    expect(reason('ann@tailspin.com', everything)).toBe('not_allowed');
    expect(reason('ann@yopmail.com', everything)).toBe('not_allowed');
    expect(reason('ann@example.org', everything)).toBe('not_allowed');
  });

  it('without an allow list: disposable, then consumer, then allowed', () => {
    expect(reason('ann@mailinator.com')).toBe('disposable');
    expect(reason('ann@gmail.com')).toBe('consumer');
    expect(reason('ann@tailspin.com')).toBe('allowed');
  });
});

describe('checkDomain: matching', () => {
  it('matches a listed domain and its subdomains, never look-alike neighbours', () => {
    const policy = { organizationDomains: ['contoso.com'] };
    expect(reason('ann@contoso.com', policy)).toBe('organization');
    expect(reason('ann@mail.eu.contoso.com', policy)).toBe('organization');
    expect(reason('ann@notcontoso.com', policy)).toBe('allowed');
    expect(reason('ann@contoso.com.fabrikam.com', policy)).toBe('allowed');
    expect(reason('ann@contoso.co', policy)).toBe('allowed');
  });

  it('matches subdomains of built-in entries too', () => {
    expect(reason('ann@inbox.mailinator.com')).toBe('disposable');
    expect(reason('ann@eu.gmail.com')).toBe('consumer');
  });

  it('compares ASCII forms whatever case or script the admin or the person typed', () => {
    const policy = { blockedDomains: ['Bücher.DE', '@Fabrikam.COM', 'xn--e1afmkfd.xn--p1ai'] };
    expect(reason('ann@xn--bcher-kva.de', policy)).toBe('blocked');
    expect(reason('ann@BÜCHER.de', policy)).toBe('blocked');
    expect(reason('ann@fabrikam.com', policy)).toBe('blocked');
    expect(reason('ann@пример.рф', policy)).toBe('blocked');
  });

  it('lets an admin block a whole ending', () => {
    expect(reason('ann@anything.xyz', { blockedDomains: ['xyz'] })).toBe('blocked');
    expect(reason('ann@anything.co.uk', { blockedDomains: ['co.uk'] })).toBe('blocked');
    expect(reason('ann@anything.com', { blockedDomains: ['xyz'] })).toBe('allowed');
  });

  it('ignores invalid policy entries instead of failing every sign-up', () => {
    const policy = { blockedDomains: ['not a domain', '', 'tаilspin.com'], allowedDomains: [] };
    expect(reason('ann@tailspin.com', policy)).toBe('allowed');
  });

  it('fails closed when every allow-list entry is invalid', () => {
    expect(reason('ann@example.com', { allowedDomains: ['not a domain'] })).toBe('not_allowed');
  });
});

describe('checkDomain: messages', () => {
  it('explains a consumer refusal kindly', () => {
    expect(verdict('ann@gmail.com')).toEqual({
      allowed: false,
      reason: 'consumer',
      message:
        'Personal email addresses (like Gmail or Outlook.com) can’t be used. Please use your work email address — the one the protected file was shared with.',
    });
  });

  it('names the organisation when it is known', () => {
    expect(
      verdict('ann@contoso.com', { organizationDomains: ['contoso.com'], organizationName: 'Contoso Ltd' }),
    ).toEqual({
      allowed: false,
      reason: 'organization',
      message: 'You already have an account with Contoso Ltd: sign in with your organisation account.',
    });
    const unnamed = verdict('ann@contoso.com', { organizationDomains: ['contoso.com'] });
    expect(!unnamed.allowed && unnamed.message).toBe(
      'You already have an account with this organisation: sign in with your organisation account.',
    );
  });

  it('has a distinct message for every other reason', () => {
    const messages = Object.values(REFUSAL_MESSAGES);
    expect(new Set(messages).size).toBe(messages.length);
    expect(verdict('ann@yopmail.com')).toMatchObject({
      reason: 'disposable',
      message: REFUSAL_MESSAGES.disposable,
    });
    expect(verdict('ann@x.com', { blockedDomains: ['x.com'] })).toMatchObject({
      message: REFUSAL_MESSAGES.blocked,
    });
    expect(verdict('ann@x.com', { allowedDomains: ['y.com'] })).toMatchObject({
      message: REFUSAL_MESSAGES.not_allowed,
    });
  });
});

describe('built-in lists', () => {
  // prettier-ignore
  it.each([
    'gmail.com', 'googlemail.com', 'outlook.com', 'outlook.de', 'hotmail.com', 'hotmail.co.uk', 'hotmail.fr',
    'live.com', 'live.de', 'msn.com', 'yahoo.com', 'yahoo.co.jp', 'yahoo.de', 'ymail.com', 'aol.com',
    'icloud.com', 'me.com', 'mac.com', 'gmx.de', 'gmx.net', 'gmx.ch', 'web.de', 'proton.me', 'protonmail.com',
    'pm.me', 'yandex.ru', 'yandex.com', 'mail.ru', 'qq.com', '163.com', '126.com', 'zoho.com', 'zohomail.com',
    'fastmail.com', 'hey.com', 'tuta.com', 'mailbox.org', 't-online.de', 'comcast.net', 'naver.com',
    // country variants found by the brand rule even when not listed
    'hotmail.com.ar', 'yahoo.com.pe', 'gmx.info', 'yandex.uz',
  ])('refuses the personal-mail provider %s as consumer', (domain) => {
    expect(reason(`ann@${domain}`)).toBe('consumer');
  });

  it.each([
    'mailinator.com',
    'guerrillamail.com',
    'yopmail.com',
    '10minutemail.com',
    'sharklasers.com',
    'temp-mail.org',
  ])('refuses the throwaway service %s as disposable', (domain) => {
    expect(reason(`ann@${domain}`)).toBe('disposable');
  });

  // prettier-ignore
  it.each([
    'microsoft.com', 'google.com', 'apple.com', 'amazon.com', 'ibm.com', 'oracle.com', 'sap.com', 'siemens.com',
    'bosch.com', 'facebook.com', 'meta.com', 'alibaba-inc.com', 'alibaba.com', 'yahooinc.com', 'verizon.com',
    'att.com', 'comcast.com', 'orange.com', 'vodafone.com', 'telekom.de', 'deloitte.com', 'accenture.com',
    'kpmg.com', 'pwc.com', 'ey.com', 'hsbc.com', 'ubs.com', 'novartis.com', 'toyota.co.jp', 'sony.com',
    'samsung.com', 'bbc.co.uk', 'cabinetoffice.gov.uk', 'nhs.net', 'ox.ac.uk', 'nus.edu.sg', 'harvard.edu', 'europa.eu',
    'who.int', 'contoso.com', 'livenation.com', 'outlook-partners.com',
  ])('does not refuse the organisation domain %s', (domain) => {
    expect(reason(`ann@${domain}`)).toBe('allowed');
  });

  it.each([
    ['consumer', consumerList],
    ['disposable', disposableList],
  ] as const)('%s list: named source, metadata and clean entries', (name, list) => {
    expect(list.name).toBe(name);
    expect(list.sources.length).toBeGreaterThan(0);
    for (const source of list.sources) {
      expect(source.package).toMatch(/^[a-z0-9-]+$/);
      expect(source.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(source.upstream).toMatch(/^https:\/\//);
    }
    expect(list.generated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(list.count).toBe(list.domains.length);
    expect(new Set(list.domains).size).toBe(list.domains.length);
    for (const domain of list.domains) {
      expect(domain).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
      const host = parseHostname(domain, { allowPrivateDomains: false });
      // never a bare public suffix such as co.uk, never an unknown ending
      expect(host.isIcann && host.domain !== null).toBe(true);
    }
  });

  it('keeps the two lists disjoint so a domain has one reason', () => {
    const disposable = new Set(disposableList.domains);
    expect(consumerList.domains.filter((domain) => disposable.has(domain))).toEqual([]);
  });

  it('reports the list versions', () => {
    expect(builtInListInfo()).toEqual([
      expect.objectContaining({ name: 'consumer', count: consumerList.domains.length }),
      expect.objectContaining({ name: 'disposable', count: disposableList.domains.length }),
      expect.objectContaining({ name: 'relay', count: relayList.domains.length }),
    ]);
  });
});

describe('relay and reserved domains (req 30, review L12)', () => {
  it.each([
    'privaterelay.appleid.com',
    'mozmail.com',
    'abc123.mozmail.com',
    'duck.com',
    'simplelogin.com',
    'aleeas.com',
    'addy.io',
    'anonaddy.me',
    'passmail.net',
    '33mail.com',
  ])('refuses the relay service %s as relay', (domain) => {
    expect(reason(`ann@${domain}`)).toBe('relay');
  });

  it.each(['example.com', 'example.net', 'example.org', 'sub.example.org'])(
    'refuses the reserved name %s as reserved',
    (domain) => {
      expect(reason(`ann@${domain}`)).toBe('reserved');
    },
  );

  it('keeps look-alike neighbours and an explicit allow entry working', () => {
    expect(reason('ann@notmozmail.com')).toBe('allowed');
    expect(reason('ann@example.co.uk')).toBe('allowed');
    expect(reason('ann@northwind.example.org', { allowedDomains: ['northwind.example.org'] })).toBe(
      'allowed',
    );
  });

  it('explains both refusals in the message', () => {
    const relay = checkDomain(parseEmailAddress('ann@mozmail.com'), {
      organizationDomains: [],
      allowedDomains: [],
      blockedDomains: [],
    });
    expect(relay).toMatchObject({ allowed: false, reason: 'relay', message: expect.stringMatching(/alias/) });
  });

  it('ships a relay list with its source and clean entries', () => {
    expect(relayList.count).toBe(relayList.domains.length);
    expect([...relayList.domains].sort()).toEqual(relayList.domains);
    for (const d of relayList.domains) expect(parseHostname(d).domain).toBeTruthy();
  });
});

describe('normalizeDomain', () => {
  it.each([
    ['Contoso.COM ', 'contoso.com'],
    ['@contoso.com', 'contoso.com'],
    ['contoso.com.', 'contoso.com'],
    ['Mail.Contoso.co.uk', 'mail.contoso.co.uk'],
    ['Bücher.de', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['пример.рф', 'xn--e1afmkfd.xn--p1ai'],
    ['co.uk', 'co.uk'],
    ['XYZ', 'xyz'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it('is what checkDomain compares against (same form as address domains)', () => {
    expect(normalizeDomain('BÜCHER.de')).toBe(parseEmailAddress('ann@bücher.de').domain);
  });

  it.each([
    ['', /enter a domain/i],
    ['ann@contoso.com', /not an email address/],
    ['*.contoso.com', /subdomains are always included/],
    ['contoso', /not a domain ending we know/],
    ['contoso.notarealtld', /not a domain ending we know/],
    ['exаmple.com', /mixes alphabets/],
    ['аррӏе.com', /look like ordinary Latin letters/],
    ['intranet.test', /reserved name/],
    ['a..b.com', /dot/],
    ['contoso .com', /spaces/],
    ['contoso.com/path', /can’t be used in a domain name/],
    ['192.0.2.1', /IP address/],
    [`${'a'.repeat(64)}.com`, /at most 63 characters/],
    [`${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.com`, /at most 253 characters/],
  ])('refuses %j as invalid_request', (input, message) => {
    let thrown: unknown;
    try {
      normalizeDomain(input);
    } catch (error) {
      thrown = error;
    }
    expect(isAppError(thrown) && thrown.code).toBe('invalid_request');
    expect((thrown as Error).message).toMatch(message);
  });
});
