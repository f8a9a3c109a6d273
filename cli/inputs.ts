import { closeSync, fstatSync, opendirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { importVerificationKeys } from '#shared/crypto/jwks.ts';
import { CryptoError } from '#shared/crypto/errors.ts';
import { bodyText, boundedFetch, fetchLimits, runLimits } from './bounded-fetch.ts';
import { type CliIo, UsageError } from './context.ts';
import { type Item, type TokenInput, tokenFromText } from './token-files.ts';

/**
 * The items of a batch, taken a window at a time. A folder's items are its files, listed and not
 * read: the thread that verifies a file reads it (`cli/token-files.ts`).
 */
export interface ItemSource {
  readonly length: number;
  /** Items `from` to `to` (not included), in order. */
  read(from: number, to: number): Item[];
}

/** The items of an array. */
export function itemsOf(items: readonly TokenInput[]): ItemSource {
  return { length: items.length, read: (from, to) => items.slice(from, to) };
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** The usage error of a path that cannot be read, with the system error's code. */
function cannotRead(path: string, error: unknown): UsageError {
  return new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
}

/**
 * The text of a file, or standard input for `-`, at most the run's `maxInputBytes` (a file's size
 * is checked before a byte of it is read). @throws {UsageError} when unreadable or too large.
 */
export async function readText(path: string, io: CliIo): Promise<string> {
  const { maxInputBytes } = runLimits(io);
  if (path === '-') return io.readStdin(maxInputBytes);
  return readFileText(path, maxInputBytes, (size) => tooLargeInput(path, size, maxInputBytes));
}

/** The refusal of an input beyond `maxInputBytes`, with its size when the system told it (undefined: found larger while read). */
function tooLargeInput(path: string, size: number | undefined, maxInputBytes: number): UsageError {
  const holds = size === undefined ? `holds more than ${maxInputBytes} bytes` : `holds ${size} bytes, more than ${maxInputBytes}`;
  return new UsageError(`${path} ${holds} (--max-input-bytes or DCC_MAX_INPUT_BYTES; verify a larger archive as a folder or in parts)`);
}

/** Bytes asked of the system at a time from a file whose size it does not know (a pipe, a device). */
const READ_PIECE = 64 * 1024;

/**
 * The UTF-8 text of the file `path`, refused by `tooLarge` beyond `maxBytes`: a file whose size
 * says so before a byte of it is read (given that size), and one that grows past it meanwhile,
 * or a pipe, once it has (given undefined). Synchronous, as a folder's files are read: a command
 * reads its few input files before it does anything else, and the promise-based reads handed
 * each step (open, size, read, close) to the thread pool and back; on Node 24, whose module
 * loader reads synchronously, they alone started the pool in a one-certificate run.
 * @throws {UsageError} when unreadable or too large.
 */
function readFileText(path: string, maxBytes: number, tooLarge: (size: number | undefined) => UsageError): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw cannotRead(path, error);
  }
  try {
    const { size } = fstatSync(fd);
    if (size > maxBytes) throw tooLarge(size);
    const pieces: Buffer[] = [];
    let length = 0;
    // Read to the end, not to the size seen; one byte beyond the limit is enough to refuse.
    while (length <= maxBytes) {
      const piece = Buffer.allocUnsafe(Math.min(Math.max(size + 1 - length, READ_PIECE), maxBytes + 1 - length));
      const read = readSync(fd, piece, 0, piece.length, null);
      if (read === 0) break;
      pieces.push(piece.subarray(0, read));
      length += read;
    }
    if (length > maxBytes) throw tooLarge(undefined);
    return (pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, length)).toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw cannotRead(path, error);
  } finally {
    closeSync(fd);
  }
}

/** Splits JSON-lines text into items; blank lines are skipped. */
export function tokensFromLines(text: string, name: string): TokenInput[] {
  const items: TokenInput[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    items.push(tokenFromText(line, `${name}:${i + 1}`));
  });
  return items;
}

/**
 * The tokens named by `path`: a folder (one token per regular file, in name order), a
 * JSON-lines file or stream (several non-blank lines), or a single token or record. A folder's
 * files are read by the threads that verify them ({@link ItemSource}), so a run holds the names
 * of an archive, not its tokens.
 * @throws {UsageError} when the path cannot be read or holds nothing.
 */
