import { InMemoryAuditLog } from '../support/fakes';
import { describeAuditContract } from '../support/storeContract';

describeAuditContract('in-memory fake', async () => new InMemoryAuditLog());
