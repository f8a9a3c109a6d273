import { CodedError } from '../domain/coded-error.ts';

/**
 * The closed set of codes for bad cryptographic data: a signature, token or key that is
 * malformed or does not meet our rules. Callers switch on `code`, never on the message.
 * Programmer misuse (a wrong argument type, an unsupported size) throws `TypeError` instead.
 */
export type CryptoErrorCode =
  // DER ECDSA signatures (what KMS returns)
  | 'der-truncated'
  | 'der-unexpected-tag'
  | 'der-invalid-length'
  | 'der-trailing-bytes'
  | 'der-integer-not-minimal'
  | 'der-integer-negative'
  | 'der-integer-out-of-range'
  // raw R||S signatures
  | 'p1363-invalid-length'
  | 'p1363-integer-out-of-range'
  // compact JWS
  | 'jws-not-compact'
  | 'jws-empty-part'
  | 'jws-base64url-invalid'
  | 'jws-base64url-non-canonical'
  | 'jws-header-invalid'
  // JSON that is valid JSON but ambiguous
  | 'json-invalid'
  | 'json-duplicate-member'
  // public keys
  | 'jwk-invalid'
  | 'jwk-unsupported-key'
  | 'jwk-private-member'
  | 'jwk-kid-mismatch'
  | 'jwk-kid-duplicate'
  | 'jwks-too-many-keys'
  | 'spki-invalid'
  | 'pkcs8-invalid';

/** Bad cryptographic data (see {@link CryptoErrorCode}). */
export class CryptoError extends CodedError<CryptoErrorCode> {
  override readonly name = 'CryptoError';
}

/** The closed set of codes for a signer that cannot do its job. */
export type SignerErrorCode =
  /** The key behind the signer is not an ECC_NIST_P256 / SIGN_VERIFY key. */
  | 'signer-key-unsuitable'
  /** The backend answered without the data it must return (no signature, no public key). */
  | 'signer-response-incomplete'
  /** The backend returned a signature that does not parse as a P-256 ECDSA signature. */
  | 'signer-signature-malformed'
  /** A freshly made signature does not verify under the signer's own published key. */
  | 'signer-signature-mismatch'
  /** The local key file is unreadable as a P-256 PKCS#8 private key. */
  | 'signer-key-file-invalid';

/**
 * A signer failure caused by its key or backend answer, never by the caller's input. Errors of
 * the backend itself (KMS throttling, access denied, network) are not wrapped: they propagate
 * as the SDK threw them so the HTTP layer can classify them.
 */
export class SignerError extends CodedError<SignerErrorCode> {
  override readonly name = 'SignerError';
}
