import { Command, CommanderError, Option } from 'commander';
import { LOCALES, localeFromEnv } from '#shared/i18n/locale.ts';
import { type LimitOptions, resolveLimits, setRunLimits, startRun, takeSourceFailures } from './bounded-fetch.ts';
import { bindContext, type CliContext, type CliIo, ExitCode, UsageError } from './context.ts';
import { terminalSafeIo } from './terminal-text.ts';

/**
 * `dcc`, the auditors' command line: verify and inspect certificates offline or online; issue,
 * read and revoke them through the API as an OAuth client of the service (`oauth-client.ts`);
 * generate a client's key pair and register clients with their public keys (admins). Each
 * command lives in `cli/commands/<name>.ts` and exports `register(program)`; a run loads only
 * the one it names.
 */

/** A command module: it adds its command to the program. */
interface CommandModule {
  register(program: Command): void;
}

/**
 * Every command by name, in the order `dcc --help` lists them. A run loads only the module of the
 * command it names (a short run spends most of its time loading code), and all of them only
 * when it names none (the command list of `dcc --help`) or one that does not exist (so the
 * error can suggest the nearest).
 */
const COMMANDS: Readonly<Record<string, () => Promise<CommandModule>>> = {
  verify: () => import('./commands/verify.ts'),
  inspect: () => import('./commands/inspect.ts'),
  present: () => import('./commands/present.ts'),
  issue: () => import('./commands/issue.ts'),
  get: () => import('./commands/get.ts'),
  revoke: () => import('./commands/revoke.ts'),
  log: () => import('./commands/log.ts'),
  keygen: () => import('./commands/keygen.ts'),
  admin: () => import('./commands/admin.ts'),
};

/**
 * The command `args` name: the first word that is neither an option of the program nor the
 * value of one (`--timeout 5 verify …`), or `help`'s argument. Undefined when there is none.
 */
export function commandNamed(program: Command, args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return args[i + 1];
    if (!arg.startsWith('-')) return arg === 'help' && args[i + 1] !== undefined ? args[i + 1] : arg;
    const option = program.options.find((o) => o.long === arg || o.short === arg);
    if (option && (option.required || option.optional)) i++;
  }
  return undefined;
}

/** The command modules a run of `args` needs (see {@link COMMANDS}). */
async function commandsFor(program: Command, args: readonly string[]): Promise<CommandModule[]> {
  const name = commandNamed(program, args);
  const only = name === undefined ? undefined : COMMANDS[name];
  if (only) return [await only()];
  // `--version` alone needs no command at all.
  if (name === undefined && (args.includes('--version') || args.includes('-V'))) return [];
  return Promise.all(Object.values(COMMANDS).map((load) => load()));
}

/** Builds the program for one run of `args`; `io` is where it reads and writes. */
export async function createProgram(io: CliIo, args: readonly string[] = []): Promise<{ program: Command; context: CliContext }> {
  const program = new Command('dcc')
    .description('Data compliance certificates: verify, inspect, issue, read and revoke; keys and registrations of API clients')
    .version('0.1.0')
    .showHelpAfterError('(run dcc --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride()
    // Limits on what a network source may cost (cli/bounded-fetch.ts); accepted before or after the command.
    .option('--timeout <seconds>', 'longest time for one network request, body included (default: $DCC_TIMEOUT or 30)')
    .option('--idle-timeout <seconds>', 'longest wait for the next byte of a response (default: $DCC_IDLE_TIMEOUT or 10)')
    .option('--max-bytes <bytes>', 'largest response read, for every source (default: $DCC_MAX_BYTES, else per source: key set 64 KiB, status list 1 MiB, checkpoint 16 KiB, tile 8 KiB, entry bundle 257 KiB, proof 64 KiB, API 1 MiB, discovery and token 64 KiB)')
    .option('--max-keys <n>', 'most keys accepted in a key set (default: $DCC_MAX_KEYS or 100)')
    .option('--max-tree-size <n>', 'largest log size `dcc log monitor` accepts from a checkpoint (default: $DCC_MAX_TREE_SIZE or 1000000)')
    .option('--max-input-bytes <bytes>', 'largest input file or standard input read (default: $DCC_MAX_INPUT_BYTES or 256 MiB; a file of a folder: 1 MiB)')
    // The language of what people read (inspect, verify); --json output never changes with it.
    .addOption(new Option('--lang <locale>', 'language of the output for people (default: from $LC_ALL, $LC_MESSAGES or $LANG, else en)').choices(LOCALES))
    .hook('preAction', () => {
      setRunLimits(io, resolveLimits(program.opts<LimitOptions>(), io.env));
      const { lang } = program.opts<{ lang?: (typeof LOCALES)[number] }>();
      if (lang) context.locale = lang;
    });
  const context: CliContext = { io, exitCode: ExitCode.ok, locale: localeFromEnv(io.env) };
  bindContext(program, context);
  for (const command of await commandsFor(program, args)) command.register(program);
  // Subcommands inherit neither output nor exit handling from their parent.
  for (const command of program.commands) {
    command.configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) }).exitOverride();
  }
  return { program, context };
}

/**
 * Runs `dcc` with `args` (without `node` and the script) and returns the exit status:
 * 0 all good, 1 a certificate failed or the API refused, 2 usage or input error, or a network
 * source (key set, status list, log) that was unreachable, too slow, too big or redirected.
 */
export async function runCli(args: readonly string[], rawIo: CliIo): Promise<number> {
  // Everything printed is escaped for the terminal, whoever wrote it (see terminal-text.ts).
  const io = terminalSafeIo(rawIo);
  const { program, context } = await createProgram(io, args);
  startRun(io);
  if (args.length === 0) {
    io.stderr(program.helpInformation());
    return ExitCode.usage;
  }
  try {
    await program.parseAsync([...args], { from: 'user' });
    // A source that misbehaved without stopping the run (a status list): the verdicts stand, exit 2.
    const failures = takeSourceFailures(io);
    for (const message of failures) io.stderr(`dcc: ${message}\n`);
    return failures.length > 0 ? Math.max(context.exitCode, ExitCode.usage) : context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with exit code 0; every other parse error is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`dcc: ${error.message}\n`);
      return ExitCode.usage;
    }
    io.stderr(`dcc: ${(error as Error).message}\n`);
    return ExitCode.failed;
  }
}

/** The process's own input and output. */
export function processIo(): CliIo {
  // A reader that stops early (`dcc verify <folder> | head`) closes the pipe. The rest of the
  // output has nowhere to go, but the run goes on to its end, so the exit status still says
  // whether every certificate verified; only a broken pipe is forgiven, any other error is not.
  let readerGone = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    readerGone = true;
  });
  return {
    stdout: (s) => readerGone || process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    // Read on demand: the first read of process.stderr builds its stream (for a pipe, node's
    // network module with it), which a run that writes nothing there never needs.
    get stderrIsTTY() {
      return Boolean(process.stderr.isTTY);
    },
    get progressStream() {
      return process.stderr;
    },
    readStdin: async (maxBytes) => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of process.stdin) {
        size += (chunk as Buffer).byteLength;
        if (size > maxBytes) throw new UsageError(`standard input holds more than ${maxBytes} bytes (--max-input-bytes or DCC_MAX_INPUT_BYTES)`);
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    // Reading globalThis.fetch loads node's HTTP client; a run that fetches nothing never does.
    fetch: (input, init) => globalThis.fetch(input, init),
    now: () => new Date(),
  };
}
