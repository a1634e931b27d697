// Three projects, one runner: unit specs need no infrastructure; integration and e2e specs
// share one real stack chosen in the global setup (environment, Docker engine, local stack).
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  setupFiles: ['reflect-metadata'],
};

// Only the projects that need infrastructure name the global setup and teardown, so a unit run
// (`--selectProjects unit`) starts nothing; jest runs a file shared by both projects once.
const infrastructure = {
  globalSetup: '<rootDir>/test/infra/global-setup.ts',
  globalTeardown: '<rootDir>/test/infra/global-teardown.ts',
};

module.exports = {
  // Integration and e2e specs wait on real brokers and databases; unit specs finish in ms.
  testTimeout: 180_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts', '<rootDir>/test/infra/**/*.spec.ts'],
    },
    {
      ...shared,
      ...infrastructure,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{apps,libs,tools}/**/*.int-spec.ts',
        '<rootDir>/test/infra/**/*.int-spec.ts',
        '<rootDir>/test/hostile/**/*.int-spec.ts',
        '<rootDir>/test/faults/**/*.int-spec.ts',
      ],
    },
    {
      ...shared,
      ...infrastructure,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
