import { stat } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { type ClientJwks, ROLE_CLIENT_ID_PATTERN, type RegistrationView } from '#shared/domain/client-registration.ts';
import { EXCHANGE_ID_PATTERN } from '#shared/domain/records.ts';
import { addApiOptions, type ApiOptions, type ApiResponse, callApi, renderProblem } from '../api-client.ts';
import { clientJwksOf, type JwksSource } from '../client-jwks.ts';
import { type CliContext, contextOf, ExitCode, setExitCode, UsageError } from '../context.ts';
import { DEFAULT_BYTE_CAPS } from '../bounded-fetch.ts';
import { readText } from '../inputs.ts';
import { shown } from '../terminal-text.ts';

/**
 * `dcc admin`: an administrator registers the clients of the service — exchanges (whose client
 * id is their exchange id) and auditor or admin clients — each with the public key set it signs
 * its token requests with. The key set is checked here before anything is sent; a file holding a
 * private key is refused and nothing leaves the machine. Needs an admin client's credentials.
 */

const STATUSES = ['active', 'suspended'] as const;
const CLIENT_ROLES = ['auditor', 'admin'] as const;

interface RegisterOptions extends ApiOptions {
  name: string;
  jwks: string[];
  status?: (typeof STATUSES)[number];
}

interface ClientRegisterOptions extends RegisterOptions {
  role: (typeof CLIENT_ROLES)[number];
}

/** The exchange id argument. @throws {UsageError} */
function exchangeIdArgument(value: string): string {
  if (!EXCHANGE_ID_PATTERN.test(value)) throw new UsageError(`${value} is not an exchange id (${EXCHANGE_ID_PATTERN.source})`);
  return value;
}

/**
 * The client id of an auditor or admin client: it has a dot or a colon, so that it can never be
 * taken for an exchange id. @throws {UsageError}
 */
function roleClientIdArgument(value: string): string {
  if (!ROLE_CLIENT_ID_PATTERN.test(value)) {
    throw new UsageError(
      `${value} is not an auditor or admin client id: lower-case letters, digits, '.', ':', '_', '-', with at least one '.' or ':' (exchange ids have neither)`,
    );
  }
  return value;
}

/** Reads and checks every `--jwks` file before anything is sent. @throws {UsageError} */
async function readJwksFiles(context: CliContext, files: readonly string[]): Promise<ClientJwks> {
  const sources: JwksSource[] = [];
  for (const file of files) {
    if (file !== '-') {
      const size = await stat(file).then((s) => s.size, () => 0);
      if (size > DEFAULT_BYTE_CAPS.jwks) throw new UsageError(`${file} holds ${size} bytes, more than any client key set (${DEFAULT_BYTE_CAPS.jwks})`);
    }
    const text = await readText(file, context.io);
    const name = file === '-' ? 'stdin' : file;
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      throw new UsageError(`${name} is a private key: register the public key set only (dcc keygen writes it as <name>.jwks.json); nothing was sent`);
    }
    if (text.trimStart().startsWith('-----BEGIN')) throw new UsageError(`${name} is PEM: --jwks takes a JSON key set ({"keys": [...]}) as dcc keygen writes it`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UsageError(`${name} is not JSON`);
    }
    sources.push({ name, json });
  }
  return clientJwksOf(sources);
}

/** What the server's answer is read as: nothing in it is trusted to have the declared types. */
type RegistrationLike = { [K in keyof RegistrationView]?: unknown } & { jwks?: { keys?: unknown } };

/** A registration (exchange or client) for people; every value escaped (`shown`). */
function renderRegistration(body: unknown): string {
  const r = (typeof body === 'object' && body !== null ? body : {}) as RegistrationLike;
  const lines: string[] = [];
  const row = (label: string, value: unknown) => {
    if (value !== undefined && value !== null) lines.push(`${label.padEnd(14)}${shown(value)}`);
  };
  row('Exchange', r.exchangeId);
  row('Client', r.clientId);
  row('Name', r.name);
  row('Role', r.role);
  row('Scope', r.scope);
  row('Status', r.status);
  row('Updated', r.updatedAt);
  const keys = Array.isArray(r.jwks?.keys) ? (r.jwks.keys as unknown[]) : [];
  keys.forEach((k, i) => {
    const key = (typeof k === 'object' && k !== null ? k : {}) as Record<string, unknown>;
    const kind = [key['kty'], key['crv'], key['alg']].filter((v) => typeof v === 'string').join(' ');
    lines.push(`${(i === 0 ? 'Keys' : '').padEnd(14)}${shown(key['kid'])}${kind ? ` (${shown(kind)})` : ''}`);
  });
  return `${lines.join('\n')}\n`;
}

