/**
 * The import zones of eslint.config.mjs (docs/DESIGN.md layering rules): the domain imports only the domain,
 * services never import adapters, config or the container, functions never import adapters or config,
 * tests never import scripts/ or bench/. Each zone gets one planted offending import, linted as if it stood
 * in a real file of that folder, and one clean import.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

// Jest's CommonJS sandbox cannot load eslint.config.mjs, so the ESLint Node API runs in a child process
// over every case at once; only the zone rule runs, as the planted snippets are not meant to type-check.
const LINT = `
const { ESLint } = require('eslint');
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: process.cwd(), ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports' });
(async () => {
  const out = [];
  for (const [file, code] of cases) {
    const [result] = await eslint.lintText(code, { filePath: require('node:path').resolve(file) });
    out.push(result.messages.map((m) => m.ruleId + ': ' + m.message));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

function lint(cases: Array<[file: string, code: string]>): string[][] {
  const out = execFileSync(process.execPath, ['-e', LINT], {
    cwd: root,
    input: JSON.stringify(cases),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out) as string[][];
}

const planted: Array<[zone: string, file: string, code: string]> = [
  [
    'domain ✗ ports',
    'shared/domain/policy.ts',
    "import type { Clock } from '../ports';\nexport type C = Clock;\n",
  ],
  ['domain ✗ services', 'shared/domain/policy.ts', "export { audit } from '../services/audit';\n"],
  ['domain ✗ Azure SDK', 'shared/domain/codes.ts', "export { TableClient } from '@azure/data-tables';\n"],
  [
    'services ✗ adapters',
    'shared/services/policy.ts',
    "export { TablePolicyStore } from '../adapters/tablePolicyStore';\n",
  ],
  ['services ✗ config', 'shared/services/policy.ts', "export { getConfig } from '../config';\n"],
  [
    'services ✗ OpenTelemetry',
    'shared/services/signupService.ts',
    "export { trace } from '@opentelemetry/api';\n",
  ],
  [
    'functions ✗ the Azure Monitor distro',
    'functions/health.ts',
    "export { useAzureMonitor } from '@azure/monitor-opentelemetry';\n",
  ],
  ['services ✗ container', 'shared/services/audit.ts', "export { deps } from '../container';\n"],
  [
    'functions ✗ adapters',
    'functions/health.ts',
    "export { TableSignupStore } from '../shared/adapters/tableStores';\n",
  ],
  ['functions ✗ config', 'functions/health.ts', "export { getConfig } from '../shared/config';\n"],
  ['functions ✗ nodemailer', 'functions/health.ts', "export { createTransport } from 'nodemailer';\n"],
  [
    'tests ✗ scripts',
    'test/unit/codes.test.ts',
    "export { main } from '../../scripts/update-domain-lists';\n",
  ],
  ['tests ✗ bench', 'test/integration/package.test.ts', "export * from '../../bench/bundle';\n"],
];

const clean: Array<[zone: string, file: string, code: string]> = [
  [
    'domain → domain and pure libraries',
    'shared/domain/policy.ts',
    "export { checkDomain } from './domainPolicy';\nexport { z } from 'zod';\n",
  ],
  [
    'services → domain and ports',
    'shared/services/policy.ts',
    "export { isPaused } from '../domain/policy';\nexport type { Clock } from '../ports';\n",
  ],
  [
    'functions → container and http',
    'functions/health.ts',
    "export { deps } from '../shared/container';\nexport { json } from '../shared/http';\n",
  ],
  [
    'tests → CLI, build and dev tools',
    'test/unit/adminCli.test.ts',
    "export { run } from '../../cli/admin';\nexport { buildWeb } from '../../build/web';\nexport * from '../../dev/stack/launcher';\n",
  ],
  [
    'telemetry → OpenTelemetry and core-tracing',
    'shared/telemetry/sdk.ts',
    "export { trace } from '@opentelemetry/api';\nexport { useInstrumenter } from '@azure/core-tracing';\n",
  ],
  [
    'adapters → SDKs',
    'shared/adapters/tableStores.ts',
    "export { TableClient } from '@azure/data-tables';\n",
  ],
];

describe('lint import zones', () => {
  let results: string[][];
  beforeAll(() => {
    results = lint([...planted, ...clean].map(([, file, code]) => [file, code]));
  });

  test.each(planted.map((c, i) => [...c, i] as const))(
    '%s: a planted import is a lint error',
    (_zone, _file, _code, i) => {
      expect(results[i]).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
    },
  );

  test.each(clean.map((c, i) => [...c, planted.length + i] as const))(
    '%s: passes',
    (_zone, _file, _code, i) => {
      expect(results[i]).toEqual([]);
    },
  );
});
