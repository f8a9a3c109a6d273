import { encodeBase64url } from '#shared/crypto/base64url.ts';
import type { CertificateSigner } from '#shared/domain/signer.ts';

const utf8 = new TextEncoder();

/** Splits a compact JWS into its three encoded parts. */
export function parts(token: string): [string, string, string] {
  const [h = '', p = '', s = ''] = token.split('.');
  return [h, p, s];
}

/** base64url of the UTF-8 JSON of `value` (or of `value` itself when it is a string). */
export function b64json(value: unknown): string {
  return encodeBase64url(utf8.encode(typeof value === 'string' ? value : JSON.stringify(value)));
}

/**
 * Builds a token with any header and payload and a GENUINE ES256 signature by `signer` over
 * exactly those bytes. Whatever rule refuses such a token, it is not the signature check.
 */
export async function signedBy(signer: CertificateSigner, header: unknown, payload: unknown): Promise<string> {
  const input = `${b64json(header)}.${b64json(payload)}`;
  const signature = await signer.sign(utf8.encode(input));
  return `${input}.${encodeBase64url(signature)}`;
}

/**
 * The token's signing input with a fresh GENUINE signature by `signer`, every part written in the
 * standard base64 alphabet ('+' and '/'). ECDSA signatures are randomised, so it signs again until
 * the signature holds a '-' or '_' (a given one holds neither about one time in fifteen): the
 * result always differs from valid base64url, and only the alphabet stands in its way.
 */
export async function inStandardAlphabet(signer: CertificateSigner, token: string): Promise<string> {
  const [h, p] = parts(token);
  const input = `${h}.${p}`;
  for (;;) {
    const s = encodeBase64url(await signer.sign(utf8.encode(input)));
    if (/[-_]/.test(s)) return `${input}.${s}`.replace(/-/g, '+').replace(/_/g, '/');
  }
}
