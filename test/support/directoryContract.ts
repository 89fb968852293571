/**
 * One behavioural contract for every `Directory`: the in-memory fake and GraphDirectory over the emulator
 * (real HTTP) must both pass it, so tests written against the fake mean something for Graph.
 */
import { randomUUID } from 'node:crypto';
import { isTransientError } from '../../shared/errors';
import type { Directory } from '../../shared/ports';

export interface DirectoryHarness {
  directory: Directory;
  /** Creates a member user whose mail is `email`; resolves its id. */
  seedMember(email: string): Promise<string>;
  /** Creates a guest (already redeemed) whose mail is `email`; resolves its id. */
  seedGuest(email: string): Promise<string>;
  close(): Promise<void>;
}

const REDIRECT = 'https://myapplications.microsoft.com';

/** A unique, invitable address per call so tests never see each other's users. */
function address(prefix = 'user'): string {
  return `${prefix}.${randomUUID().slice(0, 8)}@fabrikam.example.com`;
}

export function describeDirectoryContract(
  name: string,
  makeDirectory: () => Promise<DirectoryHarness>,
): void {
  describe(`Directory contract: ${name}`, () => {
    let h: DirectoryHarness;
    beforeEach(async () => {
      h = await makeDirectory();
    });
    afterEach(async () => {
      await h.close();
    });

    describe('findUserByEmail', () => {
      it('finds nobody for an unknown address', async () => {
        await expect(h.directory.findUserByEmail(address())).resolves.toBeUndefined();
      });

      it('finds a member by mail, ignoring case', async () => {
        const email = address('member');
        const id = await h.seedMember(email);
        const found = await h.directory.findUserByEmail(email.toUpperCase());
        expect(found).toMatchObject({ id, userType: 'Member' });
      });

      it('finds a guest and reports its redemption state', async () => {
        const email = address('guest');
        const id = await h.seedGuest(email);
        const found = await h.directory.findUserByEmail(email);
        expect(found).toMatchObject({ id, userType: 'Guest' });
        expect(found?.userPrincipalName).toContain('#EXT#');
        expect(found?.externalUserState).toEqual(expect.any(String));
      });

      it('prefers the member when a member and a guest share the address', async () => {
        const email = address('both');
        await h.seedGuest(email);
        const memberId = await h.seedMember(email);
        await expect(h.directory.findUserByEmail(email)).resolves.toMatchObject({
          id: memberId,
          userType: 'Member',
        });
      });

      it("matches an address with an apostrophe (OData '' escaping)", async () => {
        const email = `o'brien.${randomUUID().slice(0, 6)}@fabrikam.example.com`;
        const id = await h.seedGuest(email);
        await expect(h.directory.findUserByEmail(email)).resolves.toMatchObject({ id });
      });

      it('treats a quote in the address as data, not as filter syntax', async () => {
        await h.seedMember(address('victim'));
        const injection = `x' or userType eq 'Member' or mail eq 'y@example.com`;
        await expect(h.directory.findUserByEmail(injection)).resolves.toBeUndefined();
      });

      it('keeps a plus sign and an ampersand intact (URL encoding)', async () => {
        const tag = randomUUID().slice(0, 6);
        const plus = `bob+${tag}@fabrikam.example.com`;
        const amp = `r&d.${tag}@fabrikam.example.com`;
        const plusId = await h.seedMember(plus);
        const ampId = await h.seedMember(amp);
        await expect(h.directory.findUserByEmail(plus)).resolves.toMatchObject({ id: plusId });
        await expect(h.directory.findUserByEmail(`bob ${tag}@fabrikam.example.com`)).resolves.toBeUndefined();
        await expect(h.directory.findUserByEmail(amp)).resolves.toMatchObject({ id: ampId });
      });
    });

    describe('inviteGuest', () => {
      it('creates a pending guest and returns its id and a redeem URL', async () => {
        const email = address('new');
        const invitation = await h.directory.inviteGuest({
          email,
          displayName: 'New Person',
          redirectUrl: REDIRECT,
        });
        expect(invitation.userId).toEqual(expect.any(String));
        expect(new URL(invitation.inviteRedeemUrl).protocol).toMatch(/^https?:$/);
        await expect(h.directory.findUserByEmail(email)).resolves.toMatchObject({
          id: invitation.userId,
          userType: 'Guest',
          externalUserState: 'PendingAcceptance',
        });
      });

      it('returns the same guest when the address is invited again (a replayed POST creates nothing)', async () => {
        const email = address('again');
        const first = await h.directory.inviteGuest({ email, displayName: 'Again', redirectUrl: REDIRECT });
        const second = await h.directory.inviteGuest({ email, displayName: 'Again', redirectUrl: REDIRECT });
        expect(second.userId).toBe(first.userId);
      });

      it('returns the existing guest for an address seeded as a guest', async () => {
        const email = address('seeded');
        const id = await h.seedGuest(email);
        await expect(
          h.directory.inviteGuest({ email, displayName: 'Seeded', redirectUrl: REDIRECT }),
        ).resolves.toMatchObject({
          userId: id,
        });
      });

      it("refuses a member's address with a permanent error", async () => {
        const email = address('member');
        await h.seedMember(email);
        const error = await h.directory
          .inviteGuest({ email, displayName: 'Member', redirectUrl: REDIRECT })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(Error);
        expect(isTransientError(error)).toBe(false);
        expect((error as Error).message).not.toContain(email);
      });

      it('refuses an address with a character Graph does not permit in invitations (+)', async () => {
        const error = await h.directory
          .inviteGuest({
            email: `plus+${randomUUID().slice(0, 6)}@fabrikam.example.com`,
            displayName: 'Plus',
            redirectUrl: REDIRECT,
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(Error);
        expect(isTransientError(error)).toBe(false);
      });
    });

    describe('addToGroup', () => {
      it("adds once, then answers 'already_member'", async () => {
        const group = randomUUID();
        const { userId } = await h.directory.inviteGuest({
          email: address('grp'),
          displayName: 'G',
          redirectUrl: REDIRECT,
        });
        await expect(h.directory.addToGroup(group, userId)).resolves.toBe('added');
        await expect(h.directory.addToGroup(group, userId)).resolves.toBe('already_member');
      });

      it('throws NotFoundYetError for an object the directory does not know', async () => {
        await expect(h.directory.addToGroup(randomUUID(), randomUUID())).rejects.toMatchObject({
          name: 'NotFoundYetError',
        });
      });
    });

    describe('deleteUser', () => {
      it('removes the user, resolves again when already gone, and a new invitation makes a new user', async () => {
        const email = address('gone');
        const { userId } = await h.directory.inviteGuest({
          email,
          displayName: 'Gone',
          redirectUrl: REDIRECT,
        });
        await h.directory.deleteUser(userId);
        await expect(h.directory.findUserByEmail(email)).resolves.toBeUndefined();
        await expect(h.directory.deleteUser(userId)).resolves.toBeUndefined();
        const again = await h.directory.inviteGuest({ email, displayName: 'Gone', redirectUrl: REDIRECT });
        expect(again.userId).not.toBe(userId);
      });
    });
  });
}
