/**
 * Paged Table queries for admin listings and retention, and the deletes they lead to. The SDK's continuation token (base64 JSON of the
 * next partition and row key) is handed to clients as base64url so it survives a query string; a token
 * that does not decode to that shape is refused as `invalid_request` instead of reaching the service.
 */
import type { TableClient, TableEntityResult } from '@azure/data-tables';

import { AppError } from '../errors';
import type { Page } from '../ports';
import { statusOf } from './storageClients';

/** The Table service returns at most 1,000 entities per page. */
export const MAX_TABLE_PAGE = 1000;

export function toClientToken(sdkToken: string | undefined): string | undefined {
  return sdkToken ? Buffer.from(sdkToken, 'base64').toString('base64url') : undefined;
}

export function toSdkToken(clientToken: string | undefined): string | undefined {
  if (clientToken === undefined || clientToken === '') return undefined;
  const invalid = () =>
    new AppError(
      'invalid_request',
      'continuationToken is not valid: pass back the token of the previous page.',
    );
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(clientToken)) throw invalid();
  const json = Buffer.from(clientToken, 'base64url').toString('utf8');
  try {
    const parsed = JSON.parse(json) as { nextPartitionKey?: unknown; nextRowKey?: unknown };
    if (typeof parsed.nextPartitionKey !== 'string') throw invalid();
    if (parsed.nextRowKey !== undefined && typeof parsed.nextRowKey !== 'string') throw invalid();
  } catch {
    throw invalid();
  }
  return Buffer.from(json, 'utf8').toString('base64');
}

/** One storage page of `filter` (up to `top`, capped at 1,000) and the token for the next one. */
export async function queryPage(
  table: TableClient,
  options: { filter?: string; top: number; continuationToken?: string; select?: string[] },
): Promise<Page<TableEntityResult<Record<string, unknown>>>> {
  const pages = table
    .listEntities<Record<string, unknown>>({
      queryOptions: { filter: options.filter, ...(options.select ? { select: options.select } : {}) },
    })
    .byPage({
      maxPageSize: Math.max(1, Math.min(MAX_TABLE_PAGE, Math.floor(options.top))),
      continuationToken: toSdkToken(options.continuationToken),
    });
  const first = await pages.next();
  if (first.done) return { items: [] };
  const page = first.value;
  return { items: [...page], continuationToken: toClientToken(page.continuationToken) };
}

/** Deletes an entity; one that is already gone is fine. */
export async function deleteIfPresent(table: TableClient, pk: string, rk: string): Promise<void> {
  try {
    await table.deleteEntity(pk, rk);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

/** Deletes with the ETag that was read: false when the entity changed (412) or is already gone (404). */
export async function deleteIfUnchanged(
  table: TableClient,
  pk: string,
  rk: string,
  etag: string,
): Promise<boolean> {
  try {
    await table.deleteEntity(pk, rk, { etag });
    return true;
  } catch (error) {
    const status = statusOf(error);
    if (status === 412 || status === 404) return false;
    throw error;
  }
}
