/**
 * maildev 3 (an SMTP catcher with a web UI and REST API) as a child process bound to loopback only:
 * its defaults listen on every interface. Mail goes to a private temporary folder removed on stop
 * (maildev's default folder is shared by every maildev on the machine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopProcess, waitForPort } from './processes';

export interface MaildevOptions {
  smtpPort: number;
  webPort: number;
  host?: string;
  stdio?: 'ignore' | 'inherit';
}

export interface MaildevInstance {
  smtpPort: number;
  webPort: number;
  /** Web UI; the REST API is under `${webUrl}api/email`. */
  webUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The CLI script: maildev's package exports only its ESM entry, so find the file on the module paths. */
export function maildevCli(): string {
  for (const dir of require.resolve.paths('maildev') ?? []) {
    const candidate = path.join(dir, 'maildev', 'dist', 'bin', 'maildev.js');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('maildev is not installed (npm ci installs it as a dev dependency)');
}

export async function startMaildev(options: MaildevOptions): Promise<MaildevInstance> {
  const host = options.host ?? '127.0.0.1';
  const mailDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'rms-signup-maildev-'));
  const removeMail = () => fs.rmSync(mailDirectory, { recursive: true, force: true });
  const args = [
    maildevCli(),
    '--ip',
    host,
    '--web-ip',
    host,
    '--smtp',
    String(options.smtpPort),
    '--web',
    String(options.webPort),
    '--mail-directory',
    mailDirectory,
    '--silent',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', options.stdio ?? 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    if (options.stdio === 'inherit') process.stderr.write(chunk);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`maildev exited during start-up (${signal ?? code}): ${stderr.trim()}`)),
    ),
  );
  try {
    await Promise.race([
      Promise.all([waitForPort(options.smtpPort, 30_000, host), waitForPort(options.webPort, 30_000, host)]),
      exited,
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    removeMail();
    throw error;
  }
  exited.catch(() => undefined);
  return {
    smtpPort: options.smtpPort,
    webPort: options.webPort,
    webUrl: `http://${host}:${options.webPort}/`,
    process: child,
    stop: async () => {
      await stopProcess(child, 3000);
      removeMail();
    },
  };
}
