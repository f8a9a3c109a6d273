import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#local/dynamodb-local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * Endpoint of the in-memory DynamoDB Local shared by the whole test run, or null when the
     * run selected no test/integration file (then none was started).
     */
    dynamoDbEndpoint: string | null;
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
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!(await runIncludesIntegrationTests(project))) {
    project.provide('dynamoDbEndpoint', null);
    return undefined;
  }
  const handle = await startDynamoDbLocal({
    inMemory: true,
    startTimeoutMs: 180_000,
    log: (line, source) => {
      if (source === 'launcher') process.stderr.write(`[dynamodb-local] ${line}\n`);
    },
  });
  project.provide('dynamoDbEndpoint', handle.endpoint);
  return () => handle.stop();
}
