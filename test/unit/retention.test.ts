/**
 * Retention with a fixed clock: the pure rules at their boundaries, and one run over the in-memory stores
 * that must delete exactly what is due — no more, no less.
 */
import type { SignupFlow } from '../../shared/domain/signupFlow';
import type { AuditEvent } from '../../shared/ports';
import {
  addressIsDue,
  auditCutoff,
  flowIsDue,
  limitIsDue,
  makeRetentionService,
  type RetentionSettings,
} from '../../shared/services/retentionService';
import { aSignup } from '../support/builders';
import {
  CapturingSink,
  FixedClock,
  InMemoryAddressStore,
  InMemoryAuditLog,
  InMemoryRateLimiter,
  InMemorySignupStore,
} from '../support/fakes';
import { createLogger } from '../../shared/log';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const H = 3_600_000;
const D = 24 * H;
const SETTINGS: RetentionSettings = { finishedDays: 30, auditDays: 180 };
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const iso = (ms: number) => ago(ms).toISOString();

/** A flow created `createdAgo` before NOW (24 h lifetime), with overrides. */
const flowCreated = (createdAgo: number, overrides: Partial<SignupFlow> = {}) =>
  aSignup(overrides, ago(createdAgo));

describe('rules', () => {
  test.each<[string, boolean, SignupFlow]>([
    ['pending, 1 h before its expiry', false, flowCreated(23 * H)],
    ['pending, at its expiry (24 h after start)', true, flowCreated(24 * H)],
    ['pending, past its expiry', true, flowCreated(25 * H)],
    ['verified 40 days ago (in progress: kept)', false, flowCreated(40 * D, { status: 'verified' })],
    ['provisioning 40 days ago (in progress: kept)', false, flowCreated(40 * D, { status: 'provisioning' })],
    ['ready, finished 29 days ago', false, flowCreated(29 * D, { status: 'ready', finishedAt: iso(29 * D) })],
    [
      'ready, finished exactly 30 days ago',
      true,
      flowCreated(31 * D, { status: 'ready', finishedAt: iso(30 * D) }),
    ],
    [
      'failed, finished 31 days ago',
      true,
      flowCreated(31 * D, { status: 'failed', finishedAt: iso(31 * D) }),
    ],
    [
      'locked 2 days ago',
      false,
      flowCreated(2 * D, { status: 'expired', lockedAt: iso(2 * D), finishedAt: iso(2 * D) }),
    ],
    [
      'locked 31 days ago',
      true,
      flowCreated(31 * D, { status: 'expired', lockedAt: iso(31 * D), finishedAt: iso(31 * D) }),
    ],
  ])('flow: %s → due %s', (_name, due, flow) => {
    expect(flowIsDue(flow, NOW, SETTINGS)).toBe(due);
  });

  test('address record: only when its flow is gone and its last send is a day old', () => {
    const record = (sentAt: number[]) => ({ addressKey: 'k', currentSignupId: 's', sentAt });
    expect(addressIsDue(record([]), false, NOW)).toBe(true);
    expect(addressIsDue(record([ago(D).getTime()]), false, NOW)).toBe(true);
    expect(addressIsDue(record([ago(2 * D).getTime(), ago(D - 1).getTime()]), false, NOW)).toBe(false);
    expect(addressIsDue(record([]), true, NOW)).toBe(false);
  });

  test('rate-limit counter: only when every window started at least a day ago', () => {
    expect(limitIsDue({}, NOW)).toBe(true);
    expect(limitIsDue({ day: { start: ago(D).getTime(), count: 3 } }, NOW)).toBe(true);
    expect(limitIsDue({ day: { start: ago(D - 1).getTime(), count: 3 } }, NOW)).toBe(false);
    expect(
      limitIsDue(
        {
          minute: { start: ago(2 * D).getTime(), count: 1 },
          hour: { start: ago(2 * H).getTime(), count: 1 },
        },
        NOW,
      ),
    ).toBe(false);
  });

  test('audit cutoff: RETENTION_AUDIT_DAYS before now', () => {
    expect(auditCutoff(NOW, SETTINGS).toISOString()).toBe(iso(180 * D));
  });
});

function world() {
  const clock = new FixedClock(NOW);
  const signups = new InMemorySignupStore();
  const addresses = new InMemoryAddressStore();
  const limiter = new InMemoryRateLimiter();
  const audit = new InMemoryAuditLog();
  const sink = new CapturingSink();
  const retention = makeRetentionService({ signups, addresses, limiter, audit, clock, settings: SETTINGS });
  return { clock, signups, addresses, limiter, audit, sink, log: createLogger(sink), retention };
}

