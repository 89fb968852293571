/**
 * The dev identity provider (dev/identityProvider.ts) on its own loopback port, for tests of the admin
 * token check: discovery, JWKS and direct minting of any token, good or bad.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { createLocalIdentityProvider, type MintInput } from '../../dev/graph-emulator/identityProvider';

export const TEST_AUDIENCE = 'api://rms-signup-test';
export const TEST_CLIENT_ID = 'rms-signup-test-console';

export interface TestIdp {
  authority: string;
  mint(input?: MintInput): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIdp(): Promise<TestIdp> {
  let base = '';
  const idp = createLocalIdentityProvider({ tenantId: 'test-tenant', baseUrl: () => base });
  const server = http.createServer((req, res) => {
    idp.handle(req, res, new URL(req.url ?? '/', base)).then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    authority: idp.authority(),
    mint: (input = {}) => idp.mint({ aud: TEST_AUDIENCE, ...input }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
