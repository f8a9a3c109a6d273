import { generateKeyPair, type KeyObject, createPrivateKey, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { rsaJwkFromKeyObject } from '../../crypto/rsa-jwk.ts';
import { SignerError } from '../../crypto/errors.ts';
import type { AccessTokenJwk, AccessTokenSigner } from '../../domain/access-token.ts';
import { ensurePrivateKeyFile } from './files.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Signs access tokens (RS256) with an RSA key held in this process: local mode's stand-in for
 * the KMS `RSA_2048` key, in its own file (never the certificate key: a leaked dev token key must
 * not forge certificates).
 */
export class LocalAccessTokenSigner implements AccessTokenSigner {
  readonly #privateKey: KeyObject;
  readonly #publicJwk: AccessTokenJwk;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    this.#publicJwk = rsaJwkFromKeyObject(privateKey);
  }

  /**
   * Opens the PKCS#8 PEM RSA key at `path`, creating a 2048-bit one (mode 0600) on first use.
   *
   * @throws {SignerError} `signer-key-file-invalid` when the file is not an RSA private key of at least 2048 bits.
   */
  static async fromKeyFile(path: string): Promise<LocalAccessTokenSigner> {
    const pem = await ensurePrivateKeyFile(path, async () => {
      const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
      return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    });
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: pem, format: 'pem' });
    } catch (cause) {
      throw new SignerError('signer-key-file-invalid', `${path} does not hold a readable private key`, { cause });
    }
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      throw new SignerError('signer-key-file-invalid', `${path} is not an RSA private key of at least 2048 bits; delete it to create a new one`);
    }
    return new LocalAccessTokenSigner(key);
  }

  sign(signingInput: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      // RSASSA-PKCS1-v1_5 with SHA-256 (node's default padding for RSA keys), on the libuv pool.
      sign('sha256', signingInput, this.#privateKey, (error, signature) => {
        if (error) reject(error);
        else resolve(new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength));
      });
    });
  }

  publicJwk(): Promise<AccessTokenJwk> {
    return Promise.resolve(this.#publicJwk);
  }
}
