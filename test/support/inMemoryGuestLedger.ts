/** In-memory fakes of the guest-lifecycle ports: the guest ledger and tenant discovery. */
import type { GuestEntry, GuestState } from '../../shared/domain/guestLedger';
import { ConcurrencyError } from '../../shared/errors';
import type { GuestLedgerStore, Page, TenantDiscovery, Versioned } from '../../shared/ports';

export class InMemoryGuestLedger implements GuestLedgerStore {
  readonly rows = new Map<string, Versioned<GuestEntry>>();
  private version = 0;

  private put(entry: GuestEntry): Versioned<GuestEntry> {
    const stored = { value: entry, etag: `"${++this.version}"` };
    this.rows.set(entry.objectId, stored);
    return stored;
  }

  get(objectId: string) {
    return Promise.resolve(this.rows.get(objectId));
  }

  byAddress(addressHash: string) {
    return Promise.resolve(
      [...this.rows.values()].find((r) => r.value.addressHash === addressHash && r.value.state !== 'deleted'),
    );
  }

  create(entry: GuestEntry) {
    return Promise.resolve(this.rows.get(entry.objectId) ?? this.put(entry));
  }

  update(entry: GuestEntry, etag: string) {
    if (this.rows.get(entry.objectId)?.etag !== etag)
      return Promise.reject(new ConcurrencyError('Guest ledger entry changed since it was read'));
    return Promise.resolve(this.put(entry));
  }

  delete(objectId: string) {
    this.rows.delete(objectId);
    return Promise.resolve();
  }

  list(query: {
    top: number;
    state?: GuestState;
    continuationToken?: string;
  }): Promise<Page<Versioned<GuestEntry>>> {
    const keys = [...this.rows.keys()]
      .sort()
      .filter((k) => !query.continuationToken || k > query.continuationToken);
    const matching = keys
      .map((k) => this.rows.get(k))
      .filter(
        (r): r is Versioned<GuestEntry> => r !== undefined && (!query.state || r.value.state === query.state),
      );
    const items = matching.slice(0, query.top);
    const last = items.at(-1);
    return Promise.resolve({
      items,
      continuationToken: matching.length > query.top && last ? last.value.objectId : undefined,
    });
  }
}

/** Domains listed here have their own Entra tenant; every lookup is recorded. */
export class FakeTenantDiscovery implements TenantDiscovery {
  readonly lookups: string[] = [];
  constructor(readonly tenantDomains = new Set<string>()) {}
  hasEntraTenant(domain: string) {
    this.lookups.push(domain);
    return Promise.resolve(this.tenantDomains.has(domain));
  }
}
