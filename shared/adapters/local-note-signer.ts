import { generateKeyPairSync, createPrivateKey, randomBytes } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { NoteSigner } from '../ports/log-note-signer.ts';
import { keyObjectNoteSigner } from '../transparency/note.ts';
import { PRIVATE_FILE_MODE, ensureDirectory, errorCode, readIfExists } from './local/key-file.ts';

/** The log key's file name in local mode's data directory. */
export const LOG_KEY_FILE = 'log-key.pem';

/**
 * Returns the PEM of the Ed25519 log key (PKCS#8) at `path`, creating it on first use. Published
 * with `link(2)` so that two processes starting at once agree on one key.
 */
export async function ensureEd25519KeyFile(path: string): Promise<string> {
  const existing = await readIfExists(path);
  if (existing !== null) return existing;
  await ensureDirectory(dirname(path));
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, pem, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  try {
    await link(temp, path);
    return pem;
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return readFile(path, 'utf8');
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** The local mode's log signer: an Ed25519 key file in place of the KMS key. */
export async function localNoteSigner(keyFile: string, name: string): Promise<NoteSigner> {
  const key = createPrivateKey(await ensureEd25519KeyFile(keyFile));
  return keyObjectNoteSigner(name, key);
}
