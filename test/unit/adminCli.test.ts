/** The admin CLI's pure parts: argument parsing, the policy read–modify–write, and output formatting. */
import {
  ApiError,
  applyChanges,
  explain,
  formatPolicy,
  formatSignup,
  formatSignups,
  formatStats,
  parseArgs,
  parsePauseDomain,
  table,
  UsageError,
} from '../../cli/admin';
import type { AdminSignup, StoredPolicy } from '../../shared/contracts/http';

const EMPTY: StoredPolicy = {
  signupsPaused: false,
  allowedDomains: [],
  blockedDomains: [],
  pausedDomains: [],
};

describe('parseArgs', () => {
  test.each<[string[], unknown]>([
    [['policy', 'get'], { kind: 'policy-get' }],
    [['stats', '--json'], { kind: 'stats' }],
    [
      ['signups', 'show', 'AAAAAAAAAAAAAAAAAAAAAAAA'],
      { kind: 'signups-show', signupId: 'AAAAAAAAAAAAAAAAAAAAAAAA' },
    ],
    [['signups', 'retry', 'abc'], { kind: 'signups-retry', signupId: 'abc' }],
    [['signups', 'decide', 'abc', 'deny'], { kind: 'signups-decide', signupId: 'abc', decision: 'deny' }],
    [
      ['signups', 'erase', 'abc', '--delete-guest'],
      { kind: 'signups-erase', signupId: 'abc', deleteGuest: true },
    ],
    [['signups', 'erase', 'abc'], { kind: 'signups-erase', signupId: 'abc', deleteGuest: false }],
    [
      ['signups', 'list', '--status', 'failed', '--domain', 'fabrikam.com', '--top', '20', '--all'],
      { kind: 'signups-list', query: { status: 'failed', domain: 'fabrikam.com', top: '20' }, all: true },
    ],
    [
      ['signups', 'list', '--email', 'Pat@Fabrikam.com'],
      { kind: 'signups-list', query: { email: 'Pat@Fabrikam.com' }, all: false },
    ],
    [
      ['pause', '--reason', 'Back at noon', '--until', '2026-12-01T12:00:00Z'],
      {
        kind: 'policy-set',
        changes: { signupsPaused: true, pauseReason: 'Back at noon', pauseUntil: '2026-12-01T12:00:00Z' },
      },
    ],
    [['resume'], { kind: 'policy-set', changes: { signupsPaused: false, pauseUntil: null } }],
    [['--help'], { kind: 'help' }],
    [[], { kind: 'help' }],
  ])('%j', (argv, command) => {
    expect(parseArgs(argv).command).toEqual(command);
  });

  test('policy set: every option', () => {
    const { command, json, url, key } = parseArgs([
      'policy',
      'set',
      '--paused',
      'true',
      '--reason',
      'Incident',
      '--until',
      '2026-12-01T09:00:00Z',
      '--allow',
      'a.com, b.com',
      '--block',
      '',
      '--daily-cap',
      '25',
      '--pause-domain',
      'fabrikam.com:Paused for review:2026-12-02T00:00:00Z',
      '--pause-domain',
      'contoso.co:"Under review"',
      '--unpause-domain',
      'Old.COM',
      '--note',
      'ticket 42',
      '--json',
      '--url',
      'https://x.example',
      '--key',
      'k',
    ]);
    expect({ json, url, key }).toEqual({ json: true, url: 'https://x.example', key: 'k' });
    expect(command).toEqual({
      kind: 'policy-set',
      changes: {
        signupsPaused: true,
        pauseReason: 'Incident',
        pauseUntil: '2026-12-01T09:00:00Z',
        allowedDomains: ['a.com', 'b.com'],
        blockedDomains: [],
        domainDailyCap: 25,
        pauseDomains: [
          { domain: 'fabrikam.com', reason: 'Paused for review', until: '2026-12-02T00:00:00Z' },
          { domain: 'contoso.co', reason: 'Under review' },
        ],
        unpauseDomains: ['old.com'],
        note: 'ticket 42',
      },
    });
    expect(parseArgs(['policy', 'set', '--daily-cap', 'none']).command).toEqual({
      kind: 'policy-set',
      changes: { domainDailyCap: null },
    });
  });

  test.each([
    [['policy', 'set'], /at least one option/],
    [['policy', 'set', '--paused', 'yes'], /--paused must be true or false/],
    [['policy', 'set', '--daily-cap', '0'], /--daily-cap/],
    [['policy', 'set', '--until', 'next week'], /--until/],
    [['policy', 'set', '--pause-domain', 'fabrikam.com'], /domain:reason/],
    [['policy', 'set', '--pause-domain', 'fabrikam.com:'], /reason .* is missing/],
    [['policy', 'get', '--status', 'failed'], /--status does not apply to "policy get"/],
    [['signups', 'show'], /exactly one sign-up id/],
    [['signups', 'list', '--top', 'many'], /--top must be a number/],
    [['signups', 'erase', 'x', '--paused', 'true'], /--paused does not apply/],
    [['frobnicate'], /Unknown command/],
    [['stats', '--bogus'], /bogus/],
  ])('%j → usage error %s', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  test('--pause-domain keeps colons inside the reason and takes only a trailing date as `until`', () => {
    expect(parsePauseDomain('a.com:Reason: see https://x.example/help')).toEqual({
      domain: 'a.com',
      reason: 'Reason: see https://x.example/help',
    });
    expect(parsePauseDomain('a.com:Closed:2026-12-01')).toEqual({
      domain: 'a.com',
      reason: 'Closed',
      until: '2026-12-01',
    });
  });
});

describe('the access model in the CLI', () => {
  test('policy set takes enrolment, approvers and partners; revocations list|add|lift', () => {
    expect(
      parseArgs([
        'policy',
        'set',
        '--enrolment',
        'approval',
        '--approvers',
        'a@contoso.com,b@contoso.com',
        '--partner',
        'Fabrikam.com:11111111-1111-4111-8111-111111111111:s@contoso.com',
        '--remove-partner',
        'old.com',
      ]).command,
    ).toEqual({
      kind: 'policy-set',
      changes: {
        enrolment: 'approval',
        approvers: ['a@contoso.com', 'b@contoso.com'],
        partners: [
          {
            domain: 'fabrikam.com',
            groupIds: ['11111111-1111-4111-8111-111111111111'],
            sponsors: ['s@contoso.com'],
          },
        ],
        removePartners: ['old.com'],
      },
    });
    expect(() => parseArgs(['policy', 'set', '--enrolment', 'everyone'])).toThrow(UsageError);
    expect(parseArgs(['revocations', 'add', 'bob@fabrikam.com', '--delete-guest']).command).toEqual({
      kind: 'revocations-add',
      email: 'bob@fabrikam.com',
      deleteGuest: true,
    });
    expect(parseArgs(['revocations', 'lift', 'abc']).command).toEqual({
      kind: 'revocations-lift',
      emailHash: 'abc',
    });
    expect(parseArgs(['revocations', 'list']).command).toEqual({ kind: 'revocations-list' });
  });

  test('a pause keeps the partners, enrolment and approvers (a PUT replaces the whole policy)', () => {
    const partners = [{ domain: 'fabrikam.com', groupIds: ['g'], sponsors: [] }];
    const current: StoredPolicy = { ...EMPTY, enrolment: 'partners', approvers: ['a@contoso.com'], partners };
    expect(applyChanges(current, { signupsPaused: true })).toMatchObject({
      signupsPaused: true,
      enrolment: 'partners',
      approvers: ['a@contoso.com'],
      partners,
    });
    expect(applyChanges(current, { removePartners: ['fabrikam.com'] }).partners).toBeUndefined();
  });
});

describe('applyChanges (the body of the PUT)', () => {
  const current: StoredPolicy = {
    signupsPaused: true,
    pauseReason: 'Old',
    pauseUntil: '2026-12-01T00:00:00.000Z',
    allowedDomains: ['a.com'],
    blockedDomains: ['b.com'],
    domainDailyCap: 5,
    pausedDomains: [
      { domain: 'x.com', reason: 'X' },
      { domain: 'y.com', reason: 'Y', until: '2026-12-03T00:00:00.000Z' },
    ],
    updatedAt: '2026-11-01T00:00:00.000Z',
    updatedBy: 'alice',
  };

  test('keeps what is not changed and never sends the server-kept fields', () => {
    expect(applyChanges(current, { blockedDomains: [] })).toEqual({
      signupsPaused: true,
      pauseReason: 'Old',
      pauseUntil: '2026-12-01T00:00:00.000Z',
      allowedDomains: ['a.com'],
      blockedDomains: [],
      domainDailyCap: 5,
      pausedDomains: current.pausedDomains,
    });
  });

  test('resume clears the end time; none clears the cap; paused domains are replaced, added and removed by domain', () => {
    const body = applyChanges(current, {
      signupsPaused: false,
      pauseUntil: null,
      domainDailyCap: null,
      pauseDomains: [
        { domain: 'y.com', reason: 'Y2' },
        { domain: 'z.com', reason: 'Z', until: '2026-12-05T10:00:00+01:00' },
      ],
      unpauseDomains: ['x.com'],
      note: 'why',
    });
    expect(body).toEqual({
      signupsPaused: false,
      pauseReason: 'Old',
      allowedDomains: ['a.com'],
      blockedDomains: ['b.com'],
      pausedDomains: [
        { domain: 'y.com', reason: 'Y2' },
        { domain: 'z.com', reason: 'Z', until: '2026-12-05T09:00:00.000Z' },
      ],
      reason: 'why',
    });
  });

  test('the pause message doubles as the audit reason unless a note is given', () => {
    expect(applyChanges(EMPTY, { signupsPaused: true, pauseReason: 'Maintenance' })).toMatchObject({
      pauseReason: 'Maintenance',
      reason: 'Maintenance',
    });
  });
});

describe('formatting', () => {
  test('table pads columns to the widest cell', () => {
    expect(
      table(
        ['A', 'LONGER'],
        [
          ['xyz', '1'],
          ['', '22'],
        ],
      ),
    ).toBe(['A    LONGER', '---  ------', 'xyz  1', '     22'].join('\n'));
  });

  test('policy: state, lists, settings and paused domains', () => {
    const text = formatPolicy({
      policy: {
        ...EMPTY,
        signupsPaused: true,
        pauseReason: 'Back soon',
        blockedDomains: ['b.com'],
        pausedDomains: [{ domain: 'x.com', reason: 'Review', until: '2026-12-01T00:00:00.000Z' }],
        updatedAt: '2026-11-25T12:00:00.000Z',
        updatedBy: 'alice',
      },
      etag: 'W/"1"',
      settings: {
        organizationDomains: ['contoso.com'],
        allowedDomains: [],
        blockedDomains: [],
        managedGroupIds: [],
      },
      effective: {
        signupsPaused: true,
        pausedNow: true,
        organizationDomains: ['contoso.com'],
        allowedDomains: [],
        blockedDomains: ['b.com'],
        pausedDomains: [],
        access: { enrolment: 'open', proofOfSendDays: 30, approvers: [], partners: [] },
      },
      builtInLists: [],
    });
    expect(text).toContain('Sign-ups:          PAUSED');
    expect(text).toContain('Pause message:     Back soon');
    expect(text).toContain('Blocked domains:   b.com');
    expect(text).toContain('Last change:       2026-11-25 12:00:00Z by alice');
    expect(text).toContain('  Organisation:    contoso.com');
    expect(text).toMatch(/x\.com\s+2026-12-01 00:00:00Z\s+Review/);
  });

  const signup: AdminSignup = {
    signupId: 'AAAAAAAAAAAAAAAAAAAAAAAA',
    address: 'j•••@fabrikam.com',
    domain: 'fabrikam.com',
    status: 'failed',
    createdAt: '2026-11-25T12:00:00.000Z',
    expiresAt: '2026-11-26T12:00:00.000Z',
    attempts: { codeRequests: 2, failedSubmissions: 1, provisionAttempts: 5 },
    lastError: 'Graph 500',
  };

  test('signups list: one row per sign-up, a count, and a hint when more pages exist', () => {
    const text = formatSignups([signup], 'token');
    const [header, , row] = text.split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+ADDRESS\s+CREATED\s+OUTCOME\s+FAIL\/PROV\s+LAST ERROR$/);
    expect(row).toMatch(
      /^AAAAAAAAAAAAAAAAAAAAAAAA\s+failed\s+j•••@fabrikam\.com\s+2026-11-25 12:00:00Z\s+-\s+1\/5\s+Graph 500$/,
    );
    expect(text).toContain('1 sign-up; more: add --all');
    expect(formatSignups([])).toBe('(no sign-ups)');
  });

  test('one sign-up with its audit trail', () => {
    const text = formatSignup({
      signup,
      events: [
        { type: 'failed', at: '2026-11-25T12:05:00.000Z', actor: 'system', details: { reason: 'Graph 500' } },
      ],
    });
    expect(text).toContain('Status:       failed');
    expect(text).toMatch(/2026-11-25 12:05:00Z\s+failed\s+system\s+reason=Graph 500/);
  });

  test('stats: counts per status, domains, budgets and a flag on a non-empty poison queue', () => {
    const byStatus = {
      pending_verification: 1,
      verified: 0,
      provisioning: 0,
      ready: 2,
      failed: 0,
      expired: 0,
      pending_approval: 0,
      not_eligible: 0,
    };
    const text = formatStats({
      generatedAt: '2026-11-25T12:00:00.000Z',
      last24h: { total: 3, byStatus },
      last30d: { total: 3, byStatus },
      topDomains: [{ domain: 'fabrikam.com', count: 3 }],
      emailBudget: { minute: { used: 1, limit: 30 }, hour: { used: 4, limit: 100 } },
      graphBudget: { second: { used: 0, limit: 20 } },
      queueDepths: {
        'signup-email': 0,
        'signup-provision': 0,
        'signup-provision-poison': 2,
        'signup-email-poison': null,
      },
      guests: { pending_acceptance: 1, active: 2, expiring: 0, disabled: 0, deleted: 0 },
      emailBounces: { lastHour: 1, last24h: 4, suppressed: 3 },
    });
    expect(text).toContain('Bounces:       1 last hour, 4 last 24 h; 3 addresses suppressed');
    expect(text).toMatch(/ready\s+2\s+2/);
    expect(text).toMatch(/total\s+3\s+3/);
    expect(text).toContain('Email budget:  1/30 per minute, 4/100 per hour');
    expect(text).toMatch(/signup-provision-poison\s+2 {2}<- investigate/);
    expect(text).toMatch(/signup-email-poison\s+unknown/);
  });

  test('errors say what to check', () => {
    const unauthorized = explain(new ApiError(401, 'unauthorized', 'Sign in.'));
    expect(unauthorized).toMatch(/check RMS_SIGNUP_ADMIN_KEY/i);
    expect(unauthorized).toContain('az account get-access-token --resource <ADMIN_AUDIENCE>');
    expect(unauthorized).toContain('RMS_SIGNUP_TOKEN');
    expect(explain(new ApiError(403, 'forbidden', 'x'))).toContain('RmsSignup.Admin');
    expect(explain(new ApiError(409, 'conflict', 'Only a failed sign-up can be retried'))).toBe(
      '409 conflict: Only a failed sign-up can be retried',
    );
  });
});
