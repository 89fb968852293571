/**
 * The tenant readiness check over a fake tenant: all pass when the tenant is set up as documented, and each
 * misconfiguration turns exactly its own check to warn/fail with a fix.
 */
import { invitationDomains, rolesClaim } from '../../shared/adapters/graphTenant';
import {
  makeReadinessService,
  READINESS_CHECKS,
  type ReadinessSettings,
} from '../../shared/services/readinessService';
import { READINESS_GRAPH_ROLES } from '../../shared/domain/graphPermissions';
import type { AccessPolicy } from '../../shared/domain/accessPolicy';
import { FakeTenant } from '../support/fakeTenant';
import { emptyPolicy, FixedPolicy } from '../support/fakes';

const GROUP = '00000000-0000-4000-8000-0000000000a1';

function world(settings: Partial<ReadinessSettings> = {}) {
  const tenant = new FakeTenant();
  tenant.groups.set(GROUP, 'HiddenMembership');
  const policy = new FixedPolicy(emptyPolicy());
  const service = makeReadinessService({
    tenant,
    policy,
    settings: {
      groupIds: [GROUP],
      emailTransport: 'smtp',
      senderAddress: 'DoNotReply@mail.contoso.com',
      codeHmacSecret: 'x'.repeat(48),
      guestLifetimeDays: 365,
      guestInactiveDays: 0,
      ...settings,
    },
  });
  const run = async () => {
    const { checks } = await service.check();
    return checks;
  };
  const notPassing = async () => (await run()).filter((c) => c.status !== 'pass');
  return { tenant, policy, run, notPassing };
}

test('a tenant set up as documented: every check passes, each once', async () => {
  const checks = await world().run();
  expect(checks.map((c) => c.id).sort()).toEqual([...READINESS_CHECKS].sort());
  expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
});

test.each([
  ['graph_roles', 'fail', (t: FakeTenant): unknown => (t.roles = ['User.Read.All'])],
  ['email_otp', 'fail', (t: FakeTenant): unknown => (t.allowExternalIdToUseEmailOtp = 'disabled')],
  ['guest_invitations', 'fail', (t: FakeTenant): unknown => (t.allowInvitesFrom = 'none')],
  [
    'guest_access_restricted',
    'warn',
    (t: FakeTenant): unknown => (t.guestUserRoleId = '10dae51f-b6af-4016-8d66-8c2a99b929b3'),
  ],
  [
    'inbound_b2b',
    'fail',
    (t: FakeTenant): unknown => (t.inbound = { usersAndGroups: 'blocked', applications: 'allowed' }),
  ],
  ['invitation_domains', 'fail', (t: FakeTenant): unknown => (t.domainList = { allowed: ['fabrikam.com'] })],
  ['invitation_domains', 'warn', (t: FakeTenant): unknown => (t.domainList = { blocked: ['gmail.com'] })],
  ['groups', 'fail', (t: FakeTenant): unknown => t.groups.set(GROUP, 'Public')],
  ['groups', 'fail', (t: FakeTenant): unknown => t.groups.clear()],
] as const)('misconfigured %s → exactly that check is %s, with a fix', async (id, status, misconfigure) => {
  const w = world();
  misconfigure(w.tenant);
  const bad = await w.notPassing();
  expect(bad).toHaveLength(1);
  expect(bad[0]).toMatchObject({ id, status });
  expect(bad[0]!.fix.length).toBeGreaterThan(10);
});

test('a domain list that agrees with ours passes; a domain we allow but the tenant blocks fails', async () => {
  const w = world();
  w.tenant.domainList = { blocked: ['gmail.com'] };
  w.policy.policy = emptyPolicy({ blockedDomains: ['gmail.com'] });
  expect(await w.notPassing()).toEqual([]);
  w.policy.policy = emptyPolicy({ blockedDomains: ['gmail.com'], allowedDomains: ['gmail.com'] });
  expect(await w.notPassing()).toMatchObject([{ id: 'invitation_domains', status: 'fail' }]);
  w.tenant.domainList = { allowed: ['fabrikam.com', 'contoso.com'] };
  w.policy.policy = emptyPolicy({ allowedDomains: ['fabrikam.com'] });
  expect(await w.notPassing()).toEqual([]);
});

