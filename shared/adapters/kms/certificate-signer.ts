import { hash } from 'node:crypto';
import { GetPublicKeyCommand, type GetPublicKeyCommandOutput, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { derToP1363 } from '../../crypto/ecdsa-der.ts';
import { CryptoError, SignerError } from '../../crypto/errors.ts';
import { jwkFromSpki } from '../../crypto/jwks.ts';
import type { CertificateSigner, P256VerificationJwk } from '../../domain/signer.ts';
import { memoizeAsync } from '../../support/memo.ts';

/** Options of {@link KmsCertificateSigner}. */
export interface KmsCertificateSignerOptions {
  /** The KMS client, created once per container by the caller. */
  client: KMSClient;
  /** Key id, key ARN, alias name or alias ARN of an `ECC_NIST_P256` / `SIGN_VERIFY` key. */
  keyId: string;
}

/**
 * Signs certificates with an AWS KMS asymmetric key; the private key never leaves KMS.
 *
 * One `Sign` per signature, over the SHA-256 digest computed here (`MessageType: DIGEST`), so
 * the signing input itself is never sent to KMS and its 4 KiB message limit does not apply.
 * KMS answers DER; this converts it to the 64-byte `R||S` that ES256 requires.
 *
 * KMS errors (throttling, access denied, disabled key) propagate unchanged, as the SDK threw
 * them; only a key or an answer that cannot be right raises {@link SignerError}.
 */
export class KmsCertificateSigner implements CertificateSigner {
  readonly #client: KMSClient;
  readonly #keyId: string;
  readonly #publicJwk = memoizeAsync(() => this.#fetchPublicJwk());

  constructor(options: KmsCertificateSignerOptions) {
    this.#client = options.client;
    this.#keyId = options.keyId;
  }

  /** Signs `signingInput` with ES256 and returns the 64-byte `R||S` signature. */
  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    // The one-shot form: no Hash object per signature.
    const digest = hash('sha256', signingInput, 'buffer');
    const response = await this.#client.send(
      new SignCommand({
        KeyId: this.#keyId,
        Message: digest,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (response.Signature === undefined) {
      throw new SignerError('signer-response-incomplete', 'KMS Sign returned no signature');
    }
    try {
      return derToP1363(response.Signature, 32);
    } catch (cause) {
      if (!(cause instanceof CryptoError)) throw cause;
      throw new SignerError(
        'signer-signature-malformed',
        `KMS returned a signature that is not a P-256 DER ECDSA signature (${cause.code})`,
        { cause },
      );
    }
  }

  /**
   * The key's public JWK, fetched with one `GetPublicKey` per process: concurrent callers share
   * the same request. A failed fetch is forgotten, so the next call tries again instead of
   * replaying the failure for the life of the container.
   */
  publicJwk(): Promise<P256VerificationJwk> {
    return this.#publicJwk();
  }

  async #fetchPublicJwk(): Promise<P256VerificationJwk> {
    return p256JwkOfResponse(this.#keyId, await this.#client.send(new GetPublicKeyCommand({ KeyId: this.#keyId })));
  }
}

/**
 * The published JWK of a `GetPublicKey` answer, checked to be an `ECC_NIST_P256` /
 * `SIGN_VERIFY` key offering `ECDSA_SHA_256`.
 * @throws {SignerError} `signer-key-unsuitable` or `signer-response-incomplete`.
 */
export function p256JwkOfResponse(keyId: string, response: GetPublicKeyCommandOutput): P256VerificationJwk {
  if (response.KeySpec !== 'ECC_NIST_P256') {
    throw new SignerError('signer-key-unsuitable', `KMS key ${keyId} has KeySpec ${String(response.KeySpec)}, expected ECC_NIST_P256`);
  }
  if (response.KeyUsage !== 'SIGN_VERIFY') {
    throw new SignerError('signer-key-unsuitable', `KMS key ${keyId} has KeyUsage ${String(response.KeyUsage)}, expected SIGN_VERIFY`);
  }
  if (response.SigningAlgorithms !== undefined && !response.SigningAlgorithms.includes('ECDSA_SHA_256')) {
    throw new SignerError('signer-key-unsuitable', `KMS key ${keyId} does not offer ECDSA_SHA_256`);
  }
  if (response.PublicKey === undefined) {
    throw new SignerError('signer-response-incomplete', 'KMS GetPublicKey returned no public key');
  }
  try {
    return jwkFromSpki(response.PublicKey);
  } catch (cause) {
    if (!(cause instanceof CryptoError)) throw cause;
    throw new SignerError('signer-key-unsuitable', `KMS public key is unusable (${cause.code})`, { cause });
  }
}
