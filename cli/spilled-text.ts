import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { UsageError } from './context.ts';
import { onInterrupt } from './on-interrupt.ts';

/**
 * Characters held in memory before the text moves to a file: 6,000 to 11,000 results of a JSON
 * report (370 to 650 characters each), so that a report of a few thousand touches no disk.
 * Held longer, the pieces outlive young-generation collections and are copied at each: with a
 * limit of 256 Mi characters a report of a million results made the heap larger than the
 * results kept as objects had (docs/performance.md).
 */
const MEMORY_CHARACTERS = 4 * 1024 * 1024;

/** Characters gathered before a write to the file: one system call for many small pieces, each write's text still a young object. */
const WRITE_CHARACTERS = 64 * 1024;

/** Bytes read back at a time. */
const READ_BYTES = 1024 * 1024;

/**
 * Text appended piece by piece and given back once, in order: held in memory up to a limit,
 * then in a temporary file only this user can read (a folder of its own under the system's
 * temporary directory). A JSON report of an archive of millions starts with a summary that is
 * known only at the end, and its results, kept as objects, took about 300 MB a million; the
 * file keeps the run's memory bounded whatever the archive's size.
 * {@link dispose} removes the file, and so does a run stopped by SIGINT, SIGTERM or SIGHUP
 * before it (`onInterrupt`); a run killed outright (SIGKILL) leaves the folder behind.
 */
export class SpilledText {
  private pieces: string[] = [];
  private held = 0;
  private file: { folder: string; fd: number; forget: () => void } | undefined;
  /** Text for the file, not yet written. */
  private pending = '';

  /** `root`: where the temporary folder is made; `memoryCharacters`: how much stays in memory before. */
  constructor(
    private readonly root: string,
    private readonly memoryCharacters = MEMORY_CHARACTERS,
  ) {}

  /** Adds `text` at the end. @throws {UsageError} when the temporary file cannot be made or written (a full disk). */
  append(text: string): void {
    this.onDisk(() => this.add(text));
  }

  /** Runs `work` on the temporary file, a system error becoming the usage error that names where. */
  private onDisk(work: () => void): void {
    try {
      work();
    } catch (error) {
      if (!(error instanceof Error) || !('code' in error)) throw error;
      throw new UsageError(`cannot keep the report's results in a temporary file under ${this.root} (${String(error.code)}): set TMPDIR to a folder with room`);
    }
  }

  private add(text: string): void {
    if (this.file !== undefined) {
      this.toFile(this.file.fd, text);
      return;
    }
    this.pieces.push(text);
    this.held += text.length;
    if (this.held <= this.memoryCharacters) return;
    const folder = mkdtempSync(join(this.root, 'dcc-report-'));
    let fd = -1;
    // Removed if the run is stopped before it is disposed of.
    const forget = onInterrupt(() => removeFolder(folder, fd));
    try {
      fd = openSync(join(folder, 'text'), 'w+', 0o600);
    } catch (error) {
      forget();
      removeFolder(folder, fd);
      throw error;
    }
    this.file = { folder, fd, forget };
    for (const piece of this.pieces) this.toFile(this.file.fd, piece);
    this.pieces = [];
    this.held = 0;
  }

  /** Adds `text` to what the file is given next, and gives it once there is enough. */
  private toFile(fd: number, text: string): void {
    this.pending += text;
    if (this.pending.length >= WRITE_CHARACTERS) this.flush(fd);
  }

  /** Writes the pending text at the file's end (a write may take fewer bytes than it was given). */
  private flush(fd: number): void {
    const bytes = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  }

  /**
   * Gives the text back in order, a piece at a time (no piece splits a character), and lets go of
   * what was in memory. @throws {UsageError} when the file's last text cannot be written.
   */
  drain(write: (text: string) => void): void {
    if (this.file === undefined) {
      // Within the limit: one write.
      const text = this.pieces.join('');
      this.pieces = [];
      if (text !== '') write(text);
      return;
    }
    const { fd } = this.file;
    this.onDisk(() => this.flush(fd));
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    const decoder = new StringDecoder('utf8');
    let position = 0;
    for (let read = readSync(fd, buffer, 0, READ_BYTES, position); read > 0; read = readSync(fd, buffer, 0, READ_BYTES, position)) {
      position += read;
      const text = decoder.write(buffer.subarray(0, read));
      if (text !== '') write(text);
    }
    const rest = decoder.end();
    if (rest !== '') write(rest);
  }

  /** Removes the temporary file, if there is one. */
  dispose(): void {
    this.pieces = [];
    this.pending = '';
    if (this.file === undefined) return;
    const { folder, fd, forget } = this.file;
    this.file = undefined;
    forget();
    removeFolder(folder, fd);
  }
}

/** Closes the file (`fd`, when open: Windows removes no open file) and removes its folder. */
function removeFolder(folder: string, fd: number): void {
  try {
    if (fd >= 0) closeSync(fd);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
