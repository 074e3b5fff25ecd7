// Tests are written in TypeScript and compiled by `npm run build` with the rest of the code, so the
// worker pool and the CLI run the same JavaScript under test as in production.
module.exports = {
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  testEnvironment: 'node',
  testTimeout: 60000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/jest-temp-setup.js',
  globalTeardown: '<rootDir>/test/jest-temp-teardown.js',
  // Native packages load once per process (see test/jest-native-once.js).
  moduleNameMapper: {
    '^tree-sitter$': '<rootDir>/test/jest-tree-sitter.js',
    '^tree-sitter-python$': '<rootDir>/test/jest-tree-sitter-python.js',
  },
};
