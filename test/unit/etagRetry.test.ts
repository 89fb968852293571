/** The one optimistic-concurrency loop: read, conditional write, read again on a lost race. */
import { withEtagRetry } from '../../shared/domain/etagRetry';
import { ConcurrencyError } from '../../shared/domain/errors';

/** A versioned cell whose conditional write loses to a rival writer `losses` times. */
function contendedCell(losses: number) {
  const cell = { value: 0, etag: 'v0', reads: 0, writes: 0 };
  return {
    cell,
    read: () => {
      cell.reads += 1;
      return Promise.resolve({ value: cell.value, etag: cell.etag });
    },
    write: (current: { value: number; etag: string }) => {
      cell.writes += 1;
      if (losses > 0) {
        losses -= 1;
        cell.etag = `rival-${losses}`; // someone else wrote in between
      }
      if (current.etag !== cell.etag) return Promise.reject(new ConcurrencyError('412'));
      cell.value = current.value + 1;
      cell.etag = `v${cell.value}`;
      return Promise.resolve(cell.value);
    },
  };
}

const exhausted = () => new Error('too much contention');

describe('withEtagRetry', () => {
  test('an uncontended write reads once and writes once', async () => {
    const { cell, read, write } = contendedCell(0);
    await expect(withEtagRetry(read, write, { attempts: 5, exhausted })).resolves.toBe(1);
    expect(cell).toMatchObject({ reads: 1, writes: 1 });
  });

  test('a lost race reads again and writes over the fresh version, pausing between attempts', async () => {
    const { cell, read, write } = contendedCell(2);
    const pauses: number[] = [];
    const pause = (race: number) => {
      pauses.push(race);
      return Promise.resolve();
    };
    await expect(withEtagRetry(read, write, { attempts: 5, exhausted, pause })).resolves.toBe(1);
    expect(cell).toMatchObject({ reads: 3, writes: 3 });
    expect(pauses).toEqual([0, 1]);
  });

  test('every attempt lost: throws the exhausted error after exactly `attempts` writes', async () => {
    const { cell, read, write } = contendedCell(99);
    await expect(withEtagRetry(read, write, { attempts: 4, exhausted })).rejects.toThrow(
      'too much contention',
    );
    expect(cell).toMatchObject({ reads: 4, writes: 4, value: 0 });
  });

  test('an error that is not a lost race propagates at once', async () => {
    let writes = 0;
    const write = () => {
      writes += 1;
      return Promise.reject(new Error('storage down'));
    };
    await expect(withEtagRetry(() => Promise.resolve(1), write, { attempts: 5, exhausted })).rejects.toThrow(
      'storage down',
    );
    expect(writes).toBe(1);
  });

  test('a lost race thrown by the read is not retried: only the write can lose one', async () => {
    const read = jest.fn(() => Promise.reject(new ConcurrencyError('412')));
    await expect(withEtagRetry(read, () => Promise.resolve(1), { attempts: 5, exhausted })).rejects.toThrow(
      ConcurrencyError,
    );
    expect(read).toHaveBeenCalledTimes(1);
  });

  test('isLostRace decides what counts as a lost race (a raw 412/409 from the SDK)', async () => {
    let writes = 0;
    const write = () => {
      writes += 1;
      return writes < 3
        ? Promise.reject(Object.assign(new Error('conflict'), { statusCode: 409 }))
        : Promise.resolve('ok');
    };
    const isLostRace = (e: unknown) => (e as { statusCode?: number }).statusCode === 409;
    await expect(
      withEtagRetry(() => Promise.resolve(undefined), write, { attempts: 5, exhausted, isLostRace }),
    ).resolves.toBe('ok');
    expect(writes).toBe(3);
  });

  test('the first read can be skipped by the caller (a version it already holds)', async () => {
    const { cell, read, write } = contendedCell(0);
    const known = { value: 0, etag: 'v0' };
    const readOrKnown = (race: number) => (race === 0 ? Promise.resolve(known) : read());
    await withEtagRetry(readOrKnown, write, { attempts: 3, exhausted });
    expect(cell).toMatchObject({ reads: 0, writes: 1, value: 1 });
  });
});
