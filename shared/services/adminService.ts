/**
 * The admin half: the run-time policy, sign-up records, retry, erasure and stats. Called by the
 * /api/admin functions after the host checked the function key and `adminAuth` checked the role; every
 * state change it makes is audited here (`policy_changed`, `admin_retry`, `erased`), not in HTTP code.
 */
import type { AdminDeps } from './adminDeps';
import { makeAdminGuests } from './adminGuests';
import { makeAdminPolicy } from './adminPolicy';
import { makeAdminSignups } from './adminSignups';
import { makeAdminStats } from './adminStats';

export type { AdminDeps, AdminSettings } from './adminDeps';
export * from './adminGuests';
export * from './adminPolicy';
export * from './adminSignups';
export * from './adminStats';

export function makeAdminService(deps: AdminDeps) {
  return {
    ...makeAdminPolicy(deps),
    ...makeAdminSignups(deps),
    ...makeAdminStats(deps),
    ...makeAdminGuests(deps),
  };
}

export type AdminService = ReturnType<typeof makeAdminService>;
