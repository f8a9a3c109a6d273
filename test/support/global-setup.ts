import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#local/dynamodb-local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * Endpoint of the in-memory DynamoDB Local shared by the whole test run, or null when the
     * run selected no test/integration file (then none was started).
     */
    dynamoDbEndpoint: string | null;
    /** Where each test file of the HTTP suites writes how many responses the contract check validated. */
    openApiContractDir: string | null;
  }
}

const INTEGRATION_TEST = /[\\/]test[\\/]integration[\\/]/;

/**
 * Whether this run includes integration tests, the only ones that talk to DynamoDB Local
 * (unit tests are pure, adapter tests mock the SDK). Vitest does not hand the selected files
 * to a global setup; its file filters are read where it keeps them, and if that ever changes
 * the answer falls back to "every test file", which starts DynamoDB Local as before.
 */
async function runIncludesIntegrationTests(project: TestProject): Promise<boolean> {
  const filters = (project.vitest as unknown as { filenamePattern?: unknown }).filenamePattern;
  const selected = Array.isArray(filters) && filters.every((f) => typeof f === 'string') ? (filters as string[]) : [];
  const { testFiles } = await project.globTestFiles(selected);
  return testFiles.some((file) => INTEGRATION_TEST.test(file));
}

/**
 * Starts one in-memory DynamoDB Local for the whole test run (tests isolate themselves by
 * creating uniquely named tables) and stops it at teardown. The first run on a machine fetches
 * the jar into the cache, which is reported on stderr because it takes a while.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const contractDir = mkdtempSync(join(tmpdir(), 'dcc-openapi-contract-'));
  project.provide('openApiContractDir', contractDir);
  const reportContract = () => {
    reportContractCounts(contractDir);
    rmSync(contractDir, { recursive: true, force: true });
  };
  if (!(await runIncludesIntegrationTests(project))) {
    project.provide('dynamoDbEndpoint', null);
    return async () => reportContract();
  }
  const handle = await startDynamoDbLocal({
    inMemory: true,
    startTimeoutMs: 180_000,
    log: (line, source) => {
      if (source === 'launcher') process.stderr.write(`[dynamodb-local] ${line}\n`);
    },
  });
  project.provide('dynamoDbEndpoint', handle.endpoint);
  return async () => {
    reportContract();
    await handle.stop();
  };
}

/**
 * Prints how many responses the contract check (`openapi-contract-setup.ts`) validated against
 * openapi.json in this run, in total and by suite, from the counts each test file wrote.
 */
function reportContractCounts(dir: string): void {
  const bySuite = new Map<string, number>();
  const byVia = { server: 0, fetch: 0, lambda: 0 };
  for (const name of readdirSync(dir)) {
    const { file, counts } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { file: string; counts: typeof byVia };
    const suite = /[\\/]test[\\/]([^\\/]+)[\\/]/.exec(file)?.[1] ?? 'other';
    const n = counts.server + counts.fetch + counts.lambda;
    bySuite.set(suite, (bySuite.get(suite) ?? 0) + n);
    for (const via of Object.keys(byVia) as (keyof typeof byVia)[]) byVia[via] += counts[via];
  }
  const total = byVia.server + byVia.fetch + byVia.lambda;
  if (total === 0) return;
  const suites = [...bySuite].map(([suite, n]) => `${suite} ${n}`).join(', ');
  process.stdout.write(
    `\nOpenAPI contract: ${total} responses validated against openapi.json (${suites}; at the local server ${byVia.server}, at fetch ${byVia.fetch}, at invoked handlers ${byVia.lambda})\n`,
  );
}
