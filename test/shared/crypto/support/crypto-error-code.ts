import { CryptoError, type CryptoErrorCode } from '#shared/crypto/errors.ts';

/** The code of the CryptoError `fn` throws, or 'no-error'; any other error is rethrown. */
export function codeOf(fn: () => unknown): CryptoErrorCode | 'no-error' {
  try {
    fn();
    return 'no-error';
  } catch (error) {
    if (error instanceof CryptoError) return error.code;
    throw error;
  }
}
