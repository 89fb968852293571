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

test('no groups configured: GroupMember.ReadWrite.All is not required', async () => {
  const w = world({ groupIds: [] });
  w.tenant.roles = ['User.Invite.All', 'User.Read.All'];
  expect(await w.notPassing()).toEqual([]);
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
