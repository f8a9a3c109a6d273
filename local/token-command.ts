import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { EXCHANGE_ID_PATTERN } from '../shared/domain/records.ts';
import { DEMO_EXCHANGE, exchangesFilePath, isValidExchangeId, registerExchange } from './exchange-registry.ts';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, LOCAL_ROLES, type LocalRole, LocalTokenIssuer, type TokenSubject } from './token-issuer.ts';

/**
 * `npm run --silent token -- <exchange|auditor|admin> [exchangeId]`: prints a bearer token for
 * the role and nothing else on stdout, so that `TOKEN=$(npm run --silent token -- admin)` works.
 * Everything else goes to stderr. Exit codes: 0 token printed, 2 usage error, 1 anything else.
 *
 * It never talks to the server or DynamoDB Local: naming a new exchange records it in
 * `<dataDir>/exchanges.json`, which the local service applies at start and before authorising.
 */

/** The command's help text (printed on stderr). */
export const TOKEN_USAGE = `usage: npm run --silent token -- <exchange|auditor|admin> [exchangeId]

  exchange [id]  a token of a data exchange (scope dcc/issue); default ${DEMO_EXCHANGE.id}.
                 Naming another id registers that exchange in local mode.
  auditor        a token with scope dcc/read
  admin          a token with scopes dcc/read dcc/revoke

environment:
  DCC_DATA_DIR                 the data directory (default .data)
  DCC_LOCAL_TOKEN_TTL_SECONDS  token lifetime in seconds (default ${DEFAULT_TOKEN_LIFETIME_SECONDS})`;

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
  // The roles and the id are checked here rather than by commander so that each message names
  // the mistake in the words of the usage text.
  if (role === undefined) return usageError('missing role');
  if (!LOCAL_ROLES.includes(role as LocalRole)) return usageError(`unknown role ${JSON.stringify(role)}`);
  if (role !== 'exchange' && exchangeId !== undefined) return usageError(`the ${role} role takes no exchange id`);
  if (exchangeId !== undefined && !isValidExchangeId(exchangeId)) {
    return usageError(`invalid exchange id ${JSON.stringify(exchangeId)}: expected ${EXCHANGE_ID_PATTERN.source}`);
  }
  const ttlText = env['DCC_LOCAL_TOKEN_TTL_SECONDS'];
  const lifetimeSeconds = ttlText === undefined || ttlText === '' ? DEFAULT_TOKEN_LIFETIME_SECONDS : Number(ttlText);
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1 || lifetimeSeconds > 366 * 24 * 3600) {
    return usageError(`DCC_LOCAL_TOKEN_TTL_SECONDS must be a whole number of seconds between 1 and ${366 * 24 * 3600}`);
  }

  const dataDir = resolve(env['DCC_DATA_DIR'] || '.data');
  try {
    if (exchangeId !== undefined && exchangeId !== DEMO_EXCHANGE.id) {
      const { created } = await registerExchange(dataDir, { id: exchangeId });
      if (created) io.stderr(`registered exchange ${exchangeId} in ${exchangesFilePath(dataDir)}\n`);
    }
    const issuer = await LocalTokenIssuer.open({ dataDir, lifetimeSeconds });
    const subject: TokenSubject =
      role === 'exchange' ? { role, ...(exchangeId !== undefined ? { exchangeId } : {}) } : { role: role as 'auditor' | 'admin' };
    io.stdout(`${await issuer.issue(subject)}\n`);
    return 0;
  } catch (error) {
    io.stderr(`token: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
