import type { KMSClient } from '@aws-sdk/client-kms';
import type { LogStore } from '../ports/log-store.ts';
import type { NoteSigner } from '../transparency/note-signer.ts';
import { LogIntegrator } from '../services/log-integrator.ts';
import { loadLogConfig } from './log-config.ts';
import { LogReader } from '../services/log-reader.ts';
import { KmsNoteSigner } from '../adapters/kms/note-signer.ts';
import { localNoteSigner } from '../adapters/key-file/note-signer.ts';

/** The transparency log's part of the container. */
export interface LogServices {
  store: LogStore;
  /** Public reads (checkpoint, key, tiles, proofs). Needs no key. */
  reader: LogReader;
  /** The integrator, with the log key; built on first use (only the integrator function signs). */
  integrator: () => Promise<LogIntegrator>;
}

/** Wires the log from the environment's `DCC_LOG_*` settings (read on first use of the key). */
export function buildLogServices(options: {
  store: LogStore;
  kms: () => KMSClient;
  env?: Record<string, string | undefined>;
}): LogServices {
  const store = options.store;
  let integrator: Promise<LogIntegrator> | undefined;
  const signer = async (): Promise<NoteSigner> => {
    const config = loadLogConfig(options.env ?? process.env);
    if (config.signer === 'local') return localNoteSigner(config.keyFile as string, config.origin);
    return new KmsNoteSigner({ client: options.kms(), keyId: config.kmsKeyId as string, name: config.origin });
  };
  return {
    store,
    reader: new LogReader(store),
    integrator: () => {
      integrator ??= signer()
        .then((s) => new LogIntegrator({ store, signer: s }))
        .catch((error: unknown) => {
          integrator = undefined;
          throw error;
        });
      return integrator;
    },
  };
}
