import type { JWK } from 'jose';

/** The JWS `alg` of each signature suite: ES256, or SM2 with SM3 and the default distinguishing ID. */
export type CertificateAlgorithm = 'ES256' | 'SM2';

/** A public P-256 verification key as published in the JWKS. */
export interface P256VerificationJwk extends JWK {
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
 * A public SM2 verification key as published in the JWKS: `kty` EC with `crv` SM2 (no JOSE
 * registry has SM2; this is the member set 国密 JOSE toolkits use), `kid` the RFC 7638 SHA-256
 * thumbprint of `{crv, kty, x, y}` exactly as for P-256.
 */
export interface Sm2VerificationJwk extends JWK {
  kty: 'EC';
  crv: 'SM2';
  x: string;
  y: string;
  kid: string;
  alg: 'SM2';
  use: 'sig';
}

/** A published certificate verification key; its curve decides the one `alg` it verifies. */
export type PublicVerificationJwk = P256VerificationJwk | Sm2VerificationJwk;

/**
 * Where a certificate is signed. Implemented by the KMS adapters (production) and the local
 * key-file adapters (local mode); the private key never leaves the implementation.
 */
export interface CertificateSigner {
  /**
   * Signs `signingInput` (the JWS signing input bytes) with the algorithm of its key and returns
   * the 64-byte `R||S` signature: ES256 (ECDSA P-256, SHA-256), or SM2 (SM3 over Z_A || input,
   * default distinguishing ID). The digest is computed by the caller side of the adapter.
   */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /** The public key that verifies this signer's signatures (its `alg` names the suite); fetched once per process. */
  publicJwk(): Promise<PublicVerificationJwk>;
}
