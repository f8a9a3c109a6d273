import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Readable stack traces for a bundle without `--enable-source-maps`. That flag makes Node scan the
 * whole bundle and read and parse its map while importing it, on every cold start (about 10 ms
 * for a function on Node 20 and 24), although a function formats a stack trace only when
 * something fails unexpectedly. Here the map next to the bundle is read, and its mappings are
 * decoded, the first time a stack trace is formatted; the frames in the bundle then name the
 * original file, line and column. Until then nothing is read.
 *
 * Does nothing when the bundle has no map next to it (running from the sources under tsx or
 * vitest, whose own source maps stay in charge) or when Node maps stacks itself
 * (`--enable-source-maps`).
 *
 * @param bundleUrl the URL of the bundle (`import.meta.url` of a module inside it)
 */
export function mapStackTracesOnFirstUse(bundleUrl: string): void {
  if (process.sourceMapsEnabled || !bundleUrl.startsWith('file:')) return;
  const mapFile = `${fileURLToPath(bundleUrl)}.map`;
  if (!existsSync(mapFile)) return;
  let map: SourceMap | null | undefined;
  const sourceMap = (): SourceMap | null => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
      } catch {
        // An unreadable map leaves the stack as V8 wrote it.
        map = null;
      }
    }
    return map;
  };
  Error.prepareStackTrace = (error, frames) => {
    const header = errorHeader(error);
    try {
      return header + frames.map((frame) => `\n    at ${mappedFrame(frame, bundleUrl, sourceMap)}`).join('');
    } catch {
      return header + frames.map((frame) => `\n    at ${String(frame)}`).join('');
    }
  };
}

/** One frame as V8 writes it, its position in the bundle replaced by the original one. */
function mappedFrame(frame: NodeJS.CallSite, bundleUrl: string, sourceMap: () => SourceMap | null): string {
  const text = String(frame);
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if (frame.getFileName() !== bundleUrl || line === null || column === null) return text;
  const entry = sourceMap()?.findEntry(line - 1, column - 1);
  if (!entry || !('originalSource' in entry)) return text;
  const generated = `${bundleUrl}:${line}:${column}`;
  // Sources are relative to the map, as esbuild writes them; resolved as Node resolves them.
  const source = new URL(entry.originalSource, bundleUrl).href;
  const original = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  return text.replace(generated, original);
}

/** The first line of a stack trace, as V8 writes it: `Name: message`. */
function errorHeader(error: unknown): string {
  try {
    return error instanceof Error ? Error.prototype.toString.call(error) : String(error);
  } catch {
    return '<error>';
  }
}
