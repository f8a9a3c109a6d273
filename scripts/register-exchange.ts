import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command, CommanderError } from 'commander';
import { DynamoDbExchangeStore } from '#shared/adapters/dynamodb/exchange-store.ts';
import { EXCHANGE_ID_PATTERN, type Exchange } from '#shared/domain/records.ts';

/**
 * Registers (or updates, or suspends) a data exchange in a deployed stage's table, binding it to
 * the OAuth client ids whose tokens act for it. An operator's task, run with the operator's own
 * credentials: no function role may write the registry.
 *
 *   TABLE=$(aws cloudformation describe-stacks --stack-name DataComplianceCertificates-prod \
 *     --query "Stacks[0].Outputs[?OutputKey=='TableName'].OutputValue" --output text)
 *   npx tsx scripts/register-exchange.ts --table "$TABLE" \
 *     --exchange hz-sde --name "Hangzhou Data Exchange" --client-id <cognito client id>
 *
 * The table's name is CloudFormation's choice (the stack's `TableName` output), not derived from
 * the stage, so it is always given.
 *
 * The client ids given replace the registered ones (give the old and the new id while rotating
 * a client, then the new one alone). `--status suspended` refuses the exchange's tokens within
 * the functions' cache time (DCC_EXCHANGE_CACHE_SECONDS).
 */

/** What the command line asks for. */
export interface RegisterExchangeCommand {
  tableName: string;
  exchange: Exchange;
}

const USAGE =
  'usage: register-exchange --table <table name> --exchange <id> --name <legal name> --client-id <id> [--client-id <id> …] [--status active|suspended]';

/** `--help` was asked for: not an error; `help` is the text to print. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
  constructor(readonly help: string) {
    super('help requested');
  }
}

interface RegisterExchangeOptions {
  table?: string;
  exchange?: string;
  name?: string;
  clientId?: string[];
  status: string;
}

function registerExchangeProgram(): Command {
  return new Command('register-exchange')
    .description("Registers, updates or suspends a data exchange in a deployed stage's table.")
    .usage(USAGE.replace(/^usage: register-exchange /, ''))
    .option('--table <table name>', "the stage's DynamoDB table (the stack's TableName output)")
    .option('--exchange <id>', `the exchange id (${EXCHANGE_ID_PATTERN.source})`)
    .option('--name <legal name>', 'the legal name, 1 to 200 characters')
    .option('--client-id <id>', 'an OAuth client id acting for the exchange; repeat for several', (id: string, ids: string[] | undefined) => [...(ids ?? []), id])
    .option('--status <status>', 'active or suspended', 'active')
    // Commander's own reporting is silenced: the caller gets every outcome as an exception.
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined })
    .exitOverride();
}

/**
 * Parses the command line; throws an Error with the usage on anything missing or malformed, or
 * {@link HelpRequested} for `--help`.
 */
export function parseRegisterExchangeArgs(argv: readonly string[]): RegisterExchangeCommand {
  const fail = (why: string): never => {
    throw new Error(`${why}\n${USAGE}`);
  };
  const program = registerExchangeProgram();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed') throw new HelpRequested(program.helpInformation());
    const why = error.message.replace(/^error: /, '');
    fail(`${why[0]?.toUpperCase() ?? ''}${why.slice(1)}`);
  }
  // Required options are checked here, not by commander, so that each message says what to add.
  const values = program.opts<RegisterExchangeOptions>();
  const tableName = values.table ?? fail('--table is required');
  const id = values.exchange ?? fail('--exchange is required');
  if (!EXCHANGE_ID_PATTERN.test(id)) fail(`--exchange ${id} must match ${EXCHANGE_ID_PATTERN}`);
  const name = (values.name ?? fail('--name is required')).trim();
  if (name.length === 0 || name.length > 200) fail('--name must have 1 to 200 characters');
  const clientIds = values.clientId ?? [];
  if (clientIds.length === 0) fail('at least one --client-id is required');
  for (const clientId of clientIds) {
    // Cognito app client ids: 1–128 word characters (in practice 26 lower-case alphanumerics).
    if (!/^[\w+]{1,128}$/.test(clientId)) fail(`--client-id ${clientId} is not an OAuth client id`);
  }
  const status = values.status;
  if (status !== 'active' && status !== 'suspended') fail(`--status must be active or suspended, not ${status}`);
  return { tableName, exchange: { id, name, clientIds, status: status as Exchange['status'] } };
}

async function main(): Promise<void> {
  let command: RegisterExchangeCommand;
  try {
    command = parseRegisterExchangeArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(error.help);
      return;
    }
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoDbExchangeStore({ client, tableName: command.tableName });
  await store.putExchange(command.exchange);
  const stored = await store.findExchangeByClientId(command.exchange.clientIds[0] as string);
  process.stdout.write(`${JSON.stringify(stored)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
