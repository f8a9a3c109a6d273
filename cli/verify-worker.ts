import { parentPort, workerData } from 'node:worker_threads';
import { verifyCertificate } from '#shared/domain/certificate.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import type { OfflineChunk, OfflineChunkResult, OfflineWorkerData } from './verify-workers.ts';

/**
 * A worker thread of `dcc verify` for large batches (started by verify-workers.ts): it runs the
 * offline verification (`verifyCertificate`) on the chunks of tokens it is sent and posts the
 * verdicts back in the chunk's order. It touches no file, network or terminal.
 */

const port = parentPort;
if (port === null) throw new Error('verify-worker.ts runs as a worker thread');
const data = workerData as OfflineWorkerData;
const keys = data.keys as PublicVerificationJwk[];
const at = new Date(data.atMs);

port.on('message', (chunk: OfflineChunk) => {
  void (async () => {
    const verdicts = [];
    for (const token of chunk.tokens) {
      verdicts.push(token === null ? null : await verifyCertificate(token, keys, at, { clockSkewSeconds: data.clockSkewSeconds }));
    }
    const result: OfflineChunkResult = { id: chunk.id, verdicts };
    port.postMessage(result);
  })();
});
// Loaded: from now on a chunk sent here is verified at once, not after the program loads.
port.postMessage(null);
