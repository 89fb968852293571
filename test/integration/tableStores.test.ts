import { TableAuditLog } from '../../shared/adapters/tableAudit';
import { TableRateLimiter } from '../../shared/adapters/tableRateLimiter';
import { TableAddressStore, TableSignupStore } from '../../shared/adapters/tableStores';
import { freshTable } from '../support/azurite';
import { describeFlowAuditContract, describeStoreContract } from '../support/storeContract';

describeStoreContract('Table Storage adapters on Azurite', async () => ({
  signups: new TableSignupStore(await freshTable('signups')),
  addresses: new TableAddressStore(await freshTable('addresses')),
  limiter: new TableRateLimiter(await freshTable('limits')),
}));

describeFlowAuditContract('Table Storage adapters on Azurite', async () => {
  const signups = await freshTable('signups');
  return {
    signups: new TableSignupStore(signups),
    audit: new TableAuditLog(await freshTable('audit'), signups),
  };
});

test('a limiter that loses an ETag race reads the clock again, so its event is filed when it is granted', async () => {
  const table = await freshTable('limits');
  const limits = [{ name: 'second', limit: 100, windowSeconds: 1, sliding: true }];
  const rival = new TableRateLimiter(table);
  const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);
  await rival.consume('budget', limits, new Date(t0));
  // The rival writes between this limiter's read and its write, once: a real 412 from Azurite.
  let raced = false;
  const racing = new Proxy(table, {
    get(target, prop, receiver) {
      if (prop !== 'updateEntity') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<typeof table.updateEntity>) => {
        if (!raced) {
          raced = true;
          await rival.consume('budget', limits, new Date(t0 + 10));
        }
        return target.updateEntity(...args);
      };
    },
  });
  const readings: number[] = [];
  const clock = () => {
    readings.push(t0 + 20 + 500 * readings.length);
    return new Date(readings[readings.length - 1] ?? t0);
  };
  expect(await new TableRateLimiter(racing).consume('budget', limits, clock)).toEqual({ allowed: true });
  expect(readings).toEqual([t0 + 20, t0 + 520]);
  // Filed at 520 ms: still in the window at 1,500 ms, when the events at 0 and 10 ms have left it.
  expect(await rival.peek('budget', limits, new Date(t0 + 1500))).toEqual({ second: 1 });
});
