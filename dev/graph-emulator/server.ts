/** Starts one emulator: its state, the router with every resource module, and an HTTP server. */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { registerControlRoutes } from './controls';
import { registerGroupRoutes } from './groups';
import {
  createLocalIdentityProvider,
  type LocalIdentityProvider,
  registerIdentityRoutes,
} from './identityProvider';
import { registerInvitationRoutes } from './invitations';
import { registerMessageTraceRoutes } from './messageTraces';
import { Router, type EmulatorContext, type RouteModule } from './router';
import { GraphEmulatorState, type WriteLimit } from './state';
import { registerTenantRoutes } from './tenant';
import { registerUserRoutes } from './users';

export interface GraphEmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  tenantDomain?: string;
  tenantId?: string;
  /** Extra verified domains accepted in member UPNs (the tenant domain always is). */
  verifiedDomains?: string[];
  /** Off by default. Only writes (POST/PATCH/PUT/DELETE) count. */
  writeLimit?: WriteLimit | null;
  /** Objects created through the API answer 404 on GET by id and as group-add targets for this long. */
  replicationLagMs?: number;
}

export interface GraphEmulator {
  url: string;
  port: number;
  state: GraphEmulatorState;
  /** The local OpenID provider on the same port (identityProvider.ts): ADMIN_AUTHORITY in dev and tests. */
  idp: LocalIdentityProvider;
  close(): Promise<void>;
}

/** Every Graph area the emulator serves; a new one is one more module here. */
const MODULES: RouteModule[] = [
  registerInvitationRoutes,
  registerUserRoutes,
  registerGroupRoutes,
  registerTenantRoutes,
  registerMessageTraceRoutes,
  registerControlRoutes,
];

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const host = options.host ?? '127.0.0.1';
  const state = new GraphEmulatorState(
    options.tenantId ?? randomUUID(),
    options.tenantDomain ?? 'contoso.onmicrosoft.com',
    options.verifiedDomains ?? [],
    { writeLimit: options.writeLimit ?? null, replicationLagMs: options.replicationLagMs ?? 0 },
  );
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  // Fault delays are tracked so close() does not wait for them.
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const router = new Router(state, delay, () => baseUrl);
  const context: EmulatorContext = { state, baseUrl: () => baseUrl };
  // Before the Graph modules: its /_emulator/idp/ prefix must win over the controls' /_emulator/.
  const idp = createLocalIdentityProvider({ tenantId: state.tenantId, baseUrl: () => baseUrl });
  registerIdentityRoutes(router, idp, state.tenantId);
  for (const register of MODULES) register(router, context);

  const server = http.createServer(router.listener());
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7072, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    port,
    state,
    idp,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
