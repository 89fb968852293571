/**
 * A working in-memory `Directory` (a fake, not a mock): same rules as Graph and the emulator — lookups are
 * case-insensitive over mail, UPN, otherMails and SMTP proxy addresses and prefer members; re-inviting a
 * guest returns the same user; inviting a member's address or a forbidden address is refused; group adds
 * say `already_member`, and 404 (as `NotFoundYetError`) while an object is inside the replication lag.
 * Fault hooks let tests make the next call(s) fail, before or after the change takes effect.
 */
import { randomUUID } from 'node:crypto';
import { guestUserPrincipalName, invitedAddressProblem } from '../../dev/graphEmulator';
import {
  NotFoundYetError,
  type Directory,
  type DirectoryUser,
  type Invitation,
  type MessageTraces,
} from '../../shared/ports';

export interface FakeDirectoryUser extends DirectoryUser {
  otherMails: string[];
  proxyAddresses: string[];
  displayName: string;
  /** Clock ms before which the user is still "replicating" (group add answers 404). */
  visibleAt: number;
}

export type DirectoryMethod =
  | 'findUserByEmail'
  | 'inviteGuest'
  | 'addToGroup'
  | 'deleteUser'
  | 'removeFromGroup'
  | 'groupExists'
  | 'deliveredTo';

/** A message trace as Exchange reports it (only the fields proof of send reads). */
export interface FakeMessageTrace {
  recipientAddress: string;
  senderAddress: string;
  status: string;
  receivedDateTime: string;
}

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

function same(a: string | null | undefined, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
}

export class InMemoryDirectory implements Directory, MessageTraces {
  readonly users = new Map<string, FakeDirectoryUser>();
  readonly groups = new Map<string, Set<string>>();
  readonly calls: DirectoryCall[] = [];
  readonly traces: FakeMessageTrace[] = [];
  /** Redeem URLs handed out, one per successful inviteGuest call. */
  readonly invitations: Invitation[] = [];
  replicationLagMs: number;
  private faults: Fault[] = [];
  private readonly tenantDomain: string;
  private readonly now: () => number;

