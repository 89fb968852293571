/**
 * The shell scripts operators and CI run (infra/deploy.sh, .ci/run, azure.yaml's hooks) parse with
 * `bash -n`, and are shellcheck-clean where shellcheck is installed (Debian: `apt-get install shellcheck`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPTS = ['infra/deploy.sh', '.ci/run'];
const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const azdHooks = Object.entries(
  (parse(readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8')) as { hooks: Record<string, { run: string }> })
    .hooks,
).map(([name, hook]) => [name, hook.run] as const);

test.each(SCRIPTS)('%s parses (bash -n)', (script) => {
  expect(() => execFileSync('bash', ['-n', path.join(ROOT, script)], { stdio: 'pipe' })).not.toThrow();
});

test('a script with a syntax error is caught (the check can fail)', () => {
  const broken = spawnSync('bash', ['-n', '-c', 'if true; then echo'], { encoding: 'utf8' });
  expect(broken.status).not.toBe(0);
});

(hasShellcheck ? test.each(SCRIPTS) : test.skip.each(SCRIPTS))('%s is shellcheck-clean', (script) => {
  const result = spawnSync('shellcheck', ['-x', script], { cwd: ROOT, encoding: 'utf8' });
  expect(result.stdout + result.stderr).toBe('');
  expect(result.status).toBe(0);
});

test('azure.yaml has its hooks', () => {
  expect(azdHooks.map(([name]) => name).sort()).toEqual(['postprovision', 'prepackage', 'preprovision']);
});

test.each(azdHooks)('azure.yaml hook %s parses (sh -n)', (_name, run) => {
  expect(spawnSync('sh', ['-n', '-c', run]).status).toBe(0);
});

(hasShellcheck ? test.each(azdHooks) : test.skip.each(azdHooks))(
  'azure.yaml hook %s is shellcheck-clean',
  (_name, run) => {
    const result = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: run, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  },
);
