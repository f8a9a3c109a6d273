import type { KnipConfig } from 'knip';

/**
 * Unused files, exports and dependencies, checked by `npm run lint:unused` (part of `npm test`).
 *
 * Entry points are the files something runs directly. knip finds some on its own: `bin/dcc.mjs`
 * (package.json `bin`), `bench/run.ts` and `scripts/*.ts` (package.json `scripts`), and the
 * vitest configuration with its global setup. The rest are listed here.
 */
const config: KnipConfig = {
  entry: [
    // Lambda handlers: the CDK stack bundles `functions/<handler>.ts` by file name (routes table).
    'functions/*.ts',
    // Operator and local-mode programs, run with tsx.
    'scripts/*.ts',
    // The `dcc` CLI (bin/dcc.mjs imports cli/bin.ts, which imports it; scripts/build-dcc.ts bundles
    // cli/bin.ts) and the CDK app (cdk.json: `npx tsx infra/app.ts`).
    'cli/main.ts',
    'infra/app.ts',
    // Child processes started by file path: the bench's HTTP load generator and the orphan
    // test's parent of DynamoDB Local. The bench also bundles its cold-start floor by path.
    'bench/load-client.ts',
    'bench/floor-function.ts',
    'test/support/dynamodb-local-child.ts',
    // The verification page: its build script and the browser bundle's entry.
    'web/build-page.ts',
    'web/page/main.ts',
    'test/**/*.test.ts',
  ],
  project: ['**/*.{ts,mjs}'],
  // An export its own module also uses (a constant, or the type of an exported function's
  // parameter) is part of that module's interface, not dead code; exports nobody uses at all
  // are still reported.
  ignoreExportsUsedInFile: true,
  // A Python tool installed on the machine, not an npm package: the infra test runs it and fails
  // loudly when it is missing (`.ci/run` checks it too).
  // fontconfig's fc-list, likewise: the page's language test asks it for a Chinese font and warns
  // loudly when there is none (`.ci/run` installs fonts-noto-cjk).
  // valgrind, likewise: the benchmark counts instructions under it, and says so when it is absent.
  ignoreBinaries: ['cfn-lint', 'fc-list', 'valgrind'],
};

export default config;
