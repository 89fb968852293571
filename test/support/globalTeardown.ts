import type { AzuriteInstance } from '../../dev/processes';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __azurite?: AzuriteInstance }).__azurite?.stop();
}
