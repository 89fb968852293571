/**
 * The directory itself: users, groups, memberships and invitations with Graph's rules, and nothing about
 * HTTP. The emulator serves it over HTTP; the in-memory `Directory` fake (test/support/inMemoryDirectory.ts)
 * holds its state in one too, so the two cannot disagree on lookups, re-invitations or group adds.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { guestUserPrincipalName, invitedAddressProblem, sameText } from './addressRules';

export interface EmulatedUser {
  id: string;
  userType: 'Guest' | 'Member';
  mail: string | null;
  otherMails: string[];
  proxyAddresses: string[];
  userPrincipalName: string;
  displayName: string;
  mailNickname: string;
  externalUserState: string | null;
  externalUserStateChangeDateTime: string | null;
  creationType: string | null;
  accountEnabled: boolean;
  createdDateTime: string;
  /** Epoch ms before which the object is still "replicating" (404 on reads by id). */
  visibleAt: number;
}

export interface EmulatedGroup {
  id: string;
  displayName: string;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  /** `HiddenMembership` hides the member list from non-members (what the app's groups must have). */
  visibility?: string | null;
  members: Set<string>;
  visibleAt: number;
}

export interface EmulatedInvitation {
  id: string;
  userId: string;
  ticket: string;
  invitedUserEmailAddress: string;
  inviteRedirectUrl: string;
  createdDateTime: string;
}

/** One Exchange message trace (the fields proof of send reads). */
export interface EmulatedMessageTrace {
  id: string;
  senderAddress: string;
  recipientAddress: string;
  status: string;
  receivedDateTime: string;
  subject: string;
}

export interface SeedUserInput {
  userType?: 'Guest' | 'Member';
  mail: string;
  id?: string;
  displayName?: string;
  userPrincipalName?: string;
  otherMails?: string[];
  proxyAddresses?: string[];
  externalUserState?: string | null;
  accountEnabled?: boolean;
  /** Group ids the user is made a member of. */
  groups?: string[];
}

export interface InviteInput {
  email: string;
  redirectUrl: string;
  displayName?: string | null;
  userType?: 'Guest' | 'Member';
}

export type InviteOutcome =
  | { ok: true; user: EmulatedUser; invitation: EmulatedInvitation }
  | { ok: false; reason: 'invalid_address'; problem: string }
  | { ok: false; reason: 'member_exists' };

export type AddMemberOutcome = 'added' | 'already_member' | 'group_not_found' | 'user_not_found';

