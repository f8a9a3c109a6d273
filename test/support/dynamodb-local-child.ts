/**
 * A parent process for the orphan tests in test/integration/dynamodb-local.test.ts: starts an
 * in-memory DynamoDB Local, prints `{"pid": <java pid>, "listenAddress": …}` on one line, then
 * with argument `exit` calls process.exit(0) without stopping it, and with `wait` stays alive
 * (installing no signal handler of its own) until the test signals or kills it.
 */
import { startDynamoDbLocal } from '#local/dynamodb-local/dynamodb-local.ts';

const mode = process.argv[2];
if (mode !== 'exit' && mode !== 'wait') throw new Error(`usage: dynamodb-local-child.ts exit|wait (got ${mode})`);

const handle = await startDynamoDbLocal({ inMemory: true });
process.stdout.write(`${JSON.stringify({ pid: handle.pid, listenAddress: handle.listenAddress })}\n`);
if (mode === 'exit') process.exit(0);
setInterval(() => undefined, 60_000);
