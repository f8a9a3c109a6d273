import { GetPublicKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { sm2PublicJwk } from '../../crypto/jwks.ts';
import type { PublicVerificationJwk } from '../../domain/signer.ts';
import { memoizeAsync } from '../../support/memo.ts';
import { p256JwkOfResponse } from './certificate-signer.ts';
import { sm2KeyOfResponse } from './sm2-certificate-signer.ts';

/**
 * A retired KMS certificate key, of either suite, whose certificates must still verify: a stage
 * that moved from ES256 to SM2 (or back) keeps publishing the key it signed with before. Its
 * `KeySpec` says which: `SM2`, or else the ES256 signer's checks (`ECC_NIST_P256` only). One
 * `GetPublicKey` per process.
 */
export class KmsRetiredKey {
  readonly #publicJwk: () => Promise<PublicVerificationJwk>;

  constructor(options: { client: KMSClient; keyId: string }) {
    const { client, keyId } = options;
    this.#publicJwk = memoizeAsync(async () => {
      const response = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
      if (response.KeySpec === 'SM2') return sm2PublicJwk(await sm2KeyOfResponse(keyId, response));
      return p256JwkOfResponse(keyId, response);
    });
  }

  /** The key's published JWK. */
  publicJwk(): Promise<PublicVerificationJwk> {
    return this.#publicJwk();
  }
}
