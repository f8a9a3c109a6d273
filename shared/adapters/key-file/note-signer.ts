import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import type { NoteSigner } from '../../transparency/note-signer.ts';
import { keyObjectNoteSigner } from '../../transparency/note.ts';
import { ensurePrivateKeyFile } from './files.ts';

/** The log key's file name in local mode's data directory. */
export const LOG_KEY_FILE = 'log-key.pem';

/** Returns the PEM of the Ed25519 log key (PKCS#8) at `path`, creating it on first use. */
export function ensureEd25519KeyFile(path: string): Promise<string> {
  return ensurePrivateKeyFile(path, () =>
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
}

/** The local mode's log signer: an Ed25519 key file in place of the KMS key. */
export async function localNoteSigner(keyFile: string, name: string): Promise<NoteSigner> {
  const key = createPrivateKey(await ensureEd25519KeyFile(keyFile));
  return keyObjectNoteSigner(name, key);
}
