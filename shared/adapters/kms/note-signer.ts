import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { SignerError } from '../../crypto/errors.ts';
import { memoizeAsync } from '../../support/memo.ts';
import type { NoteSignatureType, NoteSigner } from '../../transparency/note-signer.ts';
import { ed25519PublicKey, p256PublicKey } from '../../transparency/note.ts';

/** Options of {@link KmsNoteSigner}. */
export interface KmsNoteSignerOptions {
  /** The KMS client, created once per container by the caller. */
  client: KMSClient;
  /** Key id or ARN of an `ECC_NIST_EDWARDS25519` (or, for `rfc6962`, `ECC_NIST_P256`) `SIGN_VERIFY` key. */
  keyId: string;
  /** The note key's name: the log's origin. */
  name: string;
  /** The signature type the key must make. @default 'ed25519' */
  type?: NoteSignatureType;
}

// DER SubjectPublicKeyInfo of an Ed25519 key: this 12-byte prefix, then the 32-byte key.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** What each signature type needs from KMS. */
const KMS_PROFILE = {
  ed25519: { keySpec: 'ECC_NIST_EDWARDS25519', algorithm: 'ED25519_SHA_512' },
  rfc6962: { keySpec: 'ECC_NIST_P256', algorithm: 'ECDSA_SHA_256' },
} as const;

/**
 * Signs the log's checkpoints with an AWS KMS key.
 *
 * - Ed25519: `ED25519_SHA_512`, MessageType `RAW`: pure Ed25519 over the note text, which is what
 *   signed notes need; the pre-hashed `ED25519_PH_SHA_512` would give signatures no note verifier
 *   accepts. A checkpoint is a few hundred bytes, far below the 4 KiB limit of a RAW message.
 * - RFC 6962 (partitions without Ed25519 keys, the China regions): `ECDSA_SHA_256`, MessageType
 *   `RAW` over the 50-byte tree head; KMS hashes it with SHA-256 and returns a DER signature,
 *   which is exactly the `DigitallySigned` body RFC 6962 needs.
 *
 * The key's spec is checked once against the asked type, and each signature is checked against
 * the public key before it is used.
 */
export class KmsNoteSigner implements NoteSigner {
  readonly name: string;
  readonly type: NoteSignatureType;
  readonly #client: KMSClient;
  readonly #keyId: string;
  /** Fetched once per process and shared by concurrent callers; a failed fetch is retried on the next call. */
  readonly #publicKey = memoizeAsync(() => this.fetchPublicKey());

  constructor(options: KmsNoteSignerOptions) {
    this.name = options.name;
    this.type = options.type ?? 'ed25519';
    this.#client = options.client;
    this.#keyId = options.keyId;
  }

  publicKey(): Promise<Uint8Array> {
    return this.#publicKey();
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    const publicKey = await this.publicKey();
    const profile = KMS_PROFILE[this.type];
    const response = await this.#client.send(
      new SignCommand({ KeyId: this.#keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: profile.algorithm }),
    );
    if (response.Signature === undefined) throw new SignerError('signer-response-incomplete', 'KMS Sign returned no signature');
    const signature = new Uint8Array(response.Signature);
    // A checkpoint with a bad signature would look like log misbehaviour to every monitor.
    const verifies =
      this.type === 'rfc6962'
        ? nodeVerify('sha256', message, p256PublicKey(publicKey), signature)
        : signature.length === 64 && nodeVerify(null, message, ed25519PublicKey(publicKey), signature);
    if (!verifies) throw new SignerError('signer-signature-mismatch', 'KMS returned a signature that does not verify with the log key');
    return signature;
  }

  private async fetchPublicKey(): Promise<Uint8Array> {
    const response = await this.#client.send(new GetPublicKeyCommand({ KeyId: this.#keyId }));
    if (response.PublicKey === undefined) throw new SignerError('signer-response-incomplete', 'KMS GetPublicKey returned no public key');
    const profile = KMS_PROFILE[this.type];
    if (response.KeySpec !== profile.keySpec || !(response.SigningAlgorithms ?? []).includes(profile.algorithm)) {
      throw new SignerError('signer-key-unsuitable', `The log key must be ${profile.keySpec} with ${profile.algorithm}, not ${response.KeySpec}`);
    }
    const spki = Buffer.from(response.PublicKey);
    if (this.type === 'rfc6962') {
      // The key id hashes the SPKI: keep the canonical encoding whatever KMS sent.
      let canonical: Uint8Array;
      try {
        canonical = new Uint8Array(createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' }));
        p256PublicKey(canonical);
      } catch {
        throw new SignerError('signer-key-unsuitable', 'KMS returned a public key that is not a P-256 SubjectPublicKeyInfo');
      }
      return canonical;
    }
    if (spki.length !== 44 || !spki.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) {
      throw new SignerError('signer-key-unsuitable', 'KMS returned a public key that is not an Ed25519 SubjectPublicKeyInfo');
    }
    return new Uint8Array(spki.subarray(12));
  }
}
