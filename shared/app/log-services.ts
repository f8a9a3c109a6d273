import type { KMSClient } from '@aws-sdk/client-kms';
import type { LogStore } from '../ports/log-store.ts';
import type { NoteSigner } from '../transparency/note-signer.ts';
import { LogIntegrator } from '../services/log-integrator.ts';
import type { LogReader } from '../services/log-reader.ts';
import { KmsNoteSigner } from '../adapters/kms/note-signer.ts';
import { memoizeAsync } from '../support/memo.ts';
import type { LogSigning } from './config.ts';
import { KEY_FILES_LEFT_OUT } from './container.ts';

/** The transparency log's part of the app. */
export interface LogServices {
  store: LogStore;
  /** Public reads (checkpoint, key, tiles, proofs). Needs no key. */
  reader: LogReader;
  /** The integrator, with the log key; built on first use (only the integrator function signs). */
  integrator: () => Promise<LogIntegrator>;
}

/**
 * The log's integrator, made on first use. `signing` is asked for then, not before: only the
 * integrator function (and the local service) is given a log key. The API functions read the log
 * through its reader alone (`parts/log.ts`) and never import this module.
 */
export function logIntegrator(options: {
  store: LogStore;
  signing: () => LogSigning;
  kms: () => KMSClient;
  /** Stamps RFC 6962 checkpoint signatures. @default the system clock */
  clock?: () => Date;
}): () => Promise<LogIntegrator> {
  const signer = async (): Promise<NoteSigner> => {
    const signing = options.signing();
    if (signing.kind === 'local') {
      // See KEY_FILES_LEFT_OUT.
      if (typeof DCC_KEY_FILES === 'undefined' || DCC_KEY_FILES) {
        return (await import('../adapters/key-file/note-signer.ts')).localNoteSigner(signing.keyFile, signing.origin, signing.signature);
      }
      throw new Error(KEY_FILES_LEFT_OUT);
    }
    return new KmsNoteSigner({ client: options.kms(), keyId: signing.keyId, name: signing.origin, type: signing.signature });
  };
  return memoizeAsync(
    async () =>
      new LogIntegrator({
        store: options.store,
        signer: await signer(),
        ...(options.clock ? { clock: options.clock } : {}),
      }),
  );
}
