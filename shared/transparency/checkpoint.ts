import { CodedError } from '../domain/coded-error.ts';
import { HASH_SIZE } from './merkle.ts';
import { strictBase64 } from './note.ts';

/**
 * C2SP `tlog-checkpoint`: the note text `<origin>\n<tree size>\n<base64 root hash>\n`, optionally
 * followed by extension lines. The signed form is a signed note over this text.
 */

/** A checkpoint's content. */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  /** Extension lines, without their newlines; usually none. */
  extensions: string[];
}

/** Checkpoint text refused. */
export class CheckpointError extends CodedError<'malformed-checkpoint'> {
  override readonly name = 'CheckpointError';
  constructor(message: string) {
    super('malformed-checkpoint', message);
  }
}

/** The note text of a checkpoint. */
export function formatCheckpoint(c: Checkpoint): string {
  if (c.origin.length === 0 || /[\n]/.test(c.origin)) throw new CheckpointError('The origin is one non-empty line.');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new CheckpointError('The tree size is a non-negative integer.');
  if (c.rootHash.length !== HASH_SIZE) throw new CheckpointError('The root hash has 32 bytes.');
  for (const e of c.extensions) {
    if (e.length === 0 || e.includes('\n')) throw new CheckpointError('An extension is one non-empty line.');
  }
  const lines = [c.origin, String(c.size), Buffer.from(c.rootHash).toString('base64'), ...c.extensions];
  return `${lines.join('\n')}\n`;
}

/** Parses checkpoint note text (already verified, or to be verified by the caller). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new CheckpointError('A checkpoint ends with a newline.');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointError('A checkpoint has an origin, a size and a root hash.');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0) throw new CheckpointError('The origin line is empty.');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new CheckpointError('The tree size is a decimal with no leading zeros.');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new CheckpointError('The tree size is too large.');
  const rootHash = strictBase64(rootText);
  if (rootHash === null || rootHash.length !== HASH_SIZE) throw new CheckpointError('The root hash is not base64 of 32 bytes.');
  if (extensions.some((e) => e.length === 0)) throw new CheckpointError('An extension line is empty.');
  return { origin, size, rootHash, extensions };
}
