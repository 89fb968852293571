/** What the admin service halves share: its ports and settings. */
import type { FlowLimits } from '../domain/signupFlow';
import type { PolicyLists } from '../domain/policy';
import type { BounceService } from './bounceService';
import type {
  AddressStore,
  AuditLog,
  Clock,
  Directory,
  GuestAccounts,
  GuestLedgerStore,
  PolicyStore,
  QueueInspector,
  QueuePublisher,
  RateLimiter,
  SignupStore,
} from '../ports';

export interface AdminSettings extends FlowLimits, PolicyLists {
  secret: string;
  emailBudgetPerMinute: number;
  emailBudgetPerHour: number;
  graphWritesPerSecond: number;
  /** PARTNER_GROUP_IDS: a policy naming any other group is refused. */
  managedGroupIds: readonly string[];
}

export interface AdminDeps {
  signups: SignupStore;
  addresses: AddressStore;
  limiter: RateLimiter;
  queue: QueuePublisher;
  queues: QueueInspector;
  policyStore: PolicyStore;
  audit: AuditLog;
  directory: Directory;
  /** The guest ledger (admin guest view, stats by state) and Graph reads of a guest's mail. */
  ledger: GuestLedgerStore;
  accounts: GuestAccounts;
  clock: Clock;
  settings: AdminSettings;
  /** Bounce and suppression counts (admin stats). */
  bounces: Pick<BounceService, 'counts'>;
  /** Called after this instance saved a policy, so its own cache does not serve the old one. */
  onPolicyChanged?: () => void;
}
