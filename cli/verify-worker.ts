import { parentPort, workerData } from 'node:worker_threads';
import { type OfflineChunk, type OfflineChunkResult, type OfflineWorkerData, verifyChunk } from './verify-workers.ts';

/**
 * A worker thread of `dcc verify` for large batches (started by verify-workers.ts): it runs the
 * offline verification (`verifyChunk`, as the main thread does with its share) on the chunks it
 * is sent (tokens, or the paths of a folder's files, which it reads) and posts the outcomes back
 * in the chunk's order. It reads no other file and touches no network or terminal.
 */

const port = parentPort;
if (port === null) throw new Error('verify-worker.ts runs as a worker thread');
const data = workerData as OfflineWorkerData;

port.on('message', (chunk: OfflineChunk) => {
  void verifyChunk(chunk.entries, chunk.files, data).then((verdicts) => {
    const result: OfflineChunkResult = { id: chunk.id, verdicts };
    port.postMessage(result);
  });
});
// Loaded: from now on a chunk sent here is verified at once, not after the program loads.
port.postMessage(null);
