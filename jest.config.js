/** Unit tests (pure domain), integration tests (real databases) and e2e tests (HTTP). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  // Decides once whether MySQL is reachable (creating the base test database); its suites are
  // skipped when it is not, or the run fails in CI (test/support/global-setup.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 120000,
  maxWorkers: 2,
};
