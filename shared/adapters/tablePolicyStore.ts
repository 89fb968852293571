import type { TableClient } from '@azure/data-tables';

import { ConcurrencyError } from '../errors';
import type { PolicyStore, StoredPolicy, Versioned } from '../ports';
import { statusOf } from './storageClients';

const PK = 'policy';
const RK = 'current';

/** The run-time policy: one entity, written only with its ETag so two admins cannot overwrite each other. */
export class TablePolicyStore implements PolicyStore {
  constructor(private readonly table: TableClient) {}

  async get(): Promise<Versioned<StoredPolicy> | undefined> {
    try {
      const e = await this.table.getEntity<{ policy: string }>(PK, RK);
      return { value: JSON.parse(e.policy) as StoredPolicy, etag: e.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async put(policy: StoredPolicy, etag: string | undefined): Promise<Versioned<StoredPolicy>> {
    const entity = { partitionKey: PK, rowKey: RK, policy: JSON.stringify(policy) };
    try {
      const res = etag
        ? await this.table.updateEntity(entity, 'Replace', { etag })
        : await this.table.createEntity(entity);
      return { value: policy, etag: res.etag ?? '' };
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 409)
        throw new ConcurrencyError('The policy changed since it was read');
      throw error;
    }
  }
}
