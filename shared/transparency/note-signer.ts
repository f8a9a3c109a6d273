/**
 * Which C2SP signed-note signature a log key makes: `ed25519` (type 0x01, the default) or
 * `rfc6962` (type 0x05, an RFC 6962 tree head signature with ECDSA P-256, for partitions where
 * KMS offers no Ed25519 key; see `note.ts`).
 */
export type NoteSignatureType = 'ed25519' | 'rfc6962';

/**
 * Port: the transparency log's key, which signs checkpoints as C2SP signed notes. Implemented by
 * the KMS adapter (`ECC_NIST_EDWARDS25519`, or `ECC_NIST_P256` for RFC 6962 signatures) and the
 * local key-file adapter; the private key never leaves the implementation.
 */
export interface NoteSigner {
  /** The key's name, which is the log's origin (e.g. `dcc.example.gov.cn/log`). */
  readonly name: string;
  /** The signature type the key makes. */
  readonly type: NoteSignatureType;
  /**
   * Ed25519: the raw 32-byte public key. RFC 6962: the DER SubjectPublicKeyInfo of the P-256 key.
   * Fetched once per process.
   */
  publicKey(): Promise<Uint8Array>;
  /**
   * Ed25519: a 64-byte signature over `message` (pure Ed25519, not pre-hashed). RFC 6962: a DER
   * ECDSA P-256 signature over the SHA-256 of `message` (the tree head bytes `signNote` builds).
   */
  sign(message: Uint8Array): Promise<Uint8Array>;
}
