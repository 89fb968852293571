import { TransientError } from '../../shared/errors';
import { NotFoundYetError } from '../../shared/ports';
import { describeDirectoryContract } from '../support/directoryContract';
import { InMemoryDirectory } from '../support/inMemoryDirectory';

describeDirectoryContract('InMemoryDirectory', async () => {
  const directory = new InMemoryDirectory();
  return {
    directory,
    seedMember: async (email) => directory.seedMember(email).id,
    seedGuest: async (email) => directory.seedGuest(email).id,
    close: async () => undefined,
  };
});

describe('InMemoryDirectory fault hooks', () => {
  const input = {
    email: 'alice@fabrikam.example.com',
    displayName: 'Alice',
    redirectUrl: 'https://example.com',
  };

  it('fails the next call before the change when asked', async () => {
    const directory = new InMemoryDirectory();
    directory.failNext('inviteGuest', new TransientError('throttled', 7, 'throttled'));
    await expect(directory.inviteGuest(input)).rejects.toMatchObject({
      name: 'TransientError',
      retryAfterSeconds: 7,
    });
    expect(directory.users.size).toBe(0);
    await expect(directory.inviteGuest(input)).resolves.toMatchObject({ userId: expect.any(String) });
    expect(directory.users.size).toBe(1);
  });

  it('can apply the change and still throw, like a response lost after Graph committed', async () => {
    const directory = new InMemoryDirectory();
    directory.failNext('inviteGuest', () => new TransientError('lost', 1), { afterEffect: true, times: 2 });
    await expect(directory.inviteGuest(input)).rejects.toThrow('lost');
    await expect(directory.inviteGuest(input)).rejects.toThrow('lost');
    const { userId } = await directory.inviteGuest(input);
    expect(directory.usersWithAddress(input.email).map((u) => u.id)).toEqual([userId]);
    expect(directory.callsTo('inviteGuest')).toHaveLength(3);
  });

  it('answers NotFoundYetError while a new guest is inside the replication lag', async () => {
    let now = 1_000;
    const directory = new InMemoryDirectory({ replicationLagMs: 3_000, now: () => now });
    const { userId } = await directory.inviteGuest(input);
    await expect(directory.addToGroup('g', userId)).rejects.toBeInstanceOf(NotFoundYetError);
    now += 2_999;
    await expect(directory.addToGroup('g', userId)).rejects.toBeInstanceOf(NotFoundYetError);
    now += 1;
    await expect(directory.addToGroup('g', userId)).resolves.toBe('added');
    expect(directory.membersOf('g')).toEqual([userId]);
  });

  it('deleting a user also removes it from groups', async () => {
    const directory = new InMemoryDirectory();
    const user = directory.seedGuest(input.email);
    await directory.addToGroup('g', user.id);
    await directory.deleteUser(user.id);
    expect(directory.membersOf('g')).toEqual([]);
  });
});
