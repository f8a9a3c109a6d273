import type { Command } from 'commander';
import type { Locale } from '#shared/i18n/locale.ts';

/**
 * What a command needs from the outside world, passed in so that tests and `bin/dcc.mjs` run
 * the same program: output streams, standard input, the environment, the clock and `fetch`.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether standard error is a terminal (progress bars only then). */
  stderrIsTTY: boolean;
  /** The stream progress bars draw on. */
  progressStream?: NodeJS.WritableStream;
  /** Standard input as text; throws a `UsageError` past `maxBytes` bytes. */
  readStdin(maxBytes: number): Promise<string>;
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
  now(): Date;
}

/** Exit statuses of `dcc`. */
export const ExitCode = {
  /** Every certificate valid, or the request succeeded. */
  ok: 0,
  /** A certificate is invalid, revoked, expired or not yet valid; or the API refused. */
  failed: 1,
  /** Wrong usage, or input that could not be read. */
  usage: 2,
} as const;

/** Wrong usage or unreadable input: exit 2 with the message on standard error. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The per-run state commands share through the root program. */
export interface CliContext {
  io: CliIo;
  exitCode: number;
  /** The language people read this run's output in: `--lang`, else `LC_ALL` / `LC_MESSAGES` / `LANG`. */
  locale: Locale;
}

const contexts = new WeakMap<Command, CliContext>();

/** Attaches `context` to the root `program` (done once by `cli/main.ts`). */
export function bindContext(program: Command, context: CliContext): void {
  contexts.set(program, context);
}

/** The context of the run `command` belongs to. */
export function contextOf(command: Command): CliContext {
  let root: Command = command;
  while (root.parent) root = root.parent;
  const context = contexts.get(root);
  if (!context) throw new Error('dcc: the program has no context (build it with createProgram)');
  return context;
}

/** Records the exit status, never lowering a worse one already recorded. */
export function setExitCode(context: CliContext, code: number): void {
  context.exitCode = Math.max(context.exitCode, code);
}
