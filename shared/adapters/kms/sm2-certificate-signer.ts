import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { derToP1363 } from '../../crypto/ecdsa-der.ts';
import { CryptoError, SignerError } from '../../crypto/errors.ts';
import { sm2PublicJwk } from '../../crypto/jwks.ts';
// Only the type of sm2.ts: the SM2 arithmetic is loaded with the key's public point, so a
// function that has this signer wired in but never signs (or a stage of the ES256 suite) never
// evaluates it; this module itself stays a static import of the app (see app.ts on the SDK).
import type { Sm2PublicKey } from '../../crypto/sm2.ts';
import { SM2_ORDER } from '../../crypto/sm2-curve.ts';
import { loadSm2 } from '../../crypto/sm2-loader.ts';
import type { CertificateSigner, Sm2VerificationJwk } from '../../domain/signer.ts';
import { memoizeAsync } from '../../support/memo.ts';

/** Options of {@link KmsSm2CertificateSigner}. */
export interface KmsSm2CertificateSignerOptions {
  /** The KMS client, created once per container by the caller. */
  client: KMSClient;
  /** Key id, key ARN, alias name or alias ARN of an `SM2` / `SIGN_VERIFY` key (China Regions). */
  keyId: string;
}

/**
 * Signs certificates with an AWS KMS `SM2` key (`SM2DSA`); the private key never leaves KMS.
 *
 * One `Sign` per signature, with `MessageType: DIGEST` over e = SM3(Z_A || signing input)
 * computed here from the key's public point and the default distinguishing ID
 * `1234567812345678`: with `RAW`, KMS would compute the same e itself, but a `RAW` message is
 * limited to 4096 bytes and a status list credential is larger. KMS answers DER; this converts
 * it to the 64-byte `R||S` of the suite.
 *
 * The key's public point is fetched once (`GetPublicKey`) before the first signature, since Z_A
 * depends on it. KMS errors propagate unchanged, as the SDK threw them; only a key or an answer
 * that cannot be right raises {@link SignerError}.
 */
export class KmsSm2CertificateSigner implements CertificateSigner {
  readonly #client: KMSClient;
  readonly #keyId: string;
  readonly #publicKey = memoizeAsync(() => this.#fetchPublicKey());

  constructor(options: KmsSm2CertificateSignerOptions) {
    this.#client = options.client;
    this.#keyId = options.keyId;
  }

  /** Signs `signingInput` with SM2 (SM3, default distinguishing ID) and returns `R||S`. */
  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    const { key } = await this.#publicKey();
    const response = await this.#client.send(
      new SignCommand({
        KeyId: this.#keyId,
        Message: key.digest(signingInput),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'SM2DSA',
      }),
    );
    if (response.Signature === undefined) {
      throw new SignerError('signer-response-incomplete', 'KMS Sign returned no signature');
    }
    try {
      return derToP1363(response.Signature, 32, SM2_ORDER);
    } catch (cause) {
      if (!(cause instanceof CryptoError)) throw cause;
      throw new SignerError('signer-signature-malformed', `KMS returned a signature that is not a DER SM2 signature (${cause.code})`, {
        cause,
      });
    }
  }

  /** The key's public JWK, from one `GetPublicKey` per process (a failed fetch is retried next time). */
  async publicJwk(): Promise<Sm2VerificationJwk> {
    return (await this.#publicKey()).jwk;
  }

  async #fetchPublicKey(): Promise<{ key: Sm2PublicKey; jwk: Sm2VerificationJwk }> {
    const response = await this.#client.send(new GetPublicKeyCommand({ KeyId: this.#keyId }));
    const key = await sm2KeyOfResponse(this.#keyId, response);
    if (response.SigningAlgorithms !== undefined && !response.SigningAlgorithms.includes('SM2DSA')) {
      throw new SignerError('signer-key-unsuitable', `KMS key ${this.#keyId} does not offer SM2DSA`);
    }
    return { key, jwk: sm2PublicJwk(key) };
  }
}

/**
 * The SM2 public key of a `GetPublicKey` answer, checked to be an `SM2` / `SIGN_VERIFY` key.
 * @throws {SignerError} `signer-key-unsuitable` or `signer-response-incomplete`.
 */
export async function sm2KeyOfResponse(
  keyId: string,
  response: { KeySpec?: string | undefined; KeyUsage?: string | undefined; PublicKey?: Uint8Array | undefined },
): Promise<Sm2PublicKey> {
  if (response.KeySpec !== 'SM2') {
    throw new SignerError('signer-key-unsuitable', `KMS key ${keyId} has KeySpec ${String(response.KeySpec)}, expected SM2`);
  }
  if (response.KeyUsage !== 'SIGN_VERIFY') {
    throw new SignerError('signer-key-unsuitable', `KMS key ${keyId} has KeyUsage ${String(response.KeyUsage)}, expected SIGN_VERIFY`);
  }
  if (response.PublicKey === undefined) {
    throw new SignerError('signer-response-incomplete', 'KMS GetPublicKey returned no public key');
  }
  const sm2 = await loadSm2();
  try {
    return sm2.Sm2PublicKey.fromSpki(response.PublicKey);
  } catch (cause) {
    if (!(cause instanceof CryptoError)) throw cause;
    throw new SignerError('signer-key-unsuitable', `KMS public key is unusable (${cause.code})`, { cause });
  }
}
