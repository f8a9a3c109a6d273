import { Base64urlError, decodeBase64urlStrict, encodeBase64url } from './portable-bytes.ts';
import { parseJsonStrict } from './strict-json.ts';
import { algorithmOfCurve, isCertificateAlgorithm } from './jws-algorithms.ts';
// Only the type of sm2.ts: a key set's SM2 points are checked by sm2-curve.ts, and the SM2
// arithmetic is loaded for the first SM2 signature.
import type { Sm2PublicKey } from './sm2.ts';
import { sm2JwkCoordinates } from './sm2-curve.ts';
import { loadSm2 } from './sm2-loader.ts';
import { quoteText } from '../domain/text.ts';

/**
 * Strict `vc+jwt` compact JWS checks on WebCrypto, for runtimes without Node's crypto (the
 * verification page) and shared with the `dcc` command line; no `node:` imports, so the page
 * can bundle it: the same rules, in the same order and
 * under the same check names, as the service's `verifyCertificate` (`shared/domain/certificate.ts`).
 * A differential test holds the two to the same verdicts.
 */

/** A published verification key as this verifier uses it. */
export interface VerifierJwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid: string;
}

/** A verification step; names match the service's checks. */
export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

/** The first four steps passed: the signed bytes are genuine under `kid`. */
export interface VerifiedJws {
  ok: true;
  kid: string;
  payload: unknown;
  payloadBytes: Uint8Array;
}

export type JwsOutcome = VerifiedJws | { ok: false };

/** Longest token read (as the service's strict parser). */
const MAX_TOKEN_CHARS = 256 * 1024;

const ALLOWED_HEADER_MEMBERS = new Set(['alg', 'typ', 'kid']);
const KEY_BEARING_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
const utf8 = new TextEncoder();

function quoted(value: unknown): string {
  return typeof value === 'string' ? quoteText(value) : `a ${value === null ? 'null' : typeof value}`;
}

function subtle(): typeof globalThis.crypto.subtle {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto is not available (the page needs a secure context: https or localhost).');
  return s;
}

/** RFC 7638 SHA-256 thumbprint of an EC key, base64url. */
async function ecThumbprint(key: Pick<VerifierJwk, 'crv' | 'kty' | 'x' | 'y'>): Promise<string> {
  const canonical = JSON.stringify({ crv: key.crv, kty: key.kty, x: key.x, y: key.y });
  return encodeBase64url(new Uint8Array(await subtle().digest('SHA-256', utf8.encode(canonical))));
}

/** SM2 keys parsed once per key object (WebCrypto has no SM2: `sm2.ts` verifies them). */
const sm2Keys = new WeakMap<VerifierJwk, Sm2PublicKey>();
function sm2KeyOf(key: VerifierJwk, sm2: Awaited<ReturnType<typeof loadSm2>>): Sm2PublicKey {
  let parsed = sm2Keys.get(key);
  if (parsed === undefined) sm2Keys.set(key, (parsed = sm2.Sm2PublicKey.fromJwk(key)));
  return parsed;
}

/**
 * Reads a JWKS document into keys, refusing any key that is not a P-256 or SM2 public key whose
 * kid is its own thumbprint (the service's `importVerificationKeys` rule: one lying key refuses
 * the set).
 *
 * @throws {Error} naming the first bad key.
 */
export async function readJwks(jwks: unknown): Promise<VerifierJwk[]> {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    throw new Error('not a JWKS: expected an object with a "keys" array');
  }
  const keys: VerifierJwk[] = [];
  for (const [i, candidate] of ((jwks as { keys: unknown[] }).keys).entries()) {
    const k = candidate as Record<string, unknown>;
    if (typeof k !== 'object' || k === null) throw new Error(`keys[${i}] is not an object`);
    if ('d' in k) throw new Error(`keys[${i}] has the private member "d"`);
    const crv = k['crv'];
    if (k['kty'] !== 'EC' || (crv !== 'P-256' && crv !== 'SM2') || typeof k['x'] !== 'string' || typeof k['y'] !== 'string') {
      throw new Error(`keys[${i}] is not an EC P-256 or SM2 public key`);
    }
    const keyAlg = algorithmOfCurve(crv);
    if (k['alg'] !== undefined && k['alg'] !== keyAlg) throw new Error(`keys[${i}] is for "alg" ${String(k['alg'])}, not ${keyAlg}`);
    const key = { kty: 'EC', crv, x: k['x'], y: k['y'], kid: String(k['kid']) };
    if (crv === 'SM2') {
      try {
        sm2JwkCoordinates(key);
      } catch {
        throw new Error(`keys[${i}] is not a point on the SM2 curve`);
      }
    }
    if ((await ecThumbprint(key)) !== key.kid) throw new Error(`keys[${i}] kid ${key.kid} is not the thumbprint of its key`);
    keys.push(key);
  }
  return keys;
}

/**
 * Runs the steps `format`, `header`, `key`, `signature` on a compact JWS, pushing each to
 * `checks`; stops at the first failure. `typ` must be `expectedTyp` (`vc+jwt` unless the
 * issuer-signed JWT of a selectively disclosable certificate is checked), `alg` ES256 or SM2, the kid one of
 * `keys`, of that algorithm's curve, and that key's thumbprint; `jwk`, `jku`, `x5*`, `crit`, `b64` and any other member are
 * refused. The payload must then be strict JSON (no duplicate members).
 */
