/**
 * A working in-memory `Directory` (a fake, not a mock) over the Graph emulator's own `DirectoryModel`, so
 * the rules cannot drift from the emulator's: lookups are case-insensitive over mail, UPN, otherMails and
 * SMTP proxy addresses and prefer members; re-inviting a guest returns the same user; inviting a member's
 * address or a forbidden address is refused; group adds say `already_member`, and 404 (as
 * `NotFoundYetError`) while an object is inside the replication lag.
 * Fault hooks let tests make the next call(s) fail, before or after the change takes effect.
 */
import { DirectoryModel, type EmulatedUser } from '../../dev/graph-emulator';
import {
  NotFoundYetError,
  type Directory,
  type DirectoryUser,
  type Invitation,
  type MessageTraces,
} from '../../shared/ports';

/** A user as the directory holds it (the emulator's record; `visibleAt` is the end of replication lag). */
export type FakeDirectoryUser = EmulatedUser;

export type DirectoryMethod =
  | 'findUserByEmail'
  | 'inviteGuest'
  | 'addToGroup'
  | 'deleteUser'
  | 'removeFromGroup'
  | 'groupExists'
  | 'deliveredTo';

export interface DirectoryCall {
  method: DirectoryMethod;
  args: unknown[];
}

interface Fault {
  method: DirectoryMethod;
  makeError: () => Error;
  remaining: number;
  /** Apply the change, then throw: a response lost after Graph committed the write. */
  afterEffect: boolean;
}

export interface InMemoryDirectoryOptions {
  tenantDomain?: string;
  replicationLagMs?: number;
  now?: () => number;
}

export class InMemoryDirectory implements Directory, MessageTraces {
  /** The directory state: the same model the Graph emulator serves. */
  readonly model: DirectoryModel;
  readonly calls: DirectoryCall[] = [];
  /** Redeem URLs handed out, one per successful inviteGuest call. */
  readonly invitations: Invitation[] = [];
  replicationLagMs: number;
  private faults: Fault[] = [];

  constructor(options: InMemoryDirectoryOptions = {}) {
    this.model = new DirectoryModel(options.tenantDomain ?? 'contoso.onmicrosoft.com', [], options.now);
    this.replicationLagMs = options.replicationLagMs ?? 0;
  }

  get users(): ReadonlyMap<string, FakeDirectoryUser> {
    return this.model.users;
  }

  // ----- seeding and inspection --------------------------------------------------------------------------

  seedMember(email: string, extra: Partial<FakeDirectoryUser> = {}): FakeDirectoryUser {
    return this.model.addUser({ ...this.model.seededUser({ mail: email, userType: 'Member' }), ...extra });
  }

  /** An already redeemed guest unless `extra` says otherwise. */
  seedGuest(email: string, extra: Partial<FakeDirectoryUser> = {}): FakeDirectoryUser {
    return this.model.addUser({ ...this.model.seededUser({ mail: email, userType: 'Guest' }), ...extra });
  }

  /** An existing (empty) group, e.g. a managed partner group. */
  seedGroup(groupId: string): void {
    this.model.group(groupId);
  }

  /** Exchange delivered a message to `recipientAddress` (now, unless `receivedDateTime` says otherwise). */
  seedTrace(trace: { recipientAddress: string; receivedDateTime?: string; status?: string }): void {
    this.model.addMessageTrace(trace);
  }

  /** Groups that exist (seeded or written). */
  get groups(): ReadonlyMap<string, { members: ReadonlySet<string> }> {
    return this.model.groups;
  }

  membersOf(groupId: string): string[] {
    return [...(this.model.groups.get(groupId)?.members ?? [])];
  }

  usersWithAddress(email: string): FakeDirectoryUser[] {
    return this.model.usersByAddress(email);
  }

  callsTo(method: DirectoryMethod): DirectoryCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The next `times` calls to `method` throw `error` (before the change, or after it with `afterEffect`). */
  failNext(
    method: DirectoryMethod,
    error: Error | (() => Error),
    options: { times?: number; afterEffect?: boolean } = {},
  ): void {
    this.faults.push({
      method,
      makeError: typeof error === 'function' ? error : () => error,
      remaining: options.times ?? 1,
      afterEffect: options.afterEffect ?? false,
    });
  }

  // ----- Directory ---------------------------------------------------------------------------------------

  async findUserByEmail(email: string): Promise<DirectoryUser | undefined> {
    return this.run('findUserByEmail', [email], () => {
      const user = this.model.userForAddress(email);
      return user ? this.view(user) : undefined;
    });
  }

  async inviteGuest(input: { email: string; displayName: string; redirectUrl: string }): Promise<Invitation> {
    return this.run('inviteGuest', [input], () => {
      const outcome = this.model.invite(input, this.replicationLagMs);
      if (!outcome.ok) {
        throw new Error(
          outcome.reason === 'invalid_address'
            ? `Invitation refused: the address is invalid (${outcome.problem})`
            : "Invitation refused: non-external user already exists with the given mail address and can't be invited",
        );
      }
      const { user, invitation: record } = outcome;
      const invitation = {
        userId: user.id,
        inviteRedeemUrl: `https://login.microsoftonline.com/redeem?rd=fake&user=${record.id}&ticket=${record.ticket}`,
      };
      this.invitations.push(invitation);
      return invitation;
    });
  }

  async addToGroup(groupId: string, userId: string): Promise<'added' | 'already_member'> {
    return this.run('addToGroup', [groupId, userId], () => {
      const outcome = this.model.addMember(groupId, userId);
      if (outcome === 'group_not_found' || outcome === 'user_not_found')
        throw new NotFoundYetError(
          outcome === 'user_not_found'
            ? `user ${userId} not found (yet)`
            : `group ${groupId} not found (yet)`,
        );
      return outcome;
    });
  }

  async deleteUser(userId: string): Promise<void> {
    return this.run('deleteUser', [userId], () => {
      this.model.deleteUser(userId);
    });
  }

  async removeFromGroup(groupId: string, userId: string): Promise<'removed' | 'not_member'> {
    return this.run('removeFromGroup', [groupId, userId], () =>
      this.model.groups.get(groupId)?.members.delete(userId) ? ('removed' as const) : ('not_member' as const),
    );
  }

  async groupExists(groupId: string): Promise<boolean> {
    return this.run('groupExists', [groupId], () => this.model.groups.has(groupId));
  }

  async deliveredTo(recipient: string, since: Date, until: Date): Promise<boolean> {
    return this.run('deliveredTo', [recipient, since, until], () =>
      this.model.messageTraces.some(
        (t) =>
          t.recipientAddress.toLowerCase() === recipient.toLowerCase() &&
          t.status === 'Delivered' &&
          Date.parse(t.receivedDateTime) >= since.getTime() &&
          Date.parse(t.receivedDateTime) <= until.getTime(),
      ),
    );
  }

  // ----- internals ---------------------------------------------------------------------------------------

  private view(user: FakeDirectoryUser): DirectoryUser {
    return {
      id: user.id,
      userType: user.userType,
      mail: user.mail,
      userPrincipalName: user.userPrincipalName,
      externalUserState: user.externalUserState,
    };
  }

  private async run<T>(method: DirectoryMethod, args: unknown[], effect: () => T): Promise<T> {
    this.calls.push({ method, args });
    await Promise.resolve(); // callers must not rely on synchronous completion
    const fault = this.faults.find((f) => f.method === method);
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
      if (!fault.afterEffect) throw fault.makeError();
      effect();
      throw fault.makeError();
    }
    return effect();
  }
}