test('a read the identity may not do is warn with the permission to grant, never fail', async () => {
  const w = world();
  w.tenant.denied.add('authorizationPolicy');
  const bad = await w.notPassing();
  expect(bad.map((c) => [c.id, c.status])).toEqual([
    ['guest_invitations', 'warn'],
    ['guest_access_restricted', 'warn'],
  ]);
  expect(bad[0]!.fix).toContain('Policy.Read.All');
});

test('ACS transport: the sender domain cannot be checked from the app → warn with the az command', async () => {
  const bad = await world({ emailTransport: 'acs' }).notPassing();
  expect(bad).toMatchObject([{ id: 'acs_sender_domain', status: 'warn' }]);
  expect(bad[0]!.fix).toContain('mail.contoso.com');
});

test('an unresolved Key Vault reference for CODE_HMAC_SECRET fails', async () => {
  const secret = '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/code-hmac/)';
  expect(await world({ codeHmacSecret: secret }).notPassing()).toMatchObject([
    { id: 'key_vault_secret', status: 'fail' },
  ]);
});

const BASE_ROLES = ['User.Invite.All', 'User.Read.All', ...READINESS_GRAPH_ROLES];
const access = (a: Partial<AccessPolicy>) =>
  emptyPolicy({ access: { enrolment: 'open', proofOfSendDays: 30, approvers: [], partners: [], ...a } });

test('no groups, no lifecycle: only invitations, look-ups and the readiness reads are required', async () => {
  const w = world({ groupIds: [], guestLifetimeDays: 0 });
  w.tenant.roles = [...BASE_ROLES];
  const checks = await w.run();
  expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
  // Erasure asked to delete a guest would meet a 403: said, not failed (no setting makes it required).
  expect(checks.find((c) => c.id === 'graph_roles')!.message).toContain(
    'Erasure cannot delete guest accounts (User.DeleteRestore.All not granted)',
  );
});

test.each([
  ['Policy.Read.All', {}, 'authorization and cross-tenant access policies'],
  ['Policy.Read.AuthenticationMethod', {}, 'email one-time passcode policy'],
  ['Policy.Read.B2BManagementPolicy', {}, 'invitation domain list'],
  ['GroupMember.ReadWrite.All', {}, 'PARTNER_GROUP_IDS'],
  ['User.EnableDisableAccount.All', {}, 'GUEST_LIFETIME_DAYS'],
  ['User.DeleteRestore.All', {}, 'deleting expired guests'],
  ['AuditLog.Read.All', { guestInactiveDays: 90 }, 'GUEST_INACTIVE_DAYS'],
] as const)(
  '%s missing while a feature needs it → only graph_roles fails, naming it and why',
  async (role, settings, why) => {
    const w = world(settings);
    w.tenant.roles = w.tenant.roles!.filter((r) => r !== role);
    const bad = await w.notPassing();
    expect(bad.map((c) => [c.id, c.status])).toEqual([['graph_roles', 'fail']]);
    expect(bad[0]!.message).toContain(role);
    expect(bad[0]!.message).toContain(why);
    expect(bad[0]!.fix).toContain(role);
  },
);

test('AuditLog.Read.All is not required while GUEST_INACTIVE_DAYS is 0; extra granted roles are not reported', async () => {
  const w = world();
  w.tenant.roles = w.tenant.roles!.filter((r) => r !== 'AuditLog.Read.All');
  expect(await w.notPassing()).toEqual([]);
  w.tenant.roles.push('Directory.Read.All');
  expect(await w.notPassing()).toEqual([]);
});

