import type { TileId } from '../../transparency/tiles.ts';
import type { ItemKey } from './marshalling.ts';

/**
 * Items of the transparency log in the certificate table (see `table.ts` for the others):
 *
 * | item | pk | sk | what it holds |
 * |---|---|---|---|
 * | tree head | `LOG` | `HEAD` | `size`, `rootHash`, the signed `checkpoint`, `verifierKey` |
 * | checkpoint | `LOGCHECKPOINT` | `SIZE#<16-digit size>` | every committed checkpoint, by size |
 * | tile / bundle | `LOGTILE#<level or entries>/<index>` | `W#<3-digit width>` | `body` (Binary) |
 *
 * Tiles live in the table rather than in S3: the log's whole state then sits behind one IAM
 * grant and one backup (point-in-time recovery), the head's conditional write and the events'
 * integration commit in one transaction, and local mode needs no second emulator. A full entry
 * bundle is at most 256 × (2 + 1024) bytes (`MAX_LOGGED_ENTRY_BYTES` of `transparency/entry.ts`),
 * well under the 400 KB item limit. At a scale where tiles should be served from a CDN, they can
 * be mirrored to S3 as they are immutable.
 */

export const logKeys = {
  head: (): ItemKey => ({ pk: 'LOG', sk: 'HEAD' }),
  checkpoint: (size: number): ItemKey => ({ pk: 'LOGCHECKPOINT', sk: checkpointSk(size) }),
  tile: (id: TileId): ItemKey => ({ pk: `LOGTILE#${id.level}/${id.index}`, sk: `W#${String(id.width).padStart(3, '0')}` }),
};

/** Sort key of the checkpoint of `size`: zero-padded so that string order is numeric order. */
export function checkpointSk(size: number): string {
  return `SIZE#${String(size).padStart(16, '0')}`;
}
