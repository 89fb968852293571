/**
 * What the host indexes for the admin functions: every admin route is an HTTP trigger, `anonymous` to the
 * host in entra mode (the default: the Entra token is the credential, checked in the app, see
 * adminApi.test.ts) and `function` in key mode (the host refuses a call without the key, 401); retention
 * is a daily timer.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { CronExpressionParser } from 'cron-parser';

const registered: Array<{ name: string; bindings: Record<string, Record<string, unknown>> }> = [];
jest.mock(
  '@azure/functions-core',
  () => ({
    setProgrammingModel: () => undefined,
    registerFunction: (metadata: never) => {
      registered.push(metadata);
      return { dispose: () => undefined };
    },
    registerHook: () => ({ dispose: () => undefined }),
  }),
  { virtual: true },
);

const functionsDir = path.join(__dirname, '..', '..', 'functions');
const adminFiles = readdirSync(functionsDir).filter((f) => /^admin.*\.ts$/.test(f));

beforeAll(() => {
  for (const file of [...adminFiles, 'retention.ts']) require(path.join(functionsDir, file));
});

const trigger = (name: string) =>
  Object.values(registered.find((r) => r.name === name)?.bindings ?? {}).find((b) => b.direction === 'in');

test('each admin file registers one function named after it', () => {
  expect(adminFiles.length).toBe(12);
  expect(registered.map((r) => r.name).sort()).toEqual(
    [...adminFiles.map((f) => f.replace(/\.ts$/, '')), 'retention'].sort(),
  );
});

test.each([
  ['adminPolicyGet', 'api/admin/policy', ['GET']],
  ['adminPolicyPut', 'api/admin/policy', ['PUT']],
  ['adminSignupsList', 'api/admin/signups', ['GET']],
  ['adminSignupGet', 'api/admin/signups/{signupId}', ['GET']],
  ['adminSignupRetry', 'api/admin/signups/{signupId}/retry', ['POST']],
  ['adminSignupDecide', 'api/admin/signups/{signupId}/decision', ['POST']],
  ['adminSignupDelete', 'api/admin/signups/{signupId}', ['DELETE']],
  ['adminStats', 'api/admin/stats', ['GET']],
  ['adminReadiness', 'api/admin/readiness', ['GET']],
])(
  '%s is an HTTP trigger on %s %j, anonymous to the host in entra mode (the token is checked in the app)',
  (name, route, methods) => {
    expect(trigger(name)).toMatchObject({ type: 'httpTrigger', route, methods, authLevel: 'anonymous' });
  },
);

test('with ADMIN_AUTH=key every admin registration needs the function key (authLevel function)', () => {
  const before = registered.length;
  const saved = process.env.ADMIN_AUTH;
  process.env.ADMIN_AUTH = 'key';
  try {
    jest.isolateModules(() => {
      for (const file of adminFiles) require(path.join(functionsDir, file));
    });
  } finally {
    if (saved === undefined) delete process.env.ADMIN_AUTH;
    else process.env.ADMIN_AUTH = saved;
  }
  const keyed = registered.slice(before);
  expect(keyed).toHaveLength(adminFiles.length);
  expect(keyed.map((r) => Object.values(r.bindings).find((b) => b.direction === 'in')?.authLevel)).toEqual(
    keyed.map(() => 'function'),
  );
  registered.splice(before);
});

test('retention is a timer that runs once a day at 02:30 UTC and not on start-up', () => {
  const t = trigger('retention');
  expect(t).toMatchObject({ type: 'timerTrigger', schedule: '0 30 2 * * *' });
  expect(t?.runOnStartup).not.toBe(true);
  const next = CronExpressionParser.parse(String(t?.schedule), {
    currentDate: new Date('2026-11-25T12:00:00Z'),
    tz: 'UTC',
  });
  const runs = [next.next().toDate().toISOString(), next.next().toDate().toISOString()];
  expect(runs).toEqual(['2026-11-26T02:30:00.000Z', '2026-11-27T02:30:00.000Z']);
});
