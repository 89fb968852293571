import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';

/** Asks the kernel for a free loopback port (the port is released before it is returned). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
export async function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isPortOpen(port, host)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Nothing listens on ${host}:${port} after ${timeoutMs} ms`);
}

/** Sends SIGTERM, then SIGKILL after graceMs; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface AzuriteInstance {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  connectionString: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  /** Keep data on disk in this folder instead of in memory. */
  persistDir?: string;
  stdio?: 'ignore' | 'inherit';
}

const DEV_ACCOUNT = 'devstoreaccount1';
// Azurite's published development key: not a secret.
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteConnectionString(blobPort: number, queuePort: number, tablePort: number): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT}`,
    `AccountKey=${DEV_KEY}`,
    `BlobEndpoint=http://127.0.0.1:${blobPort}/${DEV_ACCOUNT}`,
    `QueueEndpoint=http://127.0.0.1:${queuePort}/${DEV_ACCOUNT}`,
    `TableEndpoint=http://127.0.0.1:${tablePort}/${DEV_ACCOUNT}`,
  ].join(';');
}

/** Starts Azurite as a child process (in memory unless persistDir is given) and waits for its three ports. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteInstance> {
  // A port found free can be taken before Azurite binds it (an outgoing connection's ephemeral port under
  // load, say): Azurite then exits at once. Ports we chose ourselves are chosen again.
  const chosen =
    options.blobPort === undefined && options.queuePort === undefined && options.tablePort === undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAzuriteOnce(options);
    } catch (error) {
      if (!chosen || attempt >= 3 || !(error instanceof AzuriteExitedError)) throw error;
    }
  }
}

class AzuriteExitedError extends Error {}

async function startAzuriteOnce(options: AzuriteOptions): Promise<AzuriteInstance> {
  const blobPort = options.blobPort ?? (await freePort());
  const queuePort = options.queuePort ?? (await freePort());
  const tablePort = options.tablePort ?? (await freePort());
  const bin = require.resolve('azurite/dist/src/azurite.js');
  const args = [
    bin,
    '--silent',
    '--disableTelemetry',
    // The queue SDK resolved on Node 20 sends an x-ms-version newer than some Azurite builds accept.
    '--skipApiVersionCheck',
    '--blobHost',
    '127.0.0.1',
    '--queueHost',
    '127.0.0.1',
    '--tableHost',
    '127.0.0.1',
    '--blobPort',
    String(blobPort),
    '--queuePort',
    String(queuePort),
    '--tablePort',
    String(tablePort),
    ...(options.persistDir
      ? ['--location', options.persistDir]
      : ['--inMemoryPersistence', '--extentMemoryLimit', '256']),
  ];
  const child = spawn(process.execPath, args, { stdio: options.stdio ?? 'ignore' });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(
        new AzuriteExitedError(
          `Azurite exited during start-up (${String(code ?? signal)}); ports ${blobPort}, ${queuePort}, ${tablePort}`,
        ),
      ),
    ),
  );
  exited.catch(() => undefined); // after start-up, an exit is the caller's business
  try {
    await Promise.race([
      Promise.all([blobPort, queuePort, tablePort].map((p) => waitForPort(p, 30_000))),
      exited,
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    blobPort,
    queuePort,
    tablePort,
    connectionString: azuriteConnectionString(blobPort, queuePort, tablePort),
    process: child,
    stop: () => stopProcess(child),
  };
}
