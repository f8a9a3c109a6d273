import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Readable stack traces for a bundle without `--enable-source-maps`. That flag makes Node scan
 * every module of the bundle and read and parse its map while importing it, on every cold start
 * (about 10 ms for a function on Node 20 and 24), although a function formats a stack trace only
 * when something fails unexpectedly. Here a module's map, next to it, is read and its mappings
 * decoded the first time a stack trace has a frame in that module; the frames in the bundle then
 * name the original file, line and column. Until then nothing is read.
 *
 * The bundle is the folder of modules `bundleUrl` is in: its entry and the chunks a split build
 * writes beside it, each with its own map. Frames elsewhere (Node's own, another folder's) are
 * left as V8 wrote them.
 *
 * Does nothing when the bundle has no map next to it (running from the sources under tsx or
 * vitest, whose own source maps stay in charge) or when Node maps stacks itself
 * (`--enable-source-maps`).
 *
 * @param bundleUrl the URL of a module of the bundle (`import.meta.url` of a module inside it)
 */
export function mapStackTracesOnFirstUse(bundleUrl: string): void {
  if (process.sourceMapsEnabled || !bundleUrl.startsWith('file:')) return;
  if (!existsSync(`${fileURLToPath(bundleUrl)}.map`)) return;
  const folder = new URL('.', bundleUrl).href;
  // Per module URL: its map, or null when it has none or it cannot be read.
  const maps = new Map<string, SourceMap | null>();
  const sourceMapOf = (moduleUrl: string): SourceMap | null => {
    let map = maps.get(moduleUrl);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(moduleUrl)}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
      } catch {
        // No map, or an unreadable one: the module's frames stay as V8 wrote them.
        map = null;
      }
      maps.set(moduleUrl, map);
    }
    return map;
  };
  const inBundle = (file: string): boolean => file.startsWith(folder) && !file.slice(folder.length).includes('/');
  Error.prepareStackTrace = (error, frames) => {
    const header = errorHeader(error);
    try {
      return header + frames.map((frame) => `\n    at ${mappedFrame(frame, inBundle, sourceMapOf)}`).join('');
    } catch {
      return header + frames.map((frame) => `\n    at ${String(frame)}`).join('');
    }
  };
}

/** One frame as V8 writes it, its position in a module of the bundle replaced by the original one. */
function mappedFrame(frame: NodeJS.CallSite, inBundle: (file: string) => boolean, sourceMapOf: (moduleUrl: string) => SourceMap | null): string {
  const text = String(frame);
  const file = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if (file === null || file === undefined || !inBundle(file) || line === null || column === null) return text;
  const entry = sourceMapOf(file)?.findEntry(line - 1, column - 1);
  if (!entry || !('originalSource' in entry)) return text;
  const generated = `${file}:${line}:${column}`;
  // Sources are relative to the map, as esbuild writes them; resolved as Node resolves them.
  const source = new URL(entry.originalSource, file).href;
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
