/** The `alg` of a SHA-256 digest member, as certificates and requests spell it. */
export const SHA256_DIGEST_ALG = 'sha-256';

/** SHA-256 digests travel as 64 lower-case hex characters: one spelling per digest. */
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

/** Whether `value` is a SHA-256 digest in lower-case hex. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX_PATTERN.test(value);
}
