import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The items `dcc verify` judges, and how a folder's file becomes one. A folder's files are read by
 * the thread that verifies them (the main thread or a worker), so this module, which both load,
 * imports nothing but node's file system.
 */

/** One token to check, and where it came from (for reports). */
export interface TokenInput {
  source: string;
  /** The token, or null when the item could not be read as one. */
  token: string | null;
  /** Why the item is not a token (a line that is neither a token nor `{"token": …}`). */
  problem?: string;
}

/**
 * A file of a folder, listed and not read yet: `source` is its path. Whichever thread verifies
 * it reads it ({@link readUnreadFile}), so a run's main thread holds an archive's names, never its
 * tokens, and the reads are spread over the threads that verify.
 */
export interface UnreadFile {
  source: string;
  token?: undefined;
  problem?: undefined;
  unread: true;
}

/** An item of a batch: read, or a folder's file still to read. */
export type Item = TokenInput | UnreadFile;

export function isUnread(item: Item): item is UnreadFile {
  return 'unread' in item;
}

/**
 * A folder's file that, once read by the thread that had it to verify, held no certificate to
 * verify there: an item that is not a token (unreadable, too large, not JSON…), or a
 * presentation, which the calling thread judges.
 */
export interface ReadInput {
  input: TokenInput;
}

export function isReadInput(outcome: object | null | undefined): outcome is ReadInput {
  return outcome != null && 'input' in outcome;
}

/** The item itself, read if it is a file still to read. */
export function settledItem(item: Item): TokenInput {
  return isUnread(item) ? readUnreadFile(item.source) : item;
}

/**
 * The most a file of a folder may hold: one token (at most 32 KiB) or one certificate record
 * around it. A larger file in a folder is reported as not a token, without being read.
 */
export const MAX_TOKEN_FILE_BYTES = 1024 * 1024;

/**
 * One item of input: a bare token, or a JSON object with a string `token` (a JSON line, or a
 * certificate record as `dcc issue --json` prints it). Surrounding whitespace is a file's, not
 * the token's, and is dropped; whitespace inside stays and makes the token invalid.
 */
export function tokenFromText(text: string, source: string): TokenInput {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      return { source, token: null, problem: 'not valid JSON' };
    }
    const token = (value as { token?: unknown } | null)?.token;
    if (typeof token !== 'string') return { source, token: null, problem: 'a JSON object without a string "token"' };
    return { source, token };
  }
  return { source, token: trimmed };
}

/** This thread's buffer for a folder's files: a file is read into it whole, or found too large. */
let fileBuffer: Buffer | undefined;

/**
 * The file `file` of a folder as an item. The read is synchronous, one file open at a time (a
 * folder of millions must not exhaust file descriptors): for files of a few kilobytes, node's
 * promise-based `stat` and `readFile` took thirty times as long, most of it in the system,
 * handing each step to the thread pool and back (docs/performance.md, *Reading an archive*). A
 * file larger than any token or record is not read, and one that cannot be read (removed since
 * the folder was listed, not readable) is an item that holds no token, not the end of the run.
 */
export function readUnreadFile(file: string): TokenInput {
  fileBuffer ??= Buffer.allocUnsafe(MAX_TOKEN_FILE_BYTES + 1);
  const buffer = fileBuffer;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return unreadable(file, error);
  }
  try {
    const { size } = fstatSync(fd);
    if (size > MAX_TOKEN_FILE_BYTES) return tooLarge(file, size);
    // Read to the end, not to the size seen: a file that grew past the limit since is refused too.
    let length = 0;
    for (let read = 1; read > 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_TOKEN_FILE_BYTES) return tooLarge(file, length);
    return tokenFromText(buffer.toString('utf8', 0, length), file);
  } catch (error) {
    return unreadable(file, error);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(file: string, bytes: number): TokenInput {
  return { source: file, token: null, problem: `${bytes} bytes, more than any token or certificate record (${MAX_TOKEN_FILE_BYTES})` };
}

function unreadable(file: string, error: unknown): TokenInput {
  return { source: file, token: null, problem: `a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
}
