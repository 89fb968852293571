/**
 * `npm run test:faults`: the fault-injection suite (req 57, 58, 65). Its own Azurite, SMTP catcher, Graph emulator
 * and a dev host child process it kills; not part of `npm test` (its files end in .faults.ts).
 * @type {import('jest').Config}
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.faults.ts'],
  setupFiles: ['<rootDir>/test/support/quietTestMode.ts'],
  testTimeout: 600_000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
