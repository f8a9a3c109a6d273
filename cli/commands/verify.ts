import { tmpdir } from 'node:os';
import { type Command, Option } from 'commander';
import { contextOf, ExitCode, setExitCode, UsageError, type CliIo } from '../context.ts';
import { loadJwks, parseInstant, parseSeconds, readTokenInputs } from '../inputs.ts';
import { cliMessages } from '#shared/i18n/messages/cli.ts';
import { translator } from '#shared/i18n/translate.ts';
import { countByStatus, renderChecks, renderDisclosure, renderSummary, renderVerdictLine } from '../render.ts';
import { onInterrupt } from '../on-interrupt.ts';
import { SpilledText } from '../spilled-text.ts';
import { shown } from '../terminal-text.ts';
import { CLI_STATUSES, cachingStatusListFetcher, type ItemResult, type VerifySettings, verifyInWindows } from '../verification.ts';

/** `dcc verify <file|folder|->`: offline (and with `--online`, revocation) checks, one or many. */

interface VerifyOptions {
  jwks?: string;
  api?: string;
  online?: boolean;
  json?: boolean;
  at?: string;
  clockSkew: string;
  aud?: string;
  nonce?: string;
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
  if ((options.aud === undefined) !== (options.nonce === undefined)) throw new UsageError('--aud and --nonce go together');
  const keys = await loadJwks(jwksLocation(options, io), io);
  return {
    keys,
    at,
    clockSkewSeconds,
    ...(options.online ? { fetchStatusList: cachingStatusListFetcher(io) } : {}),
    ...(options.aud !== undefined && options.nonce !== undefined ? { keyBinding: { aud: options.aud, nonce: options.nonce } } : {}),
  };
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
      .description('verify certificates, or presentations of their selectively disclosable form, offline against published keys: one token, a folder of tokens, or JSON lines')
      .argument('<file|folder|->', 'a token file, a folder with one token per file, a JSON-lines file, or - for stdin'),
  )
    .option('--json', 'print machine-readable results')
    .option('--aud <audience>', 'a holder-bound presentation must be for this audience (with --nonce)')
    .option('--nonce <nonce>', 'a holder-bound presentation must carry this nonce (with --aud)')
    .addHelpText(
      'after',
      '\nExit status: 0 every certificate valid, 1 any invalid, revoked, expired or not yet valid, 2 usage or input error.',
    )
    .action(async (path: string, options: VerifyOptions, command: Command) => {
      const context = contextOf(command);
      const { io } = context;
      const settings = await verifySettings(options, io);
      const { items, batch } = await readTokenInputs(path, io);
      const { locale } = context;
      const say = translator(cliMessages, locale);

      // The progress bar's module is loaded only when a bar is drawn. It is CommonJS: its exports
      // are the namespace's default, which is all a bundle's namespace of it is sure to hold.
      const bar = batch && io.stderrIsTTY && !options.json
        ? new (await import('cli-progress')).default.SingleBar({ stream: io.progressStream ?? process.stderr, format: 'verifying [{bar}] {value}/{total}', hideCursor: true })
        : undefined;
      bar?.start(items.length, 0);
      // A run stopped by a signal puts the terminal's cursor back, as the end of the bar does.
      const forgetBar = bar ? onInterrupt(() => bar.stop()) : undefined;
      const counts = countByStatus([]);
      // What is reported at the end, held as text (SpilledText: a file once it outgrows memory):
      // the results of --json, and a batch's failures while a bar is drawn (a line printed under a
      // bar would break it); a single token's result is kept as it is. Otherwise a batch's
      // failures are printed as their window is verified, and nothing of it is kept.
      const heldText = (): SpilledText => new SpilledText(io.env['TMPDIR'] || tmpdir());
      const report = options.json ? heldText() : undefined;
      const failures = bar ? heldText() : undefined;
      try {
        const kept: ItemResult[] = [];
        const failure = (r: ItemResult): string => `${renderVerdictLine(r, locale)}: ${shown(r.reason ?? say('item.not-valid'))}\n`;
        let reported = 0;
        // A batch reports verdicts, never the certificates themselves: they are left out of its results.
        await verifyInWindows(items, settings, io, { onEach: () => bar?.increment(), certificates: !batch }, (window) => {
          let printed = '';
          for (const r of window) {
            counts[r.status] += 1;
            if (report) report.append(jsonReportEntry(r, reported++));
            else if (!batch) kept.push(r);
            else if (!r.verified) {
              if (failures) failures.append(failure(r));
              else printed += failure(r);
            }
          }
          if (printed !== '') io.stdout(printed);
        });
        bar?.stop();

        const valid = counts.active;
        if (report) {
          writeJsonReport(io, { total: items.length, valid, failed: items.length - valid, byStatus: counts }, report, reported);
        } else if (!batch) {
          const [result] = kept as [ItemResult];
          io.stdout(`${renderVerdictLine(result, locale)}\n${renderChecks(result, locale)}\n`);
          if (result.presentation) io.stdout(`${renderDisclosure(result.presentation, locale)}\n`);
          if (!options.online && result.certificate) io.stdout(`  ${say('revocation.not-checked.one')}\n`);
        } else {
          failures?.drain((text) => io.stdout(text));
          if (valid < items.length) io.stdout('\n');
          io.stdout(`${renderSummary(counts, CLI_STATUSES, locale)}\n`);
          if (!options.online) io.stdout(`${say('revocation.not-checked.batch')}\n`);
        }
        setExitCode(context, valid === items.length ? ExitCode.ok : ExitCode.failed);
      } finally {
        // Stopped whichever way the run ends: a bar left drawing keeps the process alive.
        bar?.stop();
        forgetBar?.();
        report?.dispose();
        failures?.dispose();
      }
    });
}

/**
 * One result as the JSON report's `results` array holds it, after `index` results: what
 * `JSON.stringify(report, null, 2)` writes for it, the certificate left out. A result is nested
 * two levels deep, so four spaces go before each of its lines.
 */
function jsonReportEntry({ certificate: _, ...rest }: ItemResult, index: number): string {
  return `${index === 0 ? '' : ','}\n    ${JSON.stringify(rest, null, 2).replaceAll('\n', '\n    ')}`;
}

/**
 * The JSON report, `{ summary, results }` as `JSON.stringify(…, null, 2)` writes it, from the
 * `count` results' text ({@link jsonReportEntry}), written a piece at a time: the report of a
 * large archive is larger than the longest string a JavaScript engine makes.
 */
function writeJsonReport(io: CliIo, summary: object, results: SpilledText, count: number): void {
  io.stdout(`{\n  "summary": ${JSON.stringify(summary, null, 2).replaceAll('\n', '\n  ')},\n  "results": [`);
  results.drain((text) => io.stdout(text));
  io.stdout(`${count === 0 ? ']' : '\n  ]'}\n}\n`);
}
