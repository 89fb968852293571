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
