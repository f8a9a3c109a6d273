import { generateKeyPair, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Files of the local mode's data directory: private keys and small JSON documents. Every write
 * is atomic (a reader sees the old content or the new, never half), and key files are readable
 * by their owner only.
 */

/** Owner read/write only: private keys and the registry stay with the user who runs the service. */
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and its parents) if missing, private to the owner when this call creates it. */
export async function ensureDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * Returns the PEM of the private key at `path`, creating it with `generate` on first use. The one
 * way a key file comes to exist, for every local key (certificate signing, log, token issuer).
 *
 * Creation is atomic and never clobbers: the key is written and fsynced to a private temp file
 * (`wx`, mode 0600) beside the key, then published with `link(2)`, which fails when the name
 * exists. A crash leaves at most a stray temp file, never half a key; of two processes starting at
 * once (the server and `npm run token`), exactly one key wins and both use it. A rename would let
 * the loser overwrite a key the winner has already signed with.
 */
export async function ensurePrivateKeyFile(path: string, generate: () => string | Promise<string>): Promise<string> {
  const existing = await readIfExists(path);
  if (existing !== null) return existing;
  const directory = dirname(path);
  await ensureDirectory(directory);
  const pem = await generate();
  const temp = tempNameFor(path);
  const handle = await open(temp, 'wx', PRIVATE_FILE_MODE);
  try {
    try {
      await handle.writeFile(pem, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      // Another process created the key between our read and our link: theirs is the key.
      return await readFile(path, 'utf8');
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(directory);
  return pem;
}

/** Returns the PEM of a P-256 private key (PKCS#8) at `path`, creating it on first use. */
export function ensureP256KeyFile(path: string): Promise<string> {
  return ensurePrivateKeyFile(path, async () => {
    // The asynchronous form generates on the libuv pool instead of blocking the event loop.
    const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
    return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  });
}

/** Makes a new directory entry durable; not every platform lets a directory be opened. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the file itself is already fsynced.
  }
}

/** Replaces `path` with `content` atomically (write a sibling, then rename over). */
export async function writeFileAtomic(path: string, content: string, mode = PRIVATE_FILE_MODE): Promise<void> {
  await ensureDirectory(dirname(path));
  const temp = tempNameFor(path);
  try {
    await writeFile(temp, content, { mode, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** The file's text, or null when it does not exist. */
export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/** The `code` of a Node.js system error (`ENOENT`, `EEXIST`, …), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

// In the same directory, so that link and rename stay on one file system.
function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}
