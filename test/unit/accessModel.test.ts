/**
 * The access model over the in-memory fakes with a fixed clock: identity first, partner groups, enrolment
 * modes decided after verification, sponsor approval, durable revocation and the kill switch that stops
 * every step (security review H1, H3, M2, M3, L3, L8).
 */
import {
  type AccessPolicy,
  decideEligibility,
  DEFAULT_ACCESS_POLICY,
  partnerFor,
  sponsorFor,
} from '../../shared/domain/accessPolicy';
import { makeApprovalService } from '../../shared/services/approvalService';
import { emailHashOf, makeRevocationService } from '../../shared/services/revocationService';
import { QUEUES } from '../../shared/storageNames';
import { TEST_SECRET, uniqueEmail } from '../support/builders';
import { emptyPolicy } from '../support/fakes';
import { PARTNER_GROUP, testWorld } from '../support/testWorld';

const SPONSOR = 'sponsor@contoso.com';
const APPROVER = 'approver@contoso.com';

function world(access: Partial<AccessPolicy> = {}) {
  const w = testWorld();
  w.policy.policy = emptyPolicy({ access: { ...DEFAULT_ACCESS_POLICY, ...access } });
  w.directory.seedGroup(PARTNER_GROUP);
  const approvals = makeApprovalService({ ...w, settings: w.settings });
  const revocations = makeRevocationService({
    ...w,
    settings: { secret: w.settings.secret, managedGroupIds: [PARTNER_GROUP] },
  });
  /** Start → code → verify → provisioning → the emails it queued. */
  async function journey(email: string) {
    const signupId = await w.verifiedSignup(email);
    await w.deliverProvisioning();
    await w.deliverEmails();
    return signupId;
  }
  const status = async (signupId: string) => w.signupService.status(signupId);
  /** Graph calls made for sign-ups: the managed-group check runs once per process, at first use. */
  const signupCalls = () => w.directory.calls.filter((c) => c.method !== 'groupExists');
  const graphWrites = () =>
    w.directory.calls.filter((c) => c.method !== 'findUserByEmail' && c.method !== 'deliveredTo');
  /** The approval link's token in the newest email to `to`. */
  const tokenIn = (to: string) => {
    const mails = w.sender.deliveredTo(to);
    const match = /\/approvals\/([A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{24})/.exec(mails.at(-1)?.text ?? '');
    if (!match?.[1]) throw new Error(`no approval link for ${to}`);
    return match[1];
  };
  return { ...w, approvals, revocations, journey, status, graphWrites, tokenIn, signupCalls };
}

const partner = (sponsors: string[] = []) => ({
  partners: [{ domain: 'fabrikam.com', groupIds: [PARTNER_GROUP], sponsors }],
});

describe('eligibility (pure)', () => {
  const policy: AccessPolicy = { ...DEFAULT_ACCESS_POLICY, ...partner() };
  test('a partner subdomain matches its partner; the most specific partner wins', () => {
    const two = [
      { domain: 'fabrikam.com', groupIds: ['a'], sponsors: [] },
      { domain: 'eu.fabrikam.com', groupIds: ['b'], sponsors: [] },
    ];
    expect(partnerFor('x.eu.fabrikam.com', two)?.groupIds).toEqual(['b']);
    expect(partnerFor('fabrikam.com.evil.com', two)).toBeUndefined();
  });
  test('revoked wins over everything, approval included', () => {
    expect(decideEligibility({ domain: 'fabrikam.com', policy, revoked: true, approved: true })).toEqual({
      decision: 'not_eligible',
      reason: 'revoked',
    });
  });
  test.each([
    ['open', 'northwind.com', { decision: 'provision', groupIds: [] }],
    ['partners', 'northwind.com', { decision: 'not_eligible', reason: 'not_partner' }],
    ['proof_of_send', 'northwind.com', { decision: 'check_mail', days: 30 }],
    ['partners', 'eu.fabrikam.com', { decision: 'provision', groupIds: [PARTNER_GROUP] }],
    ['proof_of_send', 'fabrikam.com', { decision: 'provision', groupIds: [PARTNER_GROUP] }],
  ] as const)('%s: %s → %j', (enrolment, domain, expected) => {
    expect(decideEligibility({ domain, policy: { ...policy, enrolment }, revoked: false })).toEqual(expected);
  });
  test("the ledger's sponsor: an approved flow's first approver, else the partner's first sponsor, else none", () => {
    const withApprovers = { ...policy, approvers: [APPROVER, 'second@contoso.com'] };
    const withSponsors = { ...withApprovers, ...partner([SPONSOR, 'other@contoso.com']) };
    expect(sponsorFor('northwind.com', withApprovers, true)).toBe(APPROVER);
    expect(sponsorFor('northwind.com', withApprovers, false)).toBeUndefined();
    expect(sponsorFor('eu.fabrikam.com', withSponsors, true)).toBe(SPONSOR);
    expect(sponsorFor('eu.fabrikam.com', withSponsors, false)).toBe(SPONSOR);
    expect(sponsorFor('fabrikam.com', { ...withApprovers, ...partner() }, false)).toBeUndefined();
  });
});

describe('identity first and partners', () => {
  test('default policy: a new guest costs exactly 2 Graph requests (lookup, invitation) and no group write', async () => {
    const w = world();
    const signupId = await w.journey(uniqueEmail('northwind.com'));
    expect((await w.status(signupId)).status).toBe('ready');
    expect(w.signupCalls().map((c) => c.method)).toEqual(['findUserByEmail', 'inviteGuest']);
    // Once per process, not per guest: every managed group is checked to exist at first use.
    expect(w.directory.callsTo('groupExists').map((c) => c.args[0])).toHaveLength(2);
  });

  test('a partner address joins exactly its groups; a non-partner address joins none', async () => {
    const w = world(partner());
    const a = uniqueEmail('eu.fabrikam.com');
    await w.journey(a);
    await w.journey(uniqueEmail('northwind.com'));
    const [guest] = w.directory.usersWithAddress(a);
    expect(w.directory.membersOf(PARTNER_GROUP)).toEqual([guest!.id]);
    expect(w.directory.callsTo('addToGroup')).toHaveLength(1);
  });

  test('a policy naming a group this service does not manage is refused, and so are unknown fields', async () => {
    const w = world();
    const { service } = w.makeAdmin();
    const put = (body: unknown) => service.putPolicy(body as never, { actor: 'alice' }, w.log);
    await expect(
      put({
        signupsPaused: false,
        partners: [{ domain: 'fabrikam.com', groupIds: ['33333333-3333-4333-8333-333333333333'] }],
      }),
    ).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining('33333333') });
    const saved = await put({ signupsPaused: false, ...partner([SPONSOR]), enrolment: 'partners' });
    expect(saved.policy.partners).toEqual([
      { domain: 'fabrikam.com', groupIds: [PARTNER_GROUP], sponsors: [SPONSOR] },
    ]);
    await expect(put({ signupsPaused: false, enrolment: 'approval' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});

describe('enrolment modes, decided after verification', () => {
  test('partners: a non-partner verifies, ends not_eligible (not_partner) with no Graph call and is told by email', async () => {
    const w = world({ ...partner(), enrolment: 'partners' });
    const email = uniqueEmail('northwind.com');
    const signupId = await w.journey(email);
    expect(await w.status(signupId)).toMatchObject({ status: 'not_eligible', reason: 'not_partner' });
    expect(w.signupCalls()).toHaveLength(0);
    expect(w.sender.deliveredTo(email).at(-1)?.text).toContain('partner organisations');
  });

  test('proof_of_send: a delivered trace within the window admits (identity only); none, or one older than the window, does not', async () => {
    const w = world({ enrolment: 'proof_of_send', proofOfSendDays: 30 });
    const [recent, old, none] = [1, 2, 3].map(() => uniqueEmail('northwind.com'));
    w.directory.seedTrace({
      recipientAddress: recent!,
      receivedDateTime: new Date(w.clock.now().getTime() - 5 * 86_400_000).toISOString(),
    });
    w.directory.seedTrace({
      recipientAddress: old!,
      receivedDateTime: new Date(w.clock.now().getTime() - 31 * 86_400_000).toISOString(),
    });
    const ids = [];
    for (const email of [recent!, old!, none!]) ids.push(await w.journey(email));
    expect((await w.status(ids[0]!)).status).toBe('ready');
    expect(await w.status(ids[1]!)).toMatchObject({ status: 'not_eligible', reason: 'no_recent_mail' });
    expect(await w.status(ids[2]!)).toMatchObject({ status: 'not_eligible', reason: 'no_recent_mail' });
    expect(w.directory.callsTo('deliveredTo')).toHaveLength(3);
    expect(w.directory.callsTo('inviteGuest')).toHaveLength(1);
  });

  test('proof_of_send without a trace but with approvers waits for a sponsor', async () => {
    const w = world({ enrolment: 'proof_of_send', approvers: [APPROVER] });
    const signupId = await w.journey(uniqueEmail('northwind.com'));
    expect(await w.status(signupId)).toMatchObject({ status: 'pending_approval', decidedBy: 'sponsor' });
    expect(w.sender.deliveredTo(APPROVER)).toHaveLength(1);
  });
});

describe('sponsor approval', () => {
  test('the guest ledger records the approver as sponsor; an open sign-up records none', async () => {
    const w = world({ enrolment: 'approval', approvers: [APPROVER, 'second@contoso.com'] });
    const ledgerSponsor = async (email: string) => {
      const [guest] = w.directory.usersWithAddress(email);
      return (await w.ledger.get(guest!.id))?.value.sponsor;
    };
    const approved = uniqueEmail('northwind.com');
    await w.journey(approved);
    await w.approvals.decide(w.tokenIn(APPROVER), 'approve', w.log);
    await w.deliverProvisioning();
    expect(await ledgerSponsor(approved)).toBe(APPROVER);

    w.policy.policy = emptyPolicy({ access: { ...DEFAULT_ACCESS_POLICY, approvers: [APPROVER] } });
    const open = uniqueEmail('northwind.com');
    await w.journey(open);
    expect(await ledgerSponsor(open)).toBeUndefined();
  });

  test('approve: the sponsor gets an email naming the address and domain; GET does not decide; approve provisions; a second decision is 409', async () => {
    const w = world({ enrolment: 'approval', approvers: [APPROVER] });
    const email = uniqueEmail('northwind.com');
    const signupId = await w.journey(email);
    expect(await w.status(signupId)).toMatchObject({ status: 'pending_approval', decidedBy: 'sponsor' });
    expect(w.signupCalls()).toHaveLength(0);
    const mail = w.sender.deliveredTo(APPROVER)[0]!;
    expect(mail.text).toContain(email);
    expect(mail.text).toContain('northwind.com');
    expect(mail.subject).not.toContain(email);
    const token = w.tokenIn(APPROVER);
    for (let i = 0; i < 3; i++) expect((await w.approvals.get(token)).status).toBe('pending');
    expect((await w.status(signupId)).status).toBe('pending_approval');

    expect(await w.approvals.decide(token, 'approve', w.log)).toEqual({ decision: 'approve', signupId });
    await w.deliverProvisioning();
    await w.deliverEmails();
    expect((await w.status(signupId)).status).toBe('ready');
    expect(w.sender.deliveredTo(email).at(-1)?.subject).toContain('guest account');
    await expect(w.approvals.decide(token, 'deny', w.log)).rejects.toMatchObject({ code: 'already_decided' });
    expect((await w.approvals.get(token)).status).toBe('approved');
  });

  test('deny: the flow ends not_eligible (denied), nothing is created, and the requester is told', async () => {
    const w = world(partner([SPONSOR]));
    const email = uniqueEmail('fabrikam.com');
    const signupId = await w.journey(email);
    const token = w.tokenIn(SPONSOR);
    await w.approvals.decide(token, 'deny', w.log);
    await w.deliverEmails();
    expect(await w.status(signupId)).toMatchObject({ status: 'not_eligible', reason: 'denied' });
    expect(w.signupCalls()).toHaveLength(0);
    expect(w.sender.deliveredTo(email).at(-1)?.text).toContain('did not approve');
  });

  test('an expired request cannot be decided and the flow reads expired; a forged or foreign token is a 404', async () => {
    const w = world({ enrolment: 'approval', approvers: [APPROVER] });
    const signupId = await w.journey(uniqueEmail('northwind.com'));
    const token = w.tokenIn(APPROVER);
    await expect(w.approvals.decide(`${signupId}.${'A'.repeat(24)}`, 'approve', w.log)).rejects.toMatchObject(
      {
        code: 'approval_not_found',
      },
    );
    w.clock.advance(7 * 86_400_000);
    await expect(w.approvals.decide(token, 'approve', w.log)).rejects.toMatchObject({
      code: 'approval_not_found',
    });
    expect((await w.status(signupId)).status).toBe('expired');
  });
});

describe('durable revocation', () => {
  test('revoke removes the guest from managed groups and deletes it only because we created it; a re-sign-up ends not_eligible (revoked) with no Graph write; lifting lets it through', async () => {
    const w = world(partner());
    const email = uniqueEmail('fabrikam.com');
    await w.journey(email);
    const [guest] = w.directory.usersWithAddress(email);
    expect(w.directory.membersOf(PARTNER_GROUP)).toEqual([guest!.id]);

    const revoked = await w.revocations.revoke({ email, deleteGuest: true, reason: 'left' }, 'alice', w.log);
    expect(revoked).toMatchObject({
      emailHash: emailHashOf(TEST_SECRET, email),
      guestDeleted: true,
      groupsRemoved: 1,
    });
    expect(w.directory.usersWithAddress(email)).toHaveLength(0);
    expect(JSON.stringify(await w.revocations.list())).not.toContain(email);

    const writesBefore = w.graphWrites().length;
    w.clock.advance(61_000); // the per-recipient email cap: one code a minute
    const again = await w.journey(email);
    expect(await w.status(again)).toMatchObject({ status: 'not_eligible', reason: 'revoked' });
    expect(w.graphWrites()).toHaveLength(writesBefore);

    await w.revocations.lift(revoked.emailHash, 'alice', w.log);
    w.clock.advance(61_000);
    const third = await w.journey(email);
    expect((await w.status(third)).status).toBe('ready');
    expect(w.audit.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['revoked', 'revocation_lifted']),
    );
  });

  test('deleteGuest refuses a guest this service did not create, and changes nothing', async () => {
    const w = world();
    const email = uniqueEmail('northwind.com');
    w.directory.seedGuest(email);
    await expect(w.revocations.revoke({ email, deleteGuest: true }, 'alice', w.log)).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await w.revocations.list()).toEqual([]);
    expect(w.directory.usersWithAddress(email)).toHaveLength(1);
  });
});

describe('the kill switch stops every step (security review M2)', () => {
  test('paused mid-flow: resend and verify answer 503, emails and provisioning are held (never dropped) and go out after the un-pause', async () => {
    const w = world();
    const email = uniqueEmail('northwind.com');
    const { signupId } = await w.signupService.start({ email, ip: '203.0.113.7', correlationId: 'c' }, w.log);
    w.policy.policy = { ...w.policy.policy, signupsPaused: true, pauseReason: 'Maintenance' };
    await w.deliverEmails();
    expect(w.sender.deliveredTo(email)).toHaveLength(0);
    expect(w.queue.on(QUEUES.email)).toHaveLength(1);
    w.clock.advance(61_000);
    for (const call of [
      () => w.signupService.resend({ signupId, ip: '203.0.113.7' }, w.log),
      () => w.signupService.verify({ signupId, code: '000000', ip: '203.0.113.7' }, w.log),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'signups_paused', message: 'Maintenance' });
    }
    w.policy.policy = { ...w.policy.policy, signupsPaused: false };
    await w.deliverEmails();
    await w.signupService.verify({ signupId, code: w.latestCode(email), ip: '203.0.113.7' }, w.log);

    w.policy.policy = {
      ...w.policy.policy,
      pausedDomains: [{ domain: 'northwind.com', reason: 'Review' }],
    };
    expect(await w.deliverProvisioning()).toEqual([
      { action: 'requeue', delaySeconds: 10, reason: 'domain_paused' },
    ]);
    expect(w.signupCalls()).toHaveLength(0);
    w.policy.policy = { ...w.policy.policy, pausedDomains: [], blockedDomains: ['northwind.com'] };
    await w.deliverProvisioning();
    expect(w.signupCalls()).toHaveLength(0);
    w.policy.policy = { ...w.policy.policy, blockedDomains: [] };
    await w.deliverProvisioning();
    await w.deliverEmails();
    expect((await w.status(signupId)).status).toBe('ready');
    expect(w.sender.deliveredTo(email)).toHaveLength(2);
  });
});

test('start answers are identical for open, partner, revoked and approval addresses (req 23)', async () => {
  const w = world({ ...partner([SPONSOR]), enrolment: 'approval', approvers: [APPROVER] });
  const revokedEmail = uniqueEmail('northwind.com');
  await w.revocations.revoke({ email: revokedEmail }, 'alice', w.log);
  const shapes = [];
  for (const email of [uniqueEmail('tailspin.com'), uniqueEmail('fabrikam.com'), revokedEmail]) {
    const started = await w.signupService.start({ email, ip: '203.0.113.8', correlationId: 'c' }, w.log);
    shapes.push(Object.keys(started).sort().join(','));
    expect(started.status).toBe('pending_verification');
  }
  expect(new Set(shapes).size).toBe(1);
});
