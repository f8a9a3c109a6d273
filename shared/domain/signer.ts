import type { JWK } from 'jose';

/** A public P-256 verification key as published in the JWKS. */
export interface PublicVerificationJwk extends JWK {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  /** RFC 7638 SHA-256 thumbprint of the key (base64url). */
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/**
 * Where a certificate is signed. Implemented by the KMS adapter (production) and the local
 * key-file adapter (local mode); the private key never leaves the implementation.
 */
export interface CertificateSigner {
  /**
   * Signs `signingInput` (the JWS signing input bytes) with ES256 and returns the 64-byte
   * `R||S` signature. The SHA-256 digest is computed by the caller side of the adapter.
   */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /** The public key that verifies this signer's signatures; fetched once per process. */
  publicJwk(): Promise<PublicVerificationJwk>;
}
