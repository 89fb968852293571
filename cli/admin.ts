/**
 * The admin CLI: the /api/admin HTTP API from a terminal, with readable tables or `--json`.
 *
 *   npm run admin -- <command> [options]          (after `npm run build`)
 *
 * The base URL comes from RMS_SIGNUP_URL (default http://127.0.0.1:7071), the function key from
 * RMS_SIGNUP_ADMIN_KEY (default `dev-function-key`, the local dev host's key; ADMIN_AUTH=key), and with
 * ADMIN_AUTH=entra an Entra access token (cli/admin/token.ts: RMS_SIGNUP_TOKEN or client credentials).
 * Parsing and formatting are pure functions (tested); `run` does the I/O through what it is given.
 * The modules are in cli/admin/: args (parsing), policy (read–modify–write), format (tables),
 * client (HTTP) and commands (`run`).
 */
import { run } from './admin/commands';

export { applyChanges } from './admin/policy';
export { parseArgs, parsePauseDomain, USAGE, UsageError } from './admin/args';
export type { Command, Invocation, PolicyChanges } from './admin/args';
export { ApiError, type CliIo, DEFAULT_KEY, DEFAULT_URL, explain } from './admin/client';
export { formatPolicy, formatSignup, formatSignups, formatStats, table } from './admin/format';
export { run };

if (require.main === module) {
  run(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    fetch,
  }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
