import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { derToP1363 } from '../../crypto/ecdsa-der.ts';
import { SignerError } from '../../crypto/errors.ts';
import { jwkFromKeyObject } from '../../crypto/jwks.ts';
import type { CertificateSigner, PublicVerificationJwk } from '../../domain/signer.ts';
import { ensureP256KeyFile } from './files.ts';

const PKCS8_LABEL = '-----BEGIN PRIVATE KEY-----';

/**
 * Signs certificates with a P-256 private key held in this process: local mode's stand-in for
 * KMS, behind the same port. OpenSSL signs in DER, as KMS does, and the signature is turned
 * into ES256's `R||S` here (asking Node for `R||S` costs more on Node 24: see `verifyP256With`).
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
    const pem = await ensureP256KeyFile(path);
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
      sign('sha256', signingInput, this.#privateKey, (error, signature) => {
        if (error) return reject(error);
        // A callback that threw would be an uncaught exception: a refusal rejects instead.
        try {
          resolve(derToP1363(new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength), 32));
        } catch (cause) {
          reject(cause instanceof Error ? cause : new Error(String(cause)));
        }
      });
    });
  }

  /** The public JWK, derived once when the signer is created. */
  publicJwk(): Promise<PublicVerificationJwk> {
    return Promise.resolve(this.#publicJwk);
  }
}
