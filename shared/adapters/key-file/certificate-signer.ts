import { createPrivateKey, generateKeyPair, randomUUID, sign, type KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { SignerError } from '../../crypto/errors.ts';
import { jwkFromKeyObject } from '../../crypto/jwks.ts';
import type { CertificateSigner, PublicVerificationJwk } from '../../domain/signer.ts';

const generateKeyPairAsync = promisify(generateKeyPair);
const PKCS8_LABEL = '-----BEGIN PRIVATE KEY-----';

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/**
 * Reads the key file, or creates it when it does not exist yet.
 *
 * Creation is atomic and never clobbers: the key is written and fsynced to a private temp file
 * (`wx`, mode 0600), then published with `link`, which fails if the name already exists.
 * A crash leaves at most a stray temp file, never half a key; of two processes starting at
 * once, one publishes its key and the other discards its own and reads the winner's. (`rename`
 * would replace the file silently, leaving the loser signing with a key that is gone.)
 */
async function readOrCreateKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(pem, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
    return readFile(path, 'utf8');
  } finally {
    await rm(temp, { force: true });
  }
  await syncDirectory(directory);
  return pem;
}

/** Makes the new directory entry durable; not every platform lets a directory be opened. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the key itself is already fsynced.
  }
}

/**
 * Signs certificates with a P-256 private key held in this process: local mode's stand-in for
 * KMS, behind the same port. ES256 signatures are produced in `R||S` form directly.
 */
export class LocalCertificateSigner implements CertificateSigner {
  readonly #privateKey: KeyObject;
  readonly #publicJwk: PublicVerificationJwk;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    this.#publicJwk = jwkFromKeyObject(privateKey);
  }

  /**
   * Opens the PKCS#8 PEM key file at `path`, creating it (P-256, mode 0600) on first use.
   *
   * @throws {SignerError} `signer-key-file-invalid` when the file exists but is not an
   *   unencrypted PKCS#8 P-256 private key; it is never overwritten.
   */
  static async fromKeyFile(path: string): Promise<LocalCertificateSigner> {
    const pem = await readOrCreateKeyFile(path);
    if (!pem.trimStart().startsWith(PKCS8_LABEL)) {
      throw new SignerError('signer-key-file-invalid', `${path} is not a PKCS#8 PEM private key`);
    }
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: pem, format: 'pem' });
    } catch (cause) {
      throw new SignerError('signer-key-file-invalid', `${path} does not hold a readable private key`, { cause });
    }
    return LocalCertificateSigner.fromPrivateKey(key, path);
  }

  /**
   * A signer over an in-memory P-256 private key.
   *
   * @throws {SignerError} `signer-key-file-invalid` when the key is not an EC P-256 private key.
   */
  static fromPrivateKey(privateKey: KeyObject, origin = 'the key'): LocalCertificateSigner {
    if (
      privateKey.type !== 'private' ||
      privateKey.asymmetricKeyType !== 'ec' ||
      privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
    ) {
      throw new SignerError('signer-key-file-invalid', `${origin} is not an EC P-256 private key`);
    }
    return new LocalCertificateSigner(privateKey);
  }

  /** Signs `signingInput` with ES256 and returns the 64-byte `R||S` signature. */
  sign(signingInput: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      // The callback form runs on the libuv pool instead of blocking the event loop.
      sign('sha256', signingInput, { key: this.#privateKey, dsaEncoding: 'ieee-p1363' }, (error, signature) => {
        if (error) reject(error);
        else resolve(new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength));
      });
    });
  }

  /** The public JWK, derived once when the signer is created. */
  publicJwk(): Promise<PublicVerificationJwk> {
    return Promise.resolve(this.#publicJwk);
  }
}