  constructor(options: InMemoryDirectoryOptions = {}) {
    this.tenantDomain = options.tenantDomain ?? 'contoso.onmicrosoft.com';
    this.replicationLagMs = options.replicationLagMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  // ----- seeding and inspection --------------------------------------------------------------------------

  seedMember(email: string, extra: Partial<FakeDirectoryUser> = {}): FakeDirectoryUser {
    return this.add({
      id: randomUUID(),
      userType: 'Member',
      mail: email,
      userPrincipalName: email,
      externalUserState: null,
      otherMails: [],
      proxyAddresses: [`SMTP:${email}`],
      displayName: email.split('@')[0] ?? email,
      visibleAt: 0,
      ...extra,
    });
  }

  seedGuest(email: string, extra: Partial<FakeDirectoryUser> = {}): FakeDirectoryUser {
    return this.add({
      id: randomUUID(),
      userType: 'Guest',
      mail: email,
      userPrincipalName: guestUserPrincipalName(email, this.tenantDomain),
      externalUserState: 'Accepted',
      otherMails: [email],
      proxyAddresses: [`SMTP:${email}`],
      displayName: email.split('@')[0] ?? email,
      visibleAt: 0,
      ...extra,
    });
  }

  /** An existing (empty) group, e.g. a managed partner group. */
  seedGroup(groupId: string): void {
    if (!this.groups.has(groupId)) this.groups.set(groupId, new Set());
  }

  seedTrace(trace: Partial<FakeMessageTrace> & { recipientAddress: string }): void {
    this.traces.push({
      senderAddress: 'sender@contoso.com',
      status: 'Delivered',
      receivedDateTime: new Date(this.now()).toISOString(),
      ...trace,
    });
  }

  membersOf(groupId: string): string[] {
    return [...(this.groups.get(groupId) ?? [])];
  }

  usersWithAddress(email: string): FakeDirectoryUser[] {
    return [...this.users.values()].filter(
      (u) =>
        same(u.mail, email) ||
        same(u.userPrincipalName, email) ||
        u.otherMails.some((m) => same(m, email)) ||
        u.proxyAddresses.some((p) => same(p.replace(/^smtp:/i, ''), email)),
    );
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
      const matches = this.usersWithAddress(email);
      const user = matches.find((u) => u.userType === 'Member') ?? matches[0];
      return user ? this.view(user) : undefined;
    });
  }

  async inviteGuest(input: { email: string; displayName: string; redirectUrl: string }): Promise<Invitation> {
    return this.run('inviteGuest', [input], () => {
      const problem = invitedAddressProblem(input.email);
      if (problem) throw new Error(`Invitation refused: the address is invalid (${problem})`);
      const existing = this.usersWithAddress(input.email);
      if (existing.some((u) => u.userType === 'Member')) {
        throw new Error(
          "Invitation refused: non-external user already exists with the given mail address and can't be invited",
        );
      }
      const user =
        existing[0] ??
        this.add({
          id: randomUUID(),
          userType: 'Guest',
          mail: input.email,
          userPrincipalName: guestUserPrincipalName(input.email, this.tenantDomain),
          externalUserState: 'PendingAcceptance',
          otherMails: [input.email],
          proxyAddresses: [`SMTP:${input.email}`],
          displayName: input.displayName,
          visibleAt: this.now() + this.replicationLagMs,
        });
      const invitation = {
        userId: user.id,
        inviteRedeemUrl: `https://login.microsoftonline.com/redeem?rd=fake&user=${user.id}&ticket=${randomUUID()}`,
      };
      this.invitations.push(invitation);
      return invitation;
    });
  }

  async addToGroup(groupId: string, userId: string): Promise<'added' | 'already_member'> {
    return this.run('addToGroup', [groupId, userId], () => {
      const user = this.users.get(userId);
      if (!user || user.visibleAt > this.now()) throw new NotFoundYetError(`user ${userId} not found (yet)`);
      const members = this.groups.get(groupId) ?? new Set<string>();
      this.groups.set(groupId, members);
      if (members.has(userId)) return 'already_member' as const;
      members.add(userId);
      return 'added' as const;
    });
  }

  async deleteUser(userId: string): Promise<void> {
    return this.run('deleteUser', [userId], () => {
      this.users.delete(userId);
      for (const members of this.groups.values()) members.delete(userId);
    });
  }

  async removeFromGroup(groupId: string, userId: string): Promise<'removed' | 'not_member'> {
    return this.run('removeFromGroup', [groupId, userId], () =>
      this.groups.get(groupId)?.delete(userId) ? ('removed' as const) : ('not_member' as const),
    );
  }

  async groupExists(groupId: string): Promise<boolean> {
    return this.run('groupExists', [groupId], () => this.groups.has(groupId));
  }

  async deliveredTo(recipient: string, since: Date, until: Date): Promise<boolean> {
    return this.run('deliveredTo', [recipient, since, until], () =>
      this.traces.some(
        (t) =>
          same(t.recipientAddress, recipient) &&
          t.status === 'Delivered' &&
          Date.parse(t.receivedDateTime) >= since.getTime() &&
          Date.parse(t.receivedDateTime) <= until.getTime(),
      ),
    );
  }

  // ----- internals ---------------------------------------------------------------------------------------

  private add(user: FakeDirectoryUser): FakeDirectoryUser {
    this.users.set(user.id, user);
    return user;
  }

  private view(user: FakeDirectoryUser): DirectoryUser {
    return {
      id: user.id,
      userType: user.userType,
      mail: user.mail ?? null,
      userPrincipalName: user.userPrincipalName,
      externalUserState: user.externalUserState ?? null,
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
