import { type KeyObject, verify } from 'node:crypto';
import { parseCompactJwsStrict } from '#shared/crypto/compact-jws.ts';
import { p1363ToDer } from '#shared/crypto/ecdsa-der.ts';
import { verifyP256With } from '#shared/crypto/ecdsa-p256.ts';

/**
 * The floor of every verification figure: `crypto.verify` in the cheapest form node:crypto offers
 * for an ES256 signature, the KeyObject passed as itself and the signature as DER (converted once,
 * before any timing). Node's `{ key, dsaEncoding: 'ieee-p1363' }` gives the same verdicts; on Node
 * 20 it costs the same, on Node 24 about 29% more instructions per call (an options object makes
 * Node throw and catch two TypeErrors, stack traces and all, and R||S rebuilds an EC key per
 * call), so a floor in that form would flatter every ratio there. The batch times it beside the floor.
 */
export interface RawInput {
  /** The signing input's bytes. */
  data: Buffer;
  /** The signature as DER. */
  der: Buffer;
  /** The signature as the token carries it, R||S. */
  rs: Buffer;
}

/** What raw verification of `token` takes. */
export function rawInputOf(token: string): RawInput {
  const parsed = parseCompactJwsStrict(token);
  return { data: Buffer.from(parsed.signingInput), der: Buffer.from(p1363ToDer(parsed.signature)), rs: Buffer.from(parsed.signature) };
}

/** The floor: one `crypto.verify`, key as itself, DER signature. */
export function rawVerify(key: KeyObject, input: RawInput): boolean {
  return verify('sha256', input.data, key, input.der);
}

/** The same check in the form most callers write, for comparison: an options object asking for R||S. */
export function rawVerifyP1363(key: KeyObject, input: RawInput): boolean {
  return verify('sha256', input.data, { key, dsaEncoding: 'ieee-p1363' }, input.rs);
}

/** Decodes UTF-8 as the strict parse does: malformed bytes are refused, not replaced. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The steps no verification of a certificate can skip, and nothing else: split the compact JWS,
 * decode its signature and payload from base64url, check the signature as the verifier does
 * (`verifyP256With`: R||S written as DER, then `crypto.verify`), decode the payload's UTF-8 and
 * parse its JSON. Left out is everything the verifier adds to them: the header and the key are
 * not read, the base64url is not proven canonical, duplicate members are not looked for, the
 * credential's shape, vocabulary, dates and status are not checked and no verdict is made. Its
 * rate against the floor is the most a batch could reach with every check at no cost.
 * Returns the payload's value, or undefined when the signature does not verify.
 */
export function essentialSteps(key: KeyObject, token: string): unknown {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  const signature = Buffer.from(token.slice(second + 1), 'base64url');
  if (!verifyP256With(key, Buffer.from(token.slice(0, second), 'latin1'), signature)) return undefined;
  return JSON.parse(utf8.decode(Buffer.from(token.slice(first + 1, second), 'base64url')));
}
