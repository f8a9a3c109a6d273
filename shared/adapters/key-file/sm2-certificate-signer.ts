import { CryptoError, SignerError } from '../../crypto/errors.ts';
import { sm2PublicJwk } from '../../crypto/jwks.ts';
import type { Sm2PrivateKey } from '../../crypto/sm2.ts';
import { loadSm2 } from '../../crypto/sm2-loader.ts';
import type { CertificateSigner, Sm2VerificationJwk } from '../../domain/signer.ts';
import { ensurePrivateKeyFile } from './files.ts';

const PKCS8_PEM = /^-----BEGIN PRIVATE KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PRIVATE KEY-----\s*$/;

/** PEM armour of a PKCS#8 DER key, 64 base64 characters a line. */
export function pkcs8Pem(der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

/**
 * Signs certificates with an SM2 private key held in this process: local mode's stand-in for a
 * KMS `SM2` key, behind the same port. The key file is an unencrypted PKCS#8 PEM that OpenSSL
 * reads and writes too (`openssl genpkey -algorithm SM2`). Signatures are SM2 with SM3 over
 * Z_A || signing input, the default distinguishing ID, in `R||S` form.
 */
export class LocalSm2CertificateSigner implements CertificateSigner {
  readonly #key: Sm2PrivateKey;
  readonly #publicJwk: Sm2VerificationJwk;

  private constructor(key: Sm2PrivateKey) {
    this.#key = key;
    this.#publicJwk = sm2PublicJwk(key.publicKey);
  }

  /**
   * Opens the PKCS#8 PEM SM2 key file at `path`, creating it (mode 0600) on first use.
   *
   * @throws {SignerError} `signer-key-file-invalid` when the file exists but is not an
   *   unencrypted PKCS#8 SM2 private key; it is never overwritten.
   */
  static async fromKeyFile(path: string): Promise<LocalSm2CertificateSigner> {
    const { Sm2PrivateKey } = await loadSm2();
    const pem = await ensurePrivateKeyFile(path, () => pkcs8Pem(Sm2PrivateKey.generate().toPkcs8()));
    const body = PKCS8_PEM.exec(pem.trim() + '\n')?.[1];
    if (body === undefined) throw new SignerError('signer-key-file-invalid', `${path} is not a PKCS#8 PEM private key`);
    try {
      return new LocalSm2CertificateSigner(Sm2PrivateKey.fromPkcs8(Buffer.from(body.replace(/\s+/g, ''), 'base64')));
    } catch (cause) {
      if (!(cause instanceof CryptoError)) throw cause;
      throw new SignerError('signer-key-file-invalid', `${path} does not hold an SM2 private key (${cause.message})`, { cause });
    }
  }

  /** A signer over an in-memory SM2 private key. */
  static fromPrivateKey(key: Sm2PrivateKey): LocalSm2CertificateSigner {
    return new LocalSm2CertificateSigner(key);
  }

  /** Signs `signingInput` with SM2 (SM3, default distinguishing ID) and returns `R||S`. */
  sign(signingInput: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(this.#key.sign(signingInput));
  }

  /** The public JWK, derived once when the signer is created. */
  publicJwk(): Promise<Sm2VerificationJwk> {
    return Promise.resolve(this.#publicJwk);
  }
}
