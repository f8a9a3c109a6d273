import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { CryptoError, SignerError } from '../../crypto/errors.ts';
import { rsaJwkFromSpki } from '../../crypto/rsa-jwk.ts';
import type { AccessTokenJwk, AccessTokenSigner } from '../../domain/access-token.ts';
import { memoizeAsync } from '../../support/memo.ts';

/** Options of {@link KmsAccessTokenSigner}. */
export interface KmsAccessTokenSignerOptions {
  /** The KMS client, created once per container by the caller. */
  client: KMSClient;
  /** Key ARN (or id, alias) of an `RSA_2048` / `SIGN_VERIFY` key. */
  keyId: string;
}

/** The signature of an RS256 token over 2048-bit RSA is exactly the modulus size. */
const RSA_2048_SIGNATURE_BYTES = 256;

/**
 * Signs access tokens with a KMS `RSA_2048` key: RS256 is `RSASSA_PKCS1_V1_5_SHA_256` over the
 * SHA-256 digest computed here (`MessageType: DIGEST`), whose answer is the JWS signature as it
 * is. The public key is fetched with one `GetPublicKey` per container (memoized; a failure is
 * forgotten) and published as the access-token JWKS.
 */
export class KmsAccessTokenSigner implements AccessTokenSigner {
  readonly #client: KMSClient;
  readonly #keyId: string;
  readonly #publicJwk = memoizeAsync(() => this.#fetchPublicJwk());

  constructor(options: KmsAccessTokenSignerOptions) {
    this.#client = options.client;
    this.#keyId = options.keyId;
  }

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    const digest = createHash('sha256').update(signingInput).digest();
    const response = await this.#client.send(
      new SignCommand({ KeyId: this.#keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }),
    );
    if (response.Signature === undefined) throw new SignerError('signer-response-incomplete', 'KMS Sign returned no signature');
    if (response.Signature.length !== RSA_2048_SIGNATURE_BYTES) {
      throw new SignerError('signer-signature-malformed', `KMS returned a ${response.Signature.length}-byte signature, not an RSA-2048 one`);
    }
    return response.Signature;
  }

  publicJwk(): Promise<AccessTokenJwk> {
    return this.#publicJwk();
  }

  async #fetchPublicJwk(): Promise<AccessTokenJwk> {
    const response = await this.#client.send(new GetPublicKeyCommand({ KeyId: this.#keyId }));
    if (response.KeySpec !== 'RSA_2048' || response.KeyUsage !== 'SIGN_VERIFY') {
      throw new SignerError(
        'signer-key-unsuitable',
        `KMS key ${this.#keyId} is ${String(response.KeySpec)} / ${String(response.KeyUsage)}, expected RSA_2048 / SIGN_VERIFY`,
      );
    }
    if (response.SigningAlgorithms !== undefined && !response.SigningAlgorithms.includes('RSASSA_PKCS1_V1_5_SHA_256')) {
      throw new SignerError('signer-key-unsuitable', `KMS key ${this.#keyId} does not offer RSASSA_PKCS1_V1_5_SHA_256`);
    }
    if (response.PublicKey === undefined) throw new SignerError('signer-response-incomplete', 'KMS GetPublicKey returned no public key');
    try {
      return rsaJwkFromSpki(response.PublicKey);
    } catch (cause) {
      if (!(cause instanceof CryptoError)) throw cause;
      throw new SignerError('signer-key-unsuitable', `KMS public key is unusable (${cause.code})`, { cause });
    }
  }
}