function report(context: CliContext, options: ApiOptions, response: ApiResponse, done: string): void {
  if (response.status >= 400) {
    context.io.stderr(renderProblem(response));
    setExitCode(context, ExitCode.failed);
    return;
  }
  context.io.stdout(options.json ? `${JSON.stringify(response.body, null, 2)}\n` : `${done}\n${renderRegistration(response.body)}`);
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function registrationOptions(command: Command, what: string): Command {
  return addApiOptions(
    command
      .requiredOption('--name <legal name>', `the ${what}'s name`)
      .requiredOption('--jwks <file>', 'its public key set (as dcc keygen writes it); repeat to register several files together (rotation)', collect)
      .addOption(new Option('--status <status>', 'active, or suspended to refuse its tokens').choices(STATUSES)),
  );
}

/** Registers `dcc admin exchange register|show` and `dcc admin client register`. */
export function register(program: Command): void {
  const admin = program.command('admin').description("register exchanges and clients with their public keys (needs an admin client's credentials)");
  const exchange = admin.command('exchange').description('register, update or show a data exchange');

  registrationOptions(
    exchange
      .command('register')
      .description('register an exchange, or replace its name, keys or status (PUT /v1/exchanges/{exchangeId})')
      .argument('<exchangeId>', `the exchange id, also its client id (${EXCHANGE_ID_PATTERN.source})`),
    'exchange',
  ).action(async (value: string, options: RegisterOptions, command: Command) => {
    const context = contextOf(command);
    const id = exchangeIdArgument(value);
    const jwks = await readJwksFiles(context, options.jwks);
    const body = { name: options.name, jwks, ...(options.status !== undefined ? { status: options.status } : {}) };
    const response = await callApi(context.io, options, 'PUT', `/v1/exchanges/${id}`, body);
    report(context, options, response, response.status === 201 ? 'Registered' : 'Replaced');
  });

  addApiOptions(
    exchange
      .command('show')
      .description('show an exchange as registered (GET /v1/exchanges/{exchangeId})')
      .argument('<exchangeId>', 'the exchange id'),
  ).action(async (value: string, options: ApiOptions, command: Command) => {
    const context = contextOf(command);
    const id = exchangeIdArgument(value);
    const response = await callApi(context.io, options, 'GET', `/v1/exchanges/${id}`);
    if (response.status >= 400) return report(context, options, response, '');
    context.io.stdout(options.json ? `${JSON.stringify(response.body, null, 2)}\n` : renderRegistration(response.body));
  });

  const client = admin.command('client').description('register an auditor or admin client');
  registrationOptions(
    client
      .command('register')
      .description('register an auditor or admin client, or replace it (PUT /v1/clients/{clientId})')
      .argument('<clientId>', "the client id: with a '.' or ':' (auditor.example.gov.cn, say), never an exchange id")
      .addOption(new Option('--role <role>', 'what the client may do').choices(CLIENT_ROLES).makeOptionMandatory()),
    'client',
  ).action(async (value: string, options: ClientRegisterOptions, command: Command) => {
    const context = contextOf(command);
    const id = roleClientIdArgument(value);
    const jwks = await readJwksFiles(context, options.jwks);
    const body = { role: options.role, name: options.name, jwks, ...(options.status !== undefined ? { status: options.status } : {}) };
    const response = await callApi(context.io, options, 'PUT', `/v1/clients/${encodeURIComponent(id)}`, body);
    report(context, options, response, response.status === 201 ? 'Registered' : 'Replaced');
  });
}
