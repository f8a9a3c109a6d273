import { verify as edVerify } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { SignerError } from '../../crypto/errors.ts';
import { memoizeAsync } from '../../support/memo.ts';
import type { NoteSigner } from '../../transparency/note-signer.ts';
import { ed25519PublicKey } from '../../transparency/note.ts';

/** Options of {@link KmsNoteSigner}. */
export interface KmsNoteSignerOptions {
  /** The KMS client, created once per container by the caller. */
  client: KMSClient;
  /** Key id or ARN of an `ECC_NIST_EDWARDS25519` / `SIGN_VERIFY` key. */
  keyId: string;
  /** The note key's name: the log's origin. */
  name: string;
}

// DER SubjectPublicKeyInfo of an Ed25519 key: this 12-byte prefix, then the 32-byte key.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Signs the log's checkpoints with an AWS KMS Ed25519 key (`ED25519_SHA_512`, MessageType `RAW`:
 * pure Ed25519 over the note text, which is what signed notes need; the pre-hashed
 * `ED25519_PH_SHA_512` would give signatures no note verifier accepts). A checkpoint is a few
 * hundred bytes, far below the 4 KiB limit of a RAW message. The public key is fetched once per
 * process, and each signature is checked against it before it is used.
 */
export class KmsNoteSigner implements NoteSigner {
  readonly name: string;
  readonly #client: KMSClient;
  readonly #keyId: string;
  /** Fetched once per process and shared by concurrent callers; a failed fetch is retried on the next call. */
  readonly #publicKey = memoizeAsync(() => this.fetchPublicKey());

  constructor(options: KmsNoteSignerOptions) {
    this.name = options.name;
    this.#client = options.client;
    this.#keyId = options.keyId;
  }

  publicKey(): Promise<Uint8Array> {
    return this.#publicKey();
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    const publicKey = await this.publicKey();
    const response = await this.#client.send(
      new SignCommand({ KeyId: this.#keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ED25519_SHA_512' }),
    );
    if (response.Signature === undefined) throw new SignerError('signer-response-incomplete', 'KMS Sign returned no signature');
    const signature = new Uint8Array(response.Signature);
    // A checkpoint with a bad signature would look like log misbehaviour to every monitor.
    if (signature.length !== 64 || !edVerify(null, message, ed25519PublicKey(publicKey), signature)) {
      throw new SignerError('signer-signature-mismatch', 'KMS returned a signature that does not verify with the log key');
    }
    return signature;
  }

  private async fetchPublicKey(): Promise<Uint8Array> {
    const response = await this.#client.send(new GetPublicKeyCommand({ KeyId: this.#keyId }));
    if (response.PublicKey === undefined) throw new SignerError('signer-response-incomplete', 'KMS GetPublicKey returned no public key');
    if (response.KeySpec !== 'ECC_NIST_EDWARDS25519' || !(response.SigningAlgorithms ?? []).includes('ED25519_SHA_512')) {
      throw new SignerError('signer-key-unsuitable', `The log key must be ECC_NIST_EDWARDS25519 with ED25519_SHA_512, not ${response.KeySpec}`);
    }
    const spki = Buffer.from(response.PublicKey);
    if (spki.length !== 44 || !spki.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) {
      throw new SignerError('signer-key-unsuitable', 'KMS returned a public key that is not an Ed25519 SubjectPublicKeyInfo');
    }
    return new Uint8Array(spki.subarray(12));
  }
}
