/**
 * Port: the transparency log's Ed25519 key, which signs checkpoints as C2SP signed notes.
 * Implemented by the KMS adapter (`ECC_NIST_EDWARDS25519`) and the local key-file adapter; the
 * private key never leaves the implementation.
 */
export interface NoteSigner {
  /** The key's name, which is the log's origin (e.g. `dcc.example.gov.cn/log`). */
  readonly name: string;
  /** The raw 32-byte Ed25519 public key; fetched once per process. */
  publicKey(): Promise<Uint8Array>;
  /** A 64-byte Ed25519 signature over `message` (pure Ed25519 over the message, not pre-hashed). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}