export async function verifyCompactJws(
  token: unknown,
  keys: readonly VerifierJwk[],
  checks: Check[],
  expectedTyp: 'vc+jwt' | 'vc+sd-jwt' = 'vc+jwt',
): Promise<JwsOutcome> {
  const failed = (name: string, detail: string): JwsOutcome => {
    checks.push({ name, ok: false, detail });
    return { ok: false };
  };

  // format
  if (typeof token !== 'string') return failed('format', 'The token is not a string.');
  if (token.length > MAX_TOKEN_CHARS) return failed('format', `The token is longer than ${MAX_TOKEN_CHARS} characters.`);
  const parts = token.split('.');
  if (parts.length !== 3) return failed('format', `Expected 3 dot-separated parts, found ${parts.length}.`);
  const names = ['header', 'payload', 'signature'] as const;
  const decoded: Uint8Array[] = [];
  for (const [i, part] of parts.entries()) {
    if (part.length === 0) return failed('format', `The ${names[i]} part is empty.`);
    try {
      decoded.push(decodeBase64urlStrict(part, `the ${names[i]} part`));
    } catch (error) {
      if (error instanceof Base64urlError) return failed('format', `${error.message[0]!.toUpperCase()}${error.message.slice(1)}.`);
      throw error;
    }
  }
  const [headerBytes, payloadBytes, signature] = decoded as [Uint8Array, Uint8Array, Uint8Array];
  let header: unknown;
  try {
    header = parseJsonStrict(headerBytes, 'The protected header');
  } catch (error) {
    return failed('format', `${(error as Error).message}.`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return failed('format', 'The protected header is not a JSON object.');
  }
  checks.push({ name: 'format', ok: true });

  // header
  const h = header as Record<string, unknown>;
  const alg = h['alg'];
  if (!isCertificateAlgorithm(alg)) return failed('header', `The algorithm ${quoted(alg)} is not allowed; certificates are signed with ES256 or SM2 only.`);
  if (h['typ'] !== expectedTyp) return failed('header', `The type ${quoted(h['typ'])} is not "${expectedTyp}".`);
  const kid = h['kid'];
  if (typeof kid !== 'string' || kid.length === 0) return failed('header', 'The header names no key ("kid").');
  for (const member of KEY_BEARING_MEMBERS) {
    if (member in h) return failed('header', `The header member "${member}" is refused: keys come only from the published key set.`);
  }
  if ('crit' in h) return failed('header', 'The header member "crit" is refused: no extensions are understood.');
  if ('b64' in h) return failed('header', 'The header member "b64" is refused: the payload is always base64url-encoded.');
  const unknown = Object.keys(h).filter((n) => !ALLOWED_HEADER_MEMBERS.has(n));
  if (unknown.length > 0) return failed('header', `The header members ${unknown.map(quoteText).join(', ')} are not allowed.`);
  checks.push({ name: 'header', ok: true });

  // key
  const key = keys.find((k) => k.kid === kid);
  if (!key) return failed('key', `No published key has the kid ${quoteText(kid)}.`);
  const keyAlg = algorithmOfCurve(key.crv);
  if (keyAlg !== undefined && keyAlg !== alg) return failed('key', `The key ${quoteText(kid)} is an ${keyAlg} key; the header's algorithm is ${alg}.`);
  if (key.kty !== 'EC' || keyAlg === undefined || (await ecThumbprint(key)) !== kid) {
    return failed('key', `The published key ${quoteText(kid)} is not the key its kid names.`);
  }
  checks.push({ name: 'key', ok: true });

  // signature: WebCrypto's ECDSA takes the raw R||S form that JWS uses; SM2 is checked by sm2.ts.
  if (signature.length !== 64) return failed('signature', `The signature is ${signature.length} bytes; ${alg} needs exactly 64 (R||S).`);
  let genuine = false;
  // Loaded outside the try: a module that cannot load is a defect, not a forged signature.
  const sm2 = alg === 'SM2' ? await loadSm2() : undefined;
  try {
    if (sm2) genuine = sm2KeyOf(key, sm2).verify(utf8.encode(`${parts[0]}.${parts[1]}`), signature);
    else {
      const publicKey = await subtle().importKey('jwk', { kty: 'EC', crv: 'P-256', x: key.x, y: key.y, ext: true }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
      genuine = await subtle().verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        publicKey,
        signature as Uint8Array<ArrayBuffer>,
        utf8.encode(`${parts[0]}.${parts[1]}`),
      );
    }
  } catch {
    genuine = false;
  }
  if (!genuine) return failed('signature', `The signature does not verify with the key ${quoteText(kid)}.`);
  checks.push({ name: 'signature', ok: true });

  let payload: unknown;
  try {
    payload = parseJsonStrict(payloadBytes, 'The payload');
  } catch (error) {
    return failed('payload', `${(error as Error).message}.`);
  }
  return { ok: true, kid, payload, payloadBytes };
}
