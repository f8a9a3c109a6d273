import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import type { NoteSignatureType, NoteSigner } from '../../transparency/note-signer.ts';
import { keyObjectNoteSigner } from '../../transparency/note.ts';
import { ensurePrivateKeyFile } from './files.ts';

/** The log key's file name in local mode's data directory. */
export const LOG_KEY_FILE = 'log-key.pem';

/**
 * Returns the PEM (PKCS#8) of the log key at `path`, creating it on first use: Ed25519, or P-256
 * for RFC 6962 signatures.
 */
export function ensureLogKeyFile(path: string, type: NoteSignatureType = 'ed25519'): Promise<string> {
  return ensurePrivateKeyFile(path, () =>
    (type === 'rfc6962' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519')).privateKey
      .export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  );
}

/**
 * The local mode's log signer: a key file in place of the KMS key. The file's key must be of the
 * asked type: a log never changes its signature type under the same name silently.
 */
export async function localNoteSigner(keyFile: string, name: string, type: NoteSignatureType = 'ed25519'): Promise<NoteSigner> {
  const key = createPrivateKey(await ensureLogKeyFile(keyFile, type));
  const signer = keyObjectNoteSigner(name, key);
  if (signer.type !== type) throw new Error(`The log key file ${keyFile} holds a key for ${signer.type} signatures, not ${type}.`);
  return signer;
}
