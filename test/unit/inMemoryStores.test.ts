import {
  InMemoryAddressStore,
  InMemoryAuditLog,
  InMemoryRateLimiter,
  InMemorySignupStore,
} from '../support/fakes';
import { describeFlowAuditContract, describeStoreContract } from '../support/storeContract';

describeStoreContract('in-memory fakes', async () => ({
  signups: new InMemorySignupStore(),
  addresses: new InMemoryAddressStore(),
  limiter: new InMemoryRateLimiter(),
}));

describeFlowAuditContract('in-memory fakes', async () => {
  const audit = new InMemoryAuditLog();
  return { signups: new InMemorySignupStore(audit), audit };
});
