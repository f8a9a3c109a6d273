import { escapeInvisible } from '#shared/domain/text.ts';
import type { CliIo } from './context.ts';

/**
 * What `dcc` prints comes partly from others: tokens (header member names, names, purposes),
 * servers (problem documents, log entries), files (their names and contents). A control
 * character among them would be obeyed by the terminal: ESC or the one-character CSI U+009B
 * can clear the screen and print a verdict of their own, CR can overwrite a line, bidi controls
 * can reorder it. So every byte `dcc` writes goes through one escape, `escapeInvisible` (the
 * characters the certificate text rule refuses, written as `\uXXXX`), at the streams themselves;
 * only the newlines `dcc` uses to lay out its output pass. Printers also escape each untrusted
 * value on its own (`shown`), newline included, so a value cannot start a line of its own.
 *
 * `--json` output goes through the same escape. JSON.stringify already writes C0 controls as
 * escapes; DEL, C1 controls and invisible format characters it leaves raw, and they become
 * `\uXXXX` escapes too. Such characters occur only inside JSON strings, so the output is still
 * valid JSON that parses to exactly the same values; only its bytes differ from JSON.stringify's.
 */

/** `output` with every invisible or control character escaped except the newline. */
export function terminalText(output: string): string {
  return output.split('\n').map(escapeInvisible).join('\n');
}

/**
 * One untrusted value for a line of human-readable output: everything escaped, newlines too.
 * A value that is not a string is shown as JSON (a server's `{"toString": 1}` would make
 * `String()` throw).
 */
export function shown(value: unknown): string {
  return escapeInvisible(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
}

/** `io` with standard output and standard error passed through {@link terminalText}. */
export function terminalSafeIo(io: CliIo): CliIo {
  // Copied with its members' descriptors, not spread: a getter stays one, read only if asked
  // (the process's own reads process.stderr, which builds its stream).
  const safe = Object.defineProperties({}, Object.getOwnPropertyDescriptors(io)) as CliIo;
  safe.stdout = (text) => io.stdout(terminalText(text));
  safe.stderr = (text) => io.stderr(terminalText(text));
  return safe;
}
