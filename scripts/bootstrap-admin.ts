import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command, CommanderError } from 'commander';
import { DynamoDbExchangeStore } from '#shared/adapters/dynamodb/exchange-store.ts';
import { type ClientJwks, ROLE_CLIENT_ID_PATTERN } from '#shared/domain/client-registration.ts';
import { ClientJwksSchema } from '#shared/domain/schemas/client-registration.ts';

/**
 * Registers an admin client, with its public keys, directly in a deployed stage's table: the
 * operator's bootstrap, run once with the operator's own AWS credentials, because the admin routes
 * that register every other client (`PUT /v1/exchanges/{id}`, `PUT /v1/clients/{id}`) need an
 * admin token first. No function role may write the registry outside those routes.
 *
 *   TABLE=$(aws cloudformation describe-stacks --stack-name DataComplianceCertificates-prod \
 *     --query "Stacks[0].Outputs[?OutputKey=='TableName'].OutputValue" --output text)
 *   npx tsx scripts/bootstrap-admin.ts --table "$TABLE" --client-id admin.ops \
 *     --name "Operations" --jwks admin-public.jwks.json
 *
 * The JWKS file holds the admin's public keys only (`dcc` generates the pair); the same rules as
 * the admin routes apply. Run again with other keys to rotate, or with `--status suspended`.
 */

/** What the command line asks for. */
export interface BootstrapAdminCommand {
  tableName: string;
  clientId: string;
  name: string;
  jwksFile: string;
  status: 'active' | 'suspended';
}

const USAGE = 'usage: bootstrap-admin --table <table name> --client-id <id> --name <name> --jwks <public JWKS file> [--status active|suspended]';

/** `--help` was asked for: not an error; `help` is the text to print. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
  constructor(readonly help: string) {
    super('help requested');
  }
}

function program(): Command {
  return new Command('bootstrap-admin')
    .description("Registers an admin client and its public keys in a deployed stage's table.")
    .usage(USAGE.replace(/^usage: bootstrap-admin /, ''))
    .option('--table <table name>', "the stage's DynamoDB table (the stack's TableName output)")
    .option('--client-id <id>', 'the admin client id, with a "." or ":" (e.g. admin.ops)')
    .option('--name <name>', 'who the client is, 1 to 200 characters')
    .option('--jwks <file>', 'a JSON file {"keys":[...]} of 1 to 5 public keys')
    .option('--status <status>', 'active or suspended', 'active')
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined })
    .exitOverride();
}

/** Parses the command line; throws an Error with the usage, or {@link HelpRequested}. */
export function parseBootstrapAdminArgs(argv: readonly string[]): BootstrapAdminCommand {
  const fail = (why: string): never => {
    throw new Error(`${why}\n${USAGE}`);
  };
  const p = program();
  try {
    p.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed') throw new HelpRequested(p.helpInformation());
    fail(error.message.replace(/^error: /, ''));
  }
  const values = p.opts<{ table?: string; clientId?: string; name?: string; jwks?: string; status: string }>();
  const tableName = values.table ?? fail('--table is required');
  const clientId = values.clientId ?? fail('--client-id is required');
  if (!ROLE_CLIENT_ID_PATTERN.test(clientId)) fail(`--client-id ${clientId} must match ${ROLE_CLIENT_ID_PATTERN} (a "." or ":" keeps it apart from exchange ids)`);
  const name = (values.name ?? fail('--name is required')).trim();
  if (name.length === 0 || name.length > 200) fail('--name must have 1 to 200 characters');
  const jwksFile = values.jwks ?? fail('--jwks is required');
  const status = values.status;
  if (status !== 'active' && status !== 'suspended') fail(`--status must be active or suspended, not ${status}`);
  return { tableName, clientId, name, jwksFile, status: status as 'active' | 'suspended' };
}

/** The public JWKS of `path`, checked by the admin routes' rules; throws an Error naming each problem. */
export async function readPublicJwks(path: string): Promise<ClientJwks> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not a readable JSON file (${(error as Error).message})`);
  }
  const parsed = ClientJwksSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

async function main(): Promise<void> {
  let command: BootstrapAdminCommand;
  try {
    command = parseBootstrapAdminArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(error.help);
      return;
    }
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const jwks = await readPublicJwks(command.jwksFile);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoDbExchangeStore({ client, tableName: command.tableName });
  const { created, registration } = await store.registerRoleClient({
    clientId: command.clientId,
    role: 'admin',
    name: command.name,
    jwks,
    status: command.status,
    at: new Date().toISOString(),
  });
  process.stdout.write(`${JSON.stringify({ created, clientId: registration.clientId, role: registration.role, status: registration.status, kids: jwks.keys.map((k) => k.kid) })}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
