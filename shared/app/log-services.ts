import type { KMSClient } from '@aws-sdk/client-kms';
import type { LogStore } from '../ports/log-store.ts';
import type { NoteSigner } from '../transparency/note-signer.ts';
import type { LogIntegrator } from '../services/log-integrator.ts';
import { LogReader } from '../services/log-reader.ts';
import { KmsNoteSigner } from '../adapters/kms/note-signer.ts';
import { memoizeAsync } from '../support/memo.ts';
import type { LogSigning } from './config.ts';

/** The transparency log's part of the app. */
export interface LogServices {
  store: LogStore;
  /** Public reads (checkpoint, key, tiles, proofs). Needs no key. */
  reader: LogReader;
  /** The integrator, with the log key; built on first use (only the integrator function signs). */
  integrator: () => Promise<LogIntegrator>;
}

/**
 * Wires the log. `signing` is asked for on the integrator's first use, not before: the API
 * functions read the log but are given no log key. The integrator and the note signers are
 * imported then too, so that the API functions never run their modules at cold start.
 */
export function buildLogServices(options: {
  store: LogStore;
  signing: () => LogSigning;
  kms: () => KMSClient;
  /** Stamps RFC 6962 checkpoint signatures. @default the system clock */
  clock?: () => Date;
}): LogServices {
  const { store } = options;
  const signer = async (): Promise<NoteSigner> => {
    const signing = options.signing();
    if (signing.kind === 'local') {
      return (await import('../adapters/key-file/note-signer.ts')).localNoteSigner(signing.keyFile, signing.origin, signing.signature);
    }
    return new KmsNoteSigner({ client: options.kms(), keyId: signing.keyId, name: signing.origin, type: signing.signature });
  };
  return {
    store,
    reader: new LogReader(store),
    integrator: memoizeAsync(
      async () =>
        new (await import('../services/log-integrator.ts')).LogIntegrator({
          store,
          signer: await signer(),
          ...(options.clock ? { clock: options.clock } : {}),
        }),
    ),
  };
}
