// Nest 12 ships ES modules only and Jest cannot require() them on Node 20, so SWC transforms
// both our TypeScript and those packages to CommonJS (see shared/STACK.md).
const swcTs = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const swcJs = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

const moduleNameMapper = {
  '^@herald/(domain|event-store|projections|delivery|queues|config|observability|testing)$':
    '<rootDir>/libs/$1/src',
  '^@herald/(domain|event-store|projections|delivery|queues|config|observability|testing)/(.*)$':
    '<rootDir>/libs/$1/src/$2',
};

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e.ts'],
  transform: { '^.+\\.ts$': swcTs, 'node_modules/.+\\.(js|mjs)$': swcJs },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|load-esm|strtok3|token-types|uint8array-extras|@tokenizer)/)',
  ],
  moduleNameMapper,
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  testTimeout: 60000,
};
