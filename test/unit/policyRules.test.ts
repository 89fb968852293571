import {
  effectivePolicy,
  EMPTY_STORED_POLICY,
  isPaused,
  pausedDomainFor,
  type StoredPolicy,
} from '../../shared/domain/policy';

const NOW = new Date('2026-03-01T12:00:00Z');
const stored = (extra: Partial<StoredPolicy> = {}): StoredPolicy => ({ ...EMPTY_STORED_POLICY, ...extra });

describe('policy rules', () => {
  test('the effective policy is the settings lists with the stored lists appended', () => {
    const effective = effectivePolicy(
      { organizationDomains: ['contoso.com'], allowedDomains: ['a.com'], blockedDomains: ['b.com'] },
      stored({ allowedDomains: ['c.com'], blockedDomains: ['d.com'], domainDailyCap: 5 }),
    );
    expect(effective).toMatchObject({
      organizationDomains: ['contoso.com'],
      allowedDomains: ['a.com', 'c.com'],
      blockedDomains: ['b.com', 'd.com'],
      domainDailyCap: 5,
    });
  });

  test('a pause holds until pauseUntil, and forever without one', () => {
    expect(isPaused(stored({ signupsPaused: true }), NOW)).toBe(true);
    expect(isPaused(stored({ signupsPaused: true, pauseUntil: '2026-03-01T12:00:01Z' }), NOW)).toBe(true);
    expect(isPaused(stored({ signupsPaused: true, pauseUntil: '2026-03-01T12:00:00Z' }), NOW)).toBe(false);
    expect(isPaused(stored({ signupsPaused: false, pauseUntil: '2030-01-01T00:00:00Z' }), NOW)).toBe(false);
  });

  test('a paused domain covers its subdomains until it lapses', () => {
    const policy = stored({
      pausedDomains: [
        { domain: 'fabrikam.com', reason: 'incident' },
        { domain: 'lapsed.com', reason: 'over', until: '2026-03-01T11:59:59Z' },
      ],
    });
    expect(pausedDomainFor(policy, 'eu.fabrikam.com', NOW)?.reason).toBe('incident');
    expect(pausedDomainFor(policy, 'fabrikam.co', NOW)).toBeUndefined();
    expect(pausedDomainFor(policy, 'lapsed.com', NOW)).toBeUndefined();
  });
});
