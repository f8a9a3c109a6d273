import { Command, CommanderError } from 'commander';
import { register as registerGet } from './commands/get.ts';
import { register as registerInspect } from './commands/inspect.ts';
import { register as registerIssue } from './commands/issue.ts';
import { register as registerLog } from './commands/log.ts';
import { register as registerRevoke } from './commands/revoke.ts';
import { register as registerVerify } from './commands/verify.ts';
import { type LimitOptions, resolveLimits, setRunLimits, startRun, takeSourceFailures } from './bounded-fetch.ts';
import { bindContext, type CliContext, type CliIo, ExitCode, UsageError } from './context.ts';
import { terminalSafeIo } from './terminal-text.ts';

/**
 * `dcc`, the auditors' command line: verify and inspect certificates offline or online, and
 * issue, read and revoke them through the API. Each command lives in `cli/commands/<name>.ts`
 * and exports `register(program)`.
 */

/** Every command module, in the order `dcc --help` lists them. */
const COMMANDS: readonly ((program: Command) => void)[] = [registerVerify, registerInspect, registerIssue, registerGet, registerRevoke, registerLog];

/** Builds the program for one run; `io` is where it reads and writes. */
export function createProgram(io: CliIo): { program: Command; context: CliContext } {
  const program = new Command('dcc')
    .description('Data compliance certificates: verify, inspect, issue, read and revoke')
    .version('0.1.0')
    .showHelpAfterError('(run dcc --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride()
    // Limits on what a network source may cost (cli/bounded-fetch.ts); accepted before or after the command.
    .option('--timeout <seconds>', 'longest time for one network request, body included (default: $DCC_TIMEOUT or 30)')
    .option('--idle-timeout <seconds>', 'longest wait for the next byte of a response (default: $DCC_IDLE_TIMEOUT or 10)')
    .option('--max-bytes <bytes>', 'largest response read, for every source (default: $DCC_MAX_BYTES, else per source: key set 64 KiB, status list 1 MiB, checkpoint 16 KiB, tile 8 KiB, entry bundle 257 KiB, proof 64 KiB, API 1 MiB)')
    .option('--max-keys <n>', 'most keys accepted in a key set (default: $DCC_MAX_KEYS or 100)')
    .option('--max-tree-size <n>', 'largest log size `dcc log monitor` accepts from a checkpoint (default: $DCC_MAX_TREE_SIZE or 1000000)')
    .option('--max-input-bytes <bytes>', 'largest input file or standard input read (default: $DCC_MAX_INPUT_BYTES or 256 MiB; a file of a folder: 1 MiB)')
    .hook('preAction', () => setRunLimits(io, resolveLimits(program.opts<LimitOptions>(), io.env)));
  const context: CliContext = { io, exitCode: ExitCode.ok };
  bindContext(program, context);
  for (const register of COMMANDS) register(program);
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
  const { program, context } = createProgram(io);
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
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    progressStream: process.stderr,
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
    fetch: globalThis.fetch,
    now: () => new Date(),
  };
}
