import { InMemoryAddressStore, InMemoryRateLimiter, InMemorySignupStore } from '../support/fakes';
import { describeStoreContract } from '../support/storeContract';

describeStoreContract('in-memory fakes', async () => ({
  signups: new InMemorySignupStore(),
  addresses: new InMemoryAddressStore(),
  limiter: new InMemoryRateLimiter(),
}));