/** What Graph does to a mail nickname: characters it does not keep become `_`, at most 64 long. */
function nickname(local: string): string {
  return local.replace(/[^A-Za-z0-9'.\-_!#^~]/g, '_').slice(0, 64);
}

export class DirectoryModel {
  readonly users = new Map<string, EmulatedUser>();
  readonly groups = new Map<string, EmulatedGroup>();
  readonly invitations = new Map<string, EmulatedInvitation>();
  /** Exchange message traces, oldest first (GET /admin/exchange/tracing/messageTraces). */
  readonly messageTraces: EmulatedMessageTrace[] = [];

  constructor(
    readonly tenantDomain: string,
    readonly verifiedDomains: string[] = [],
    readonly now: () => number = Date.now,
  ) {}

  clear(): void {
    this.users.clear();
    this.groups.clear();
    this.invitations.clear();
    this.messageTraces.length = 0;
  }

  /** Records that Exchange handled a message (seeded by tests: the emulator sends no mail). */
  addMessageTrace(
    input: Partial<Omit<EmulatedMessageTrace, 'id'>> & { recipientAddress: string },
  ): EmulatedMessageTrace {
    const trace: EmulatedMessageTrace = {
      id: randomUUID(),
      senderAddress: input.senderAddress ?? 'sender@contoso.com',
      recipientAddress: input.recipientAddress,
      status: input.status ?? 'Delivered',
      receivedDateTime: input.receivedDateTime ?? new Date(this.now()).toISOString(),
      subject: input.subject ?? '',
    };
    this.messageTraces.push(trace);
    return trace;
  }

  /** Groups `userId` is a direct member of. */
  groupsOf(userId: string): EmulatedGroup[] {
    return [...this.groups.values()].filter((g) => g.members.has(userId));
  }

  /** False while a new object is inside the replication lag. */
  isVisible(object: { visibleAt: number }): boolean {
    return object.visibleAt <= this.now();
  }

  isVerifiedDomain(domain: string): boolean {
    return [this.tenantDomain, ...this.verifiedDomains].some((d) => sameText(d, domain));
  }

  /** Users whose mail, UPN, otherMails or SMTP proxy address equals the address (case-insensitive). */
  usersByAddress(address: string): EmulatedUser[] {
    return [...this.users.values()].filter(
      (u) =>
        sameText(u.mail, address) ||
        sameText(u.userPrincipalName, address) ||
        u.otherMails.some((m) => sameText(m, address)) ||
        u.proxyAddresses.some((p) => sameText(p.replace(/^smtp:/i, ''), address)),
    );
  }

  /** The user a sign-up should see for this address: a member wins over a guest. */
  userForAddress(address: string): EmulatedUser | undefined {
    const matches = this.usersByAddress(address);
    return matches.find((u) => u.userType === 'Member') ?? matches[0];
  }

  /** By object id, or by user principal name as Graph's /users/{id | userPrincipalName} allows. */
  userByKey(key: string): EmulatedUser | undefined {
    return this.users.get(key) ?? [...this.users.values()].find((u) => sameText(u.userPrincipalName, key));
  }

  /** Groups exist on first use, like a pre-provisioned access group would. */
  group(id: string): EmulatedGroup {
    let group = this.groups.get(id);
    if (!group) {
      group = {
        id,
        displayName: id,
        mailNickname: id,
        mailEnabled: false,
        securityEnabled: true,
        // A group the app is configured with exists as the deployment creates it: membership hidden.
        visibility: 'HiddenMembership',
        members: new Set(),
        visibleAt: 0,
      };
      this.groups.set(id, group);
    }
    return group;
  }

  addUser(user: EmulatedUser): EmulatedUser {
    this.users.set(user.id, user);
    return user;
  }

  addGroup(group: EmulatedGroup): EmulatedGroup {
    this.groups.set(group.id, group);
    return group;
  }

  /** The user `seedUser` would store, with Graph's defaults for whatever the input leaves out. */
  seededUser(input: SeedUserInput): EmulatedUser {
    const userType = input.userType ?? 'Member';
    const at = input.mail.lastIndexOf('@');
    const local = at > 0 ? input.mail.slice(0, at) : input.mail;
    const domain = at > 0 ? input.mail.slice(at + 1) : '';
    const guest = userType === 'Guest';
    const upn =
      input.userPrincipalName ??
      (guest
        ? guestUserPrincipalName(input.mail, this.tenantDomain)
        : this.isVerifiedDomain(domain)
          ? input.mail
          : `${local.replace(/[^A-Za-z0-9'.\-_!#^~]/g, '_')}@${this.tenantDomain}`);
    const now = new Date(this.now()).toISOString();
    return {
      id: input.id ?? randomUUID(),
      userType,
      mail: input.mail,
      otherMails: input.otherMails ?? (guest ? [input.mail] : []),
      proxyAddresses: input.proxyAddresses ?? [`SMTP:${input.mail}`],
      userPrincipalName: upn,
      displayName: input.displayName ?? local,
      mailNickname: nickname(local),
      externalUserState: guest
        ? input.externalUserState === undefined
          ? 'Accepted'
          : input.externalUserState
        : null,
      externalUserStateChangeDateTime: guest ? now : null,
      creationType: guest ? 'Invitation' : null,
      accountEnabled: input.accountEnabled ?? true,
      createdDateTime: now,
      visibleAt: 0,
    };
  }

  seedUser(input: SeedUserInput): EmulatedUser {
    const user = this.addUser(this.seededUser(input));
    for (const groupId of input.groups ?? []) this.group(groupId).members.add(user.id);
    return user;
  }

  deleteUser(id: string): boolean {
    if (!this.users.delete(id)) return false;
    for (const group of this.groups.values()) group.members.delete(id);
    return true;
  }

  /**
   * POST /invitations: refuses a forbidden address or a (non-invited) member's address; re-inviting an
   * existing guest returns that guest with a new invitation, as Graph does. A new guest replicates for
   * `replicationLagMs`.
   */
  invite(input: InviteInput, replicationLagMs = 0): InviteOutcome {
    const { email } = input;
    const problem = invitedAddressProblem(email);
    if (problem) return { ok: false, reason: 'invalid_address', problem };
    const existing = this.usersByAddress(email);
    if (existing.some((u) => u.userType === 'Member' && u.creationType !== 'Invitation'))
      return { ok: false, reason: 'member_exists' };
    const now = new Date(this.now()).toISOString();
    let user = existing.find((u) => u.creationType === 'Invitation' || u.userType === 'Guest');
    if (!user) {
      const upn = guestUserPrincipalName(email, this.tenantDomain);
      user = this.addUser({
        id: randomUUID(),
        userType: input.userType ?? 'Guest',
        mail: email,
        otherMails: [email],
        proxyAddresses: [`SMTP:${email}`],
        userPrincipalName: upn,
        displayName: input.displayName ? input.displayName : email.slice(0, email.lastIndexOf('@')),
        mailNickname: upn.split('#EXT#')[0]?.slice(0, 64) ?? '',
        externalUserState: 'PendingAcceptance',
        externalUserStateChangeDateTime: now,
        creationType: 'Invitation',
        accountEnabled: true,
        createdDateTime: now,
        visibleAt: this.now() + replicationLagMs,
      });
    }
    const invitation: EmulatedInvitation = {
      id: randomUUID(),
      userId: user.id,
      ticket: randomBytes(18).toString('base64url'),
      invitedUserEmailAddress: email,
      inviteRedirectUrl: input.redirectUrl,
      createdDateTime: now,
    };
    this.invitations.set(invitation.id, invitation);
    return { ok: true, user, invitation };
  }

  /** The guest opened its redeem link: it becomes Accepted (once). */
  redeem(invitationId: string, ticket: string | null): EmulatedInvitation | undefined {
    const invitation = this.invitations.get(invitationId);
    const user = invitation ? this.users.get(invitation.userId) : undefined;
    if (!invitation || !user || invitation.ticket !== ticket) return undefined;
    if (user.externalUserState !== 'Accepted') {
      user.externalUserState = 'Accepted';
      user.externalUserStateChangeDateTime = new Date(this.now()).toISOString();
    }
    return invitation;
  }

  /** POST /groups/{id}/members/$ref: neither the group nor the user may be inside the replication lag. */
  addMember(groupId: string, userId: string): AddMemberOutcome {
    const group = this.group(groupId);
    if (!this.isVisible(group)) return 'group_not_found';
    const user = this.users.get(userId);
    if (!user || !this.isVisible(user)) return 'user_not_found';
    if (group.members.has(userId)) return 'already_member';
    group.members.add(userId);
    return 'added';
  }

  /** DELETE /groups/{id}/members/{userId}/$ref: false when the user was not a member. */
  removeMember(groupId: string, userId: string): boolean {
    return this.group(groupId).members.delete(userId);
  }
}