export async function readTokenInputs(path: string, io: CliIo): Promise<{ items: ItemSource; batch: boolean }> {
  if (path !== '-') {
    let info;
    try {
      info = statSync(path);
    } catch (error) {
      throw cannotRead(path, error);
    }
    if (info.isDirectory()) {
      let names: string[];
      try {
        names = fileNames(path);
      } catch (error) {
        throw cannotRead(path, error);
      }
      if (names.length === 0) throw new UsageError(`${path} holds no files`);
      return { items: folderItems(path, names), batch: true };
    }
  }
  const text = await readText(path, io);
  const name = path === '-' ? 'stdin' : path;
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UsageError(`${name} is empty`);
  if (lines.length > 1 && !isOneJsonDocument(text)) return { items: itemsOf(tokensFromLines(text, name)), batch: true };
  return { items: itemsOf([tokenFromText(text, name)]), batch: false };
}

/**
 * The names of the regular files in `folder`, in name order (UTF-16 code units, as `sort` orders
 * them). The folder is read as a stream of entries, keeping only each file's name: listing a
 * million files with every entry at once (`readdir` with file types) took the process to 294 MB
 * and kept 106 bytes a name, where this peaks at 146 MB and keeps 43 (docs/performance.md, *An
 * archive of millions*), about 430 MB for ten million names.
 * @throws {Error} when the folder cannot be read (its system error's code).
 */
function fileNames(folder: string): string[] {
  const names: string[] = [];
  const dir = opendirSync(folder, { bufferSize: DIRECTORY_ENTRIES_PER_READ });
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) if (entry.isFile()) names.push(entry.name);
  } finally {
    dir.closeSync();
  }
  return names.sort();
}

/** Directory entries asked of the system at a time while a folder is listed. */
const DIRECTORY_ENTRIES_PER_READ = 1024;

/** The files `names` of `folder` as items, each read by the thread that verifies it. */
function folderItems(folder: string, names: readonly string[]): ItemSource {
  return {
    length: names.length,
    read: (from, to) => names.slice(from, to).map((name) => ({ source: join(folder, name), unread: true })),
  };
}

/** A pretty-printed record spans lines but is one JSON document, not JSON lines. */
function isOneJsonDocument(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The published keys from a JWKS file or URL, validated as the service validates them. A URL is
 * read within the run's limits (`cli/bounded-fetch.ts`); a file or URL larger than the key set's
 * byte cap, or a set of more keys than `--max-keys`, is refused before any key is imported.
 * @throws {UsageError} when unreadable or not a valid key set ({@link SourceError} for a URL
 *   that misbehaves).
 */
export async function loadJwks(location: string, io: CliIo): Promise<PublicVerificationJwk[]> {
  const limits = fetchLimits(io, 'jwks');
  let text: string;
  if (isUrl(location)) {
    const response = await boundedFetch(io, location, { headers: { accept: 'application/jwk-set+json, application/json' } }, limits, 'the key set');
    if (response.status < 200 || response.status > 299) throw new UsageError(`cannot fetch the key set from ${location}: HTTP ${response.status}`);
    text = bodyText(response);
  } else if (location === '-') {
    text = await readText(location, io);
  } else {
    // The key set's own cap, or the run's input limit where that is lower; each refused in its own words.
    const { maxInputBytes } = runLimits(io);
    const cap = Math.min(limits.maxBytes, maxInputBytes);
    text = readFileText(location, cap, (size) => {
      if (cap !== limits.maxBytes) return tooLargeInput(location, size, maxInputBytes);
      const holds = size === undefined ? `more than the ${limits.maxBytes} bytes` : `${size} bytes, more than the ${limits.maxBytes}`;
      return new UsageError(`${location} holds ${holds} a key set may have (--max-bytes or DCC_MAX_BYTES)`);
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${location} is not JSON`);
  }
  try {
    return importVerificationKeys(json, { maxKeys: runLimits(io).maxKeys });
  } catch (error) {
    const tooMany = error instanceof CryptoError && error.code === 'jwks-too-many-keys';
    throw new UsageError(`${location} is not a usable key set: ${(error as Error).message}${tooMany ? ' (--max-keys or DCC_MAX_KEYS)' : ''}`);
  }
}

/** Parses `--at`: an RFC 3339 date-time with an offset. @throws {UsageError} */
export function parseInstant(value: string, option: string): Date {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value);
  const at = new Date(value);
  if (!ok || Number.isNaN(at.getTime())) throw new UsageError(`${option} must be an RFC 3339 date-time such as 2027-01-31T00:00:00Z, not ${value}`);
  return at;
}

/** Parses a non-negative whole number of seconds. @throws {UsageError} */
export function parseSeconds(value: string, option: string): number {
  if (!/^\d{1,5}$/.test(value)) throw new UsageError(`${option} must be a whole number of seconds, not ${value}`);
  return Number(value);
}
