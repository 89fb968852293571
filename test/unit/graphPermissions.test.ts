/**
 * The Graph permissions a deployment needs, from its features (shared/domain/graphPermissions.ts): least
 * privilege (security review H3), each role once with every feature that needs it.
 */
import {
  ALL_GRAPH_ROLES,
  type GraphFeatures,
  READINESS_GRAPH_ROLES,
  requiredGraphRoles,
} from '../../shared/domain/graphPermissions';

const NONE: GraphFeatures = {
  partnerGroups: false,
  proofOfSend: false,
  guestDeletion: false,
  guestLifetimeDays: 0,
  guestInactiveDays: 0,
};
const roles = (f: Partial<GraphFeatures>) => requiredGraphRoles({ ...NONE, ...f }).map((n) => n.role);
const BASE = ['User.Invite.All', 'User.Read.All', ...READINESS_GRAPH_ROLES];

test('with no optional feature: invitations, user look-ups and the readiness reads only', () => {
  expect(roles({})).toEqual(BASE);
});

test.each([
  [{ partnerGroups: true }, ['GroupMember.ReadWrite.All']],
  [{ proofOfSend: true }, ['ExchangeMessageTrace.Read.All']],
  [{ guestDeletion: true }, ['User.DeleteRestore.All']],
  [{ guestLifetimeDays: 365 }, ['User.DeleteRestore.All', 'User.EnableDisableAccount.All']],
  [
    { guestInactiveDays: 90 },
    ['User.DeleteRestore.All', 'User.EnableDisableAccount.All', 'AuditLog.Read.All'],
  ],
] as const)('%j adds exactly %j', (features, added) => {
  expect(roles(features).filter((r) => !BASE.includes(r))).toEqual(added);
});

test('every feature on: every role, each once, in ALL_GRAPH_ROLES order', () => {
  const all = roles({
    partnerGroups: true,
    proofOfSend: true,
    guestDeletion: true,
    guestLifetimeDays: 365,
    guestInactiveDays: 90,
  });
  expect(all).toEqual([...ALL_GRAPH_ROLES]);
});

test('a role two features need names both', () => {
  const need = requiredGraphRoles({ ...NONE, guestDeletion: true, guestLifetimeDays: 30 }).find(
    (n) => n.role === 'User.DeleteRestore.All',
  );
  expect(need?.neededFor).toEqual([
    'erasure that deletes guest accounts',
    'deleting expired guests (GUEST_LIFETIME_DAYS or GUEST_INACTIVE_DAYS)',
  ]);
});

test('readiness asks only for read permissions, never a write or Directory.*', () => {
  for (const role of READINESS_GRAPH_ROLES) expect(role).toMatch(/^Policy\.Read\./);
  const all: readonly string[] = ALL_GRAPH_ROLES;
  expect(all.filter((r) => r.startsWith('Directory.') || r === 'User.ReadWrite.All')).toEqual([]);
});
