/** The ports `npm start` needs, their environment overrides, and a check that each is free. */
import net from 'node:net';

export interface StackPort {
  name: string;
  port: number;
  /** The environment variable(s) that set it. */
  env: string;
}

export interface TakenPort extends StackPort {
  reason: string;
}

const SPECS: { name: string; vars: string[]; fallback: number }[] = [
  { name: 'Functions host', vars: ['FUNCTIONS_PORT', 'PORT'], fallback: 7071 },
  { name: 'Azurite blob', vars: ['AZURITE_BLOB_PORT'], fallback: 10000 },
  { name: 'Azurite queue', vars: ['AZURITE_QUEUE_PORT'], fallback: 10001 },
  { name: 'Azurite table', vars: ['AZURITE_TABLE_PORT'], fallback: 10002 },
  { name: 'maildev SMTP', vars: ['MAILDEV_SMTP_PORT'], fallback: 1025 },
  { name: 'maildev web', vars: ['MAILDEV_WEB_PORT'], fallback: 1080 },
  { name: 'Graph emulator', vars: ['GRAPH_EMULATOR_PORT'], fallback: 7072 },
];

export function resolveStackPorts(env: NodeJS.ProcessEnv = process.env): StackPort[] {
  return SPECS.map(({ name, vars, fallback }) => {
    const source = vars.find((v) => env[v] !== undefined && env[v] !== '');
    const raw = source ? (env[source] ?? '') : String(fallback);
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port > 65535)
      throw new Error(`${source ?? name} must be a port number (0-65535), got "${raw}"`);
    return { name, port, env: vars.join(' or ') };
  });
}

/** True when nothing can bind 127.0.0.1:port (something listens on it, loopback or wildcard). */
export function isPortTaken(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(true));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** Every port that is in use, or configured twice; empty when the stack can start. */
export async function findTakenPorts(ports: StackPort[]): Promise<TakenPort[]> {
  const taken: TakenPort[] = [];
  const claimed = new Map<number, string>();
  for (const entry of ports) {
    const owner = claimed.get(entry.port);
    if (owner !== undefined && entry.port !== 0) {
      taken.push({ ...entry, reason: `also configured for ${owner}` });
      continue;
    }
    claimed.set(entry.port, entry.name);
    if (entry.port !== 0 && (await isPortTaken(entry.port)))
      taken.push({ ...entry, reason: 'already in use' });
  }
  return taken;
}

export function describeTakenPorts(taken: TakenPort[]): string {
  return taken
    .map(
      (t) =>
        `Port ${t.port} for ${t.name} is ${t.reason}. Stop whatever uses it or set ${t.env} to another port.`,
    )
    .join('\n');
}
