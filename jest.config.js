const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022', transform: { react: { runtime: 'automatic' } } }, module: { type: 'es6' } },
];
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: { '^.+\\.(t|j)sx?$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/** Unit tests sit next to the code (`*.test.ts`); integration and end-to-end suites live in test/. */
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{api,core,directory-sync,addin/src,addin/demo,manifest,scripts}/**/*.test.{ts,tsx}'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.test.ts'], slowTestThreshold: 30 },
  ],
  maxWorkers: 2,
  testTimeout: 60_000,
};
