import type { LogStore } from '../ports/log-store.ts';
import { inclusionProof } from '../transparency/merkle.ts';
import { parseVerifierKey } from '../transparency/note.ts';
import { formatProof, verifyProof } from '../transparency/proof.ts';
import { tileHasher } from '../transparency/tile-hasher.ts';
import { TILE_WIDTH, type TileId, decodeEntryBundle, decodeTile, parseTilePath, tilePath } from '../transparency/tiles.ts';

/** Which of a certificate's changes a proof is asked for. */
export type ProofEvent = 'issued' | 'revoked';

/** A public read of the log: what the routes serve. Reads only committed state. */
export class LogReader {
  constructor(private readonly store: LogStore) {}

  /** The signed checkpoint, or null before the log's first one. */
  async checkpoint(): Promise<string | null> {
    return (await this.store.head())?.checkpoint ?? null;
  }

  /** The note verifier key of the current checkpoint's signer, or null before the first one. */
  async verifierKey(): Promise<string | null> {
    return (await this.store.head())?.verifierKey ?? null;
  }

  /** A tile or bundle by its path below `tile/`; null when the path is not canonical or no checkpoint covers it. */
  async tile(path: string): Promise<{ id: TileId; body: Uint8Array } | null> {
    const id = parseTilePath(path);
    if (!id) return null;
    const body = await this.store.readServableTile(id);
    return body ? { id, body } : null;
  }

  /** Log indexes of a certificate's changes: `issued`, and `revoked` for a revocation or supersession. */
  async indexes(certificateId: string): Promise<{ issued?: number; revoked?: number }> {
    const out: { issued?: number; revoked?: number } = {};
    for (const e of await this.store.loggedEvents(certificateId)) {
      if (e.type === 'issued') out.issued = e.index;
      else out.revoked = e.index;
    }
    return out;
  }

  /**
   * The `tlog-proof` of one of a certificate's changes against the current checkpoint, with the
   * entry as extra data; null until that change is integrated.
   */
  async proof(certificateId: string, event: ProofEvent): Promise<string | null> {
    const index = (await this.indexes(certificateId))[event];
    if (index === undefined) return null;
    const head = await this.store.head();
    if (!head || index >= head.size) return null;
    const read = async (id: TileId) => {
      const body = await this.store.readTile(id);
      if (!body) throw new Error(`The log's ${tilePath(id)} is missing.`);
      return body;
    };
    const hashes = await inclusionProof(index, head.size, tileHasher(head.size, async (id) => decodeTile(await read(id))));
    const bundle = Math.floor(index / TILE_WIDTH);
    const width = Math.min(TILE_WIDTH, head.size - bundle * TILE_WIDTH);
    const entry = decodeEntryBundle(await read({ level: 'entries', index: bundle, width }))[index % TILE_WIDTH];
    if (!entry) throw new Error(`The log's bundle for index ${index} is short.`);
    return formatProof({ extra: entry, index, hashes, checkpoint: head.checkpoint });
  }

  /**
   * Where a certificate's changes sit in the log, and whether their inclusion proofs verify
   * against the current checkpoint (signature included) with entries that name this certificate
   * and this token. Null before the log's first checkpoint.
   */
  async inclusion(
    certificateId: string,
    tokenSha256: string,
  ): Promise<{ issued?: number; revoked?: number; treeSize: number; inclusionVerified: boolean } | null> {
    const head = await this.store.head();
    if (!head) return null;
    const indexes = await this.indexes(certificateId);
    const key = parseVerifierKey(head.verifierKey);
    let verified = indexes.issued !== undefined;
    for (const event of ['issued', 'revoked'] as const) {
      if (indexes[event] === undefined) continue;
      const text = await this.proof(certificateId, event);
      try {
        const proven = text === null ? null : verifyProof(text, key);
        verified &&= proven !== null && proven.entry.id === certificateId && proven.entry.tokenSha256 === tokenSha256;
      } catch {
        verified = false;
      }
    }
    return { ...indexes, treeSize: head.size, inclusionVerified: verified };
  }
}
