import { type Checkpoint, parseCheckpoint } from './checkpoint.ts';
import { type LogEntry, decodeEntry } from './entry.ts';
import { HASH_SIZE, leafHash, verifyInclusion } from './merkle.ts';
import { type NoteVerifierKey, openNote, strictBase64 } from './note.ts';
import { CodedError } from '../domain/coded-error.ts';

/**
 * C2SP `tlog-proof@v1`: `c2sp.org/tlog-proof@v1`, an optional `extra <base64>` line, `index <n>`,
 * the inclusion proof hashes (base64, one per line), an empty line and the signed checkpoint.
 * Our proofs carry the logged entry itself as `extra`, so a holder can check the proof offline
 * without fetching anything.
 */

export const PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

/** A proof document's parts. */
export interface TlogProof {
  extra: Uint8Array | null;
  index: number;
  hashes: Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

/** A proof document refused; `code` says why. */
export class ProofError extends CodedError<'malformed-proof' | 'wrong-origin' | 'no-entry'> {
  override readonly name = 'ProofError';
}

/** Writes a proof document. */
export function formatProof(p: TlogProof): string {
  const lines = [PROOF_HEADER];
  if (p.extra !== null) lines.push(`extra ${Buffer.from(p.extra).toString('base64')}`);
  lines.push(`index ${p.index}`);
  for (const h of p.hashes) lines.push(Buffer.from(h).toString('base64'));
  return `${lines.join('\n')}\n\n${p.checkpoint}`;
}

/** Parses a proof document (nothing verified yet). */
export function parseProof(text: string): TlogProof {
  const split = text.indexOf('\n\n');
  if (split < 0) throw new ProofError('malformed-proof', 'A proof has an empty line before its checkpoint.');
  const lines = text.slice(0, split).split('\n');
  const checkpoint = text.slice(split + 2);
  if (lines.shift() !== PROOF_HEADER) throw new ProofError('malformed-proof', `A proof starts with ${PROOF_HEADER}.`);
  let extra: Uint8Array | null = null;
  if (lines[0]?.startsWith('extra ')) {
    extra = strictBase64((lines.shift() as string).slice(6));
    if (extra === null) throw new ProofError('malformed-proof', 'The extra data is not base64.');
  }
  const indexLine = lines.shift() ?? '';
  const m = /^index (0|[1-9][0-9]*)$/.exec(indexLine);
  if (!m || !Number.isSafeInteger(Number(m[1]))) throw new ProofError('malformed-proof', 'The index line is "index <decimal>".');
  const hashes = lines.map((l) => {
    const h = strictBase64(l);
    if (h === null || h.length !== HASH_SIZE) throw new ProofError('malformed-proof', 'A proof line is not base64 of a 32-byte hash.');
    return h;
  });
  return { extra, index: Number(m[1]), hashes, checkpoint };
}

/** What a verified proof establishes. */
export interface VerifiedProof {
  index: number;
  checkpoint: Checkpoint;
  entry: LogEntry;
}

/**
 * Verifies a proof offline against the log's verifier key: the checkpoint's signature, its
 * origin (the key's name), and the inclusion of the entry carried as extra data. Throws the
 * failing check's error (`ProofError`, `NoteError`, `CheckpointError`, `MerkleError`, `EntryError`).
 */
export function verifyProof(text: string, key: NoteVerifierKey): VerifiedProof {
  const proof = parseProof(text);
  const checkpoint = parseCheckpoint(openNote(proof.checkpoint, key));
  if (checkpoint.origin !== key.name) throw new ProofError('wrong-origin', `The checkpoint's origin ${checkpoint.origin} is not the key's ${key.name}.`);
  if (proof.extra === null) throw new ProofError('no-entry', 'The proof does not carry its entry.');
  verifyInclusion(proof.index, checkpoint.size, leafHash(proof.extra), proof.hashes, checkpoint.rootHash);
  return { index: proof.index, checkpoint, entry: decodeEntry(proof.extra) };
}