test('retention deletes exactly what is due (fixed clock)', async () => {
  const w = world();
  const keep: Record<string, SignupFlow> = {
    pending: flowCreated(23 * H),
    verified: flowCreated(40 * D, { status: 'verified' }),
    provisioning: flowCreated(40 * D, { status: 'provisioning' }),
    recentReady: flowCreated(29 * D, { status: 'ready', finishedAt: iso(29 * D) }),
    recentLock: flowCreated(2 * D, { status: 'expired', lockedAt: iso(2 * D), finishedAt: iso(2 * D) }),
  };
  const drop: Record<string, SignupFlow> = {
    expired: flowCreated(24 * H),
    oldPending: flowCreated(10 * D),
    oldReady: flowCreated(31 * D, { status: 'ready', finishedAt: iso(30 * D) }),
    oldFailed: flowCreated(40 * D, { status: 'failed', finishedAt: iso(31 * D) }),
    oldLock: flowCreated(31 * D, { status: 'expired', lockedAt: iso(31 * D), finishedAt: iso(31 * D) }),
  };
  for (const flow of [...Object.values(keep), ...Object.values(drop)]) await w.signups.create(flow);

  const address = async (key: string, currentSignupId: string | undefined, sentAt: number[]) => {
    if (currentSignupId) await w.addresses.setCurrentSignup(key, currentSignupId);
    else w.addresses.rows.set(key, { value: { addressKey: key, sentAt: [] }, etag: 'W/"seed"' });
    const rec = await w.addresses.get(key);
    await w.addresses.update({ ...rec!.value, sentAt }, rec!.etag);
  };
  await address('a-live-flow', keep.recentReady!.signupId, [ago(20 * D).getTime()]);
  await address('a-flow-dropped-now', drop.oldReady!.signupId, [ago(31 * D).getTime()]);
  await address('a-recent-send', drop.expired!.signupId, [ago(23 * H).getTime()]);
  await address('a-no-flow', undefined, []);

  const limits = {
    'keep-minute': { minute: { start: ago(2 * 60_000).getTime(), count: 1 } },
    'keep-mixed': {
      minute: { start: ago(2 * D).getTime(), count: 1 },
      hour: { start: ago(2 * H).getTime(), count: 4 },
    },
    'drop-day': { day: { start: ago(25 * H).getTime(), count: 9 } },
    'drop-empty': {},
  };
  for (const [key, windows] of Object.entries(limits)) w.limiter.windows.set(key, windows);
  // Enough due counters to need more than one page.
  for (let i = 0; i < 1200; i++)
    w.limiter.windows.set(`drop-bulk-${String(i).padStart(4, '0')}`, {
      hour: { start: ago(3 * D).getTime(), count: 1 },
    });

  const event = (at: Date, type: AuditEvent['type'] = 'started'): AuditEvent => ({
    type,
    at: at.toISOString(),
    actor: 'system',
  });
  await w.audit.append(event(ago(181 * D)));
  await w.audit.append(event(ago(180 * D + 1)));
  await w.audit.append(event(ago(180 * D), 'verified'));
  await w.audit.append(event(ago(179 * D), 'provisioned'));

  const report = await w.retention.run(w.log);

  expect([...w.signups.rows.keys()].sort()).toEqual(
    Object.values(keep)
      .map((f) => f.signupId)
      .sort(),
  );
  expect([...w.addresses.rows.keys()].sort()).toEqual(['a-live-flow', 'a-recent-send']);
  expect([...w.limiter.windows.keys()].sort()).toEqual(['keep-minute', 'keep-mixed']);
  expect(w.audit.events.map((e) => e.type)).toEqual(['verified', 'provisioned']);
  expect(report).toEqual({ flowsDeleted: 5, addressesDeleted: 2, limitsDeleted: 1202, auditRowsDeleted: 2 });
  expect(w.sink.events().find((e) => e.event === 'retention_completed')).toMatchObject({
    flowsDeleted: 5,
    auditRowsDeleted: 2,
  });

  // A second run finds nothing more to do.
  expect(await w.retention.run(w.log)).toEqual({
    flowsDeleted: 0,
    addressesDeleted: 0,
    limitsDeleted: 0,
    auditRowsDeleted: 0,
  });
});

test('a record that changes between the listing and the delete is kept (ETag-conditional)', async () => {
  const w = world();
  const gone = flowCreated(40 * D, { status: 'failed', finishedAt: iso(31 * D) });
  await w.addresses.setCurrentSignup('racing', gone.signupId);
  const list = w.addresses.list.bind(w.addresses);
  // A new start for the address lands while retention holds the stale page.
  w.addresses.list = async (options) => {
    const page = await list(options);
    await w.addresses.setCurrentSignup('racing', 'a-brand-new-flow-id-0000');
    return page;
  };
  const report = await w.retention.run(w.log);
  expect(report.addressesDeleted).toBe(0);
  expect((await w.addresses.get('racing'))?.value.currentSignupId).toBe('a-brand-new-flow-id-0000');
});
