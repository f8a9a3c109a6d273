import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { readIfExists } from '../shared/adapters/key-file/files.ts';
import { EXCHANGE_ID_PATTERN } from '../shared/domain/records.ts';
import {
  DEMO_EXCHANGE,
  DEV_ROLES,
  DevClients,
  SERVICE_URL_FILE,
  TokenRequestError,
  type TokenSubject,
  isValidExchangeId,
} from './dev-clients.ts';

/**
 * `npm run --silent token -- <exchange|auditor|admin> [exchangeId]`: prints an access token for
 * the role and nothing else on stdout, so that `TOKEN=$(npm run --silent token -- admin)` works.
 * The token comes from the running local service's token endpoint, obtained with the dev
 * client's key (a client assertion, as `dcc` sends one); naming another exchange first registers
 * it through the admin route. Everything else goes to stderr. Exit codes: 0 token printed, 2
 * usage error, 1 anything else (the service not running among them).
 */

/** The command's help text (printed on stderr). */
export const TOKEN_USAGE = `usage: npm run --silent token -- <exchange|auditor|admin> [exchangeId]

  exchange [id]  a token of a data exchange (scope dcc/issue); default ${DEMO_EXCHANGE.id}.
                 Naming another id registers that exchange (PUT /v1/exchanges/{id}, as the admin).
  auditor        a token with scope dcc/read
  admin          a token with scopes dcc/read dcc/revoke

The local service must be running (npm start): the token comes from its token endpoint.

environment:
  DCC_DATA_DIR  the data directory (default .data): the dev clients' keys and the service's URL
  DCC_URL       the service's URL, if not the one recorded in the data directory`;

/** Where the command writes; the script passes the process's streams, tests collect strings. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs the command; returns the exit code. */
export async function runTokenCommand(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CommandIo,
): Promise<number> {
  const usageError = (message: string) => {
    io.stderr(`${message}\n\n${TOKEN_USAGE}\n`);
    return 2;
  };
  const program = new Command('token')
    .argument('[role]')
    .argument('[exchangeId]')
    // Help and errors go to stderr: stdout carries the token alone.
    .configureHelp({ formatHelp: () => `${TOKEN_USAGE}\n` })
    .configureOutput({ writeOut: io.stderr, writeErr: io.stderr, outputError: () => undefined })
    .exitOverride();
  try {
    program.parse([...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed') return 0;
    return usageError(error.message.replace(/^error: /, ''));
  }
  const [role, exchangeId] = program.processedArgs as [string | undefined, string | undefined];
  if (role === undefined) return usageError('missing role');
  if (!(DEV_ROLES as readonly string[]).includes(role)) return usageError(`unknown role ${JSON.stringify(role)}`);
  if (role !== 'exchange' && exchangeId !== undefined) return usageError(`the ${role} role takes no exchange id`);
  if (exchangeId !== undefined && !isValidExchangeId(exchangeId)) {
    return usageError(`invalid exchange id ${JSON.stringify(exchangeId)}: expected ${EXCHANGE_ID_PATTERN.source}`);
  }

  const dataDir = resolve(env['DCC_DATA_DIR'] || '.data');
  const urlFile = join(dataDir, SERVICE_URL_FILE);
  const baseUrl = env['DCC_URL']?.replace(/\/+$/, '') || (await readIfExists(urlFile))?.trim();
  if (!baseUrl) {
    io.stderr(`token: the local service is not running: ${urlFile} does not exist. Start it with \`npm start\` (with the same DCC_DATA_DIR), then run this again.\n`);
    return 1;
  }
  const clients = new DevClients(baseUrl, dataDir);
  try {
    if (exchangeId !== undefined && exchangeId !== DEMO_EXCHANGE.id) {
      const { created } = await clients.registerExchange(exchangeId);
      if (created) io.stderr(`registered exchange ${exchangeId} (its key: ${join(dataDir, 'clients', `${exchangeId}.pem`)})\n`);
    }
    const subject: TokenSubject =
      role === 'exchange' ? { role, ...(exchangeId !== undefined ? { exchangeId } : {}) } : { role: role as 'auditor' | 'admin' };
    io.stdout(`${await clients.token(subject)}\n`);
    return 0;
  } catch (error) {
    io.stderr(`token: ${describe(error, baseUrl)}\n`);
    return 1;
  }
}

/** What went wrong, in the words of someone who ran the command. */
function describe(error: unknown, baseUrl: string): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (error instanceof TypeError && cause && typeof cause.code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND'].includes(cause.code)) {
    return `the local service at ${baseUrl} does not answer (${cause.code}); is it running? Start it with \`npm start\`.`;
  }
  if (error instanceof TokenRequestError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