test('proof of send in the stored policy requires ExchangeMessageTrace.Read.All', async () => {
  const w = world();
  w.tenant.roles = w.tenant.roles!.filter((r) => r !== 'ExchangeMessageTrace.Read.All');
  expect(await w.notPassing()).toEqual([]);
  w.policy.policy = access({ enrolment: 'proof_of_send' });
  const bad = await w.notPassing();
  expect(bad.map((c) => c.id)).toEqual(['graph_roles']);
  expect(bad[0]!.message).toContain('ExchangeMessageTrace.Read.All (for proof of send');
});

test('enrolment approval with no approvers anywhere → only approvers fails; an approver or a sponsor passes', async () => {
  const w = world();
  w.policy.policy = access({ enrolment: 'approval' });
  const bad = await w.notPassing();
  expect(bad.map((c) => [c.id, c.status])).toEqual([['approvers', 'fail']]);
  expect(bad[0]!.fix).toContain('approvers');
  w.policy.policy = access({ enrolment: 'approval', approvers: ['boss@contoso.com'] });
  expect(await w.notPassing()).toEqual([]);
  w.policy.policy = access({
    enrolment: 'approval',
    partners: [{ domain: 'fabrikam.com', groupIds: [], sponsors: ['ana@contoso.com'] }],
  });
  expect(await w.notPassing()).toEqual([]);
  // proof_of_send without approvers is a choice (no trace → refused), not a misconfiguration.
  w.policy.policy = access({ enrolment: 'proof_of_send' });
  expect(await w.notPassing()).toEqual([]);
});

test('proof of send: a 403 on the message trace probe → only message_trace fails, with the permission to grant', async () => {
  const w = world();
  w.tenant.denied.add('probeMessageTraces');
  expect(await w.notPassing()).toEqual([]); // not probed while proof of send is off
  w.policy.policy = access({ enrolment: 'proof_of_send' });
  const bad = await w.notPassing();
  expect(bad.map((c) => [c.id, c.status])).toEqual([['message_trace', 'fail']]);
  expect(bad[0]!.fix).toContain('ExchangeMessageTrace.Read.All');
});

test('a denied email OTP or domain list read names its own least privileged permission', async () => {
  const w = world();
  w.tenant.denied.add('emailOtpConfiguration').add('invitationDomainList');
  const bad = await w.notPassing();
  expect(bad.map((c) => [c.id, c.status])).toEqual([
    ['email_otp', 'warn'],
    ['invitation_domains', 'warn'],
  ]);
  expect(bad[0]!.fix).toContain('Policy.Read.AuthenticationMethod');
  expect(bad[1]!.fix).toContain('Policy.Read.B2BManagementPolicy');
});

test('roles come from the JWT payload; a non-JWT token has none', () => {
  const jwt = (payload: object) =>
    ['e30', Buffer.from(JSON.stringify(payload)).toString('base64url'), 'sig'].join('.');
  expect(rolesClaim(jwt({ roles: ['User.Read.All'] }))).toEqual(['User.Read.All']);
  expect(rolesClaim(jwt({}))).toEqual([]);
  expect(rolesClaim('graph-emulator-dev-token')).toBeUndefined();
});

test('the b2bManagementPolicy definition string yields the allow or block list', () => {
  const def = (list: object) => [
    JSON.stringify({ B2BManagementPolicy: { InvitationsAllowedAndBlockedDomainsPolicy: list } }),
  ];
  expect(invitationDomains(def({ BlockedDomains: ['gmail.com'] }))).toEqual({ blocked: ['gmail.com'] });
  expect(invitationDomains(def({ AllowedDomains: ['contoso.com'] }))).toEqual({ allowed: ['contoso.com'] });
  expect(invitationDomains(def({}))).toBeUndefined();
  expect(invitationDomains(['not json'])).toBeUndefined();
});
