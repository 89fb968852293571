// Type-aware lint: floating promises and unsafe `any` flows are bugs in a queue-driven app.
import tseslint from 'typescript-eslint';

// Import zones (docs/DESIGN.md §1, layering rules): flat config replaces a rule's options per file,
// so each zone repeats SDKS.
const SDKS = {
  group: [
    '@azure/data-tables',
    '@azure/storage-queue',
    '@azure/communication-email',
    '@azure/identity',
    '@microsoft/microsoft-graph-client*',
    'nodemailer',
    '@opentelemetry/*',
    '@azure/monitor-opentelemetry*',
    '@azure/*opentelemetry-instrumentation*',
    '@azure/core-tracing',
  ],
  message:
    'Only shared/adapters may import Azure SDKs, Graph or nodemailer, and only shared/telemetry OpenTelemetry.',
};
const zone = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: [SDKS, ...patterns] }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'package/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [SDKS] }],
    },
  },
  {
    // The domain owns its vocabulary: pure rules over its own types, no ports, services, I/O or config.
    // shared/contracts (the wire vocabulary: error codes, bodies) is the one neighbour it may name.
    files: ['shared/domain/**'],
    rules: zone({
      regex: '^\\.\\.(/(?!contracts(/|$))|$)',
      message: 'shared/domain imports only shared/domain, shared/contracts and pure libraries.',
    }),
  },
  {
    files: ['shared/services/**'],
    rules: zone({
      regex: '(^|/)(adapters(/|$)|config$|container$)',
      message: 'Services get adapters and settings through createServices, never by import.',
    }),
  },
  {
    files: ['functions/**'],
    rules: zone({
      regex: '(^|/)shared/(adapters(/|$)|config$)',
      message: 'Functions get adapters and settings through deps() (shared/container).',
    }),
  },
  {
    files: ['shared/adapters/**', 'dev/**', 'scripts/**', 'bench/**', 'cli/**', 'build/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The one module over OpenTelemetry (the SDK, the Azure Monitor distro, core-tracing's instrumenter):
    // services and functions record through its Tracing and Metrics ports.
    files: ['shared/telemetry/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Tests exercise the product, the CLI and the build; the domain-list updater and the bench are tools
    // that run beside them, so nothing a test relies on may live there.
    files: ['test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(scripts|bench)(/|$)',
              message:
                'Tests import nothing from scripts/ or bench/: move what they need to cli/, build/ or shared/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**', 'dev/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
