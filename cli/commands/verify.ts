import { type Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { contextOf, ExitCode, setExitCode, UsageError, type CliIo } from '../context.ts';
import { loadJwks, parseInstant, parseSeconds, readTokenInputs } from '../inputs.ts';
import { countByStatus, renderChecks, renderVerdictLine, VERDICT_LABELS } from '../render.ts';
import { shown } from '../terminal-text.ts';
import { CLI_STATUSES, cachingStatusListFetcher, type ItemResult, type VerifySettings, verifyBatch } from '../verification.ts';

/** `dcc verify <file|folder|->`: offline (and with `--online`, revocation) checks, one or many. */

interface VerifyOptions {
  jwks?: string;
  api?: string;
  online?: boolean;
  json?: boolean;
  at?: string;
  clockSkew: string;
}

/** The key set location: `--jwks`, else the JWKS of `--api` / `DCC_API_URL`. @throws {UsageError} */
export function jwksLocation(options: { jwks?: string; api?: string }, io: CliIo): string {
  if (options.jwks) return options.jwks;
  const api = options.api ?? io.env['DCC_API_URL'];
  if (api) return `${api.replace(/\/+$/, '')}/.well-known/jwks.json`;
  throw new UsageError('say which keys to verify against: --jwks <file|url> (or --api / DCC_API_URL for the service\'s own)');
}

/** Builds the verification settings from the shared options. @throws {UsageError} */
export async function verifySettings(options: VerifyOptions, io: CliIo): Promise<VerifySettings> {
  const at = options.at === undefined ? io.now() : parseInstant(options.at, '--at');
  const clockSkewSeconds = parseSeconds(options.clockSkew, '--clock-skew');
  const keys = await loadJwks(jwksLocation(options, io), io);
  return { keys, at, clockSkewSeconds, ...(options.online ? { fetchStatusList: cachingStatusListFetcher(io) } : {}) };
}

/** The options `verify` and `inspect` share. */
export function addVerificationOptions(command: Command): Command {
  return command
    .option('--jwks <file|url>', 'the published key set (JWKS) to verify against')
    .option('--api <url>', 'the service; its /.well-known/jwks.json is used when --jwks is absent (default: $DCC_API_URL)')
    .option('--online', 'also check revocation: fetch the signed status list, verify it, read the bit')
    .option('--at <date-time>', 'judge the validity window at this RFC 3339 time instead of now')
    .addOption(new Option('--clock-skew <seconds>', 'tolerance at both ends of the validity window').default('300'));
}

/** Registers `dcc verify`. */
export function register(program: Command): void {
  addVerificationOptions(
    program
      .command('verify')
      .description('verify certificates offline against published keys: one token, a folder of tokens, or JSON lines')
      .argument('<file|folder|->', 'a token file, a folder with one token per file, a JSON-lines file, or - for stdin'),
  )
    .option('--json', 'print machine-readable results')
    .addHelpText(
      'after',
      '\nExit status: 0 every certificate valid, 1 any invalid, revoked, expired or not yet valid, 2 usage or input error.',
    )
    .action(async (path: string, options: VerifyOptions, command: Command) => {
      const context = contextOf(command);
      const { io } = context;
      const settings = await verifySettings(options, io);
      const { items, batch } = await readTokenInputs(path, io);

      const bar = batch && io.stderrIsTTY && !options.json
        ? new SingleBar({ stream: io.progressStream ?? process.stderr, format: 'verifying [{bar}] {value}/{total}', hideCursor: true })
        : undefined;
      bar?.start(items.length, 0);
      const results = await verifyBatch(items, settings, io, { onEach: () => bar?.increment() });
      bar?.stop();

      const counts = countByStatus(results);
      const valid = counts.active;
      if (options.json) {
        const summary = { total: results.length, valid, failed: results.length - valid, byStatus: counts };
        io.stdout(`${JSON.stringify({ summary, results: results.map(({ certificate: _, ...rest }) => rest) }, null, 2)}\n`);
      } else if (!batch) {
        const [result] = results as [ItemResult];
        io.stdout(`${renderVerdictLine(result)}\n${renderChecks(result)}\n`);
        if (!options.online && result.certificate) io.stdout('  (revocation not checked: add --online)\n');
      } else {
        const failures = results.filter((r) => !r.verified);
        for (const r of failures) io.stdout(`${renderVerdictLine(r)}: ${shown(r.reason ?? 'not valid')}\n`);
        if (failures.length > 0) io.stdout('\n');
        const parts = CLI_STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${VERDICT_LABELS[s].toLowerCase()}`);
        io.stdout(`Verified ${results.length} certificate${results.length === 1 ? '' : 's'}: ${parts.join(', ')}.\n`);
        if (!options.online) io.stdout('Revocation not checked: add --online.\n');
      }
      setExitCode(context, valid === results.length ? ExitCode.ok : ExitCode.failed);
    });
}
