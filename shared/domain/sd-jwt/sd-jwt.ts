import { Base64urlError, decodeBase64urlStrict, encodeBase64url } from '../../crypto/portable-bytes.ts';
import { parseJsonStrict } from '../../crypto/strict-json.ts';
import { CodedError } from '../coded-error.ts';
import { quoteText } from '../text.ts';
import { isRecord } from '../../support/record.ts';

/**
 * Selective Disclosure for JWTs (RFC 9901): the mechanics every SD-JWT shares, with no knowledge of
 * our certificates. Disclosures and their digests, the compact serialization with its `~`
 * separators, the strict processing of disclosures against the issuer-signed payload, and the
 * Key Binding JWT. Hashing, random salts and the holder's ECDSA run on WebCrypto
 * (`globalThis.crypto`), so the same code runs in Node, in `dcc` and on the verification page.
 *
 * Processing is stricter than the RFC's minimum where the RFC leaves room and stricter than the
 * libraries we measured (`@sd-jwt/core` 0.19 accepts a digest referenced twice, a disclosure
 * nobody references, and an array-element disclosure in an object's `_sd`, dropping it
 * silently): each of these is refused here with a reason.
 */

/** The one hash algorithm we issue and accept (`_sd_alg`). */
export const SD_ALG = 'sha-256';
/** `typ` of a Key Binding JWT. */
export const KB_JWT_TYPE = 'kb+jwt';
/** The only algorithm a holder key may sign a Key Binding JWT with. */
export const KB_JWT_ALGORITHM = 'ES256';

/** Longest presentation read: a certificate's SD-JWT is a few kilobytes. */
export const MAX_SD_JWT_LENGTH = 64 * 1024;
/** Most disclosures one SD-JWT may carry (ours carry 5). */
const MAX_DISCLOSURES = 64;

const utf8 = new TextEncoder();

/** A refusal of an SD-JWT or presentation, with the check it belongs to and a reason for people. */
export class SdJwtError extends CodedError<'sd-jwt-refused'> {
  override readonly name = 'SdJwtError';
  constructor(
    readonly check: 'format' | 'disclosures' | 'key-binding',
    message: string,
  ) {
    super('sd-jwt-refused', message);
  }
}

function subtle(): typeof globalThis.crypto.subtle {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto is not available (the page needs a secure context: https or localhost).');
  return s;
}

/** base64url(SHA-256(ASCII of `text`)): the digest of a disclosure and the `sd_hash` of a presentation. */
export async function sha256Base64url(text: string): Promise<string> {
  return encodeBase64url(new Uint8Array(await subtle().digest('SHA-256', utf8.encode(text))));
}

/** A fresh salt: 128 random bits, base64url, as RFC 9901 recommends. */
export function newSalt(): string {
  return encodeBase64url(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

/** One disclosure, decoded, with its digest. `name` is null for an array element. */
export interface Disclosure {
  encoded: string;
  digest: string;
  salt: string;
  name: string | null;
  value: unknown;
}

/** A new object-property disclosure `[salt, name, value]`, encoded the way JSON.stringify writes it. */
export async function objectDisclosure(name: string, value: unknown, salt: string = newSalt()): Promise<Disclosure> {
  const encoded = encodeBase64url(utf8.encode(JSON.stringify([salt, name, value])));
  return { encoded, digest: await sha256Base64url(encoded), salt, name, value };
}

/** Claim names a disclosure may never carry: they are the format's own. */
const RESERVED_NAMES = new Set(['_sd', '...', '_sd_alg']);

/**
 * Decodes one disclosure strictly: canonical base64url, UTF-8 JSON without duplicate members,
 * an array of `[salt, name, value]` or `[salt, value]` with a string salt and a string name that
 * is none of `_sd`, `...`, `_sd_alg`. The digest is computed over the encoded text as received.
 * @throws {SdJwtError} `disclosures`.
 */
export async function decodeDisclosure(encoded: string): Promise<Disclosure> {
  let json: unknown;
  try {
    json = parseJsonStrict(decodeBase64urlStrict(encoded, 'a disclosure'), 'A disclosure');
  } catch (error) {
    const reason = error instanceof Base64urlError ? error.message : (error as Error).message;
    throw new SdJwtError('disclosures', `${reason.replace(/^./, (c) => c.toUpperCase())}.`);
  }
  if (!Array.isArray(json) || (json.length !== 2 && json.length !== 3)) {
    throw new SdJwtError('disclosures', 'A disclosure is not an array of [salt, name, value] or [salt, value].');
  }
  const [salt] = json as unknown[];
  if (typeof salt !== 'string' || salt.length === 0) throw new SdJwtError('disclosures', 'A disclosure has no string salt.');
  let name: string | null = null;
  if (json.length === 3) {
    const candidate: unknown = json[1];
    if (typeof candidate !== 'string') throw new SdJwtError('disclosures', 'A disclosure names its claim with something other than a string.');
    if (RESERVED_NAMES.has(candidate)) throw new SdJwtError('disclosures', `A disclosure may not carry the claim ${quoteText(candidate)}.`);
    name = candidate;
  }
  return { encoded, digest: await sha256Base64url(encoded), salt, name, value: json[json.length - 1] };
}

/** The parts of an SD-JWT or presentation in compact serialization. */
export interface SdJwtParts {
  issuerJwt: string;
  /** The encoded disclosures, in the order given. */
  disclosures: string[];
  /** The Key Binding JWT, or null when the text ends with `~`. */
  kbJwt: string | null;
  /** Everything up to and including the last `~`: what a KB-JWT's `sd_hash` covers. */
  hashedPart: string;
}

/** Whether `text` is meant as an SD-JWT (it has the `~` separator a compact JWS never has). */
export function looksLikeSdJwt(text: string): boolean {
  return text.includes('~');
}

/**
 * Splits `<issuer-signed JWT>~<disclosure>~…~[<KB-JWT>]`. Refuses an empty disclosure (`~~`),
 * too many disclosures, and text without the separator.
 * @throws {SdJwtError} `format`.
 */
export function splitSdJwt(text: string): SdJwtParts {
  if (text.length > MAX_SD_JWT_LENGTH) throw new SdJwtError('format', `The presentation is longer than ${MAX_SD_JWT_LENGTH} characters.`);
  const parts = text.split('~');
  if (parts.length < 2) throw new SdJwtError('format', 'An SD-JWT has the form <issuer-signed JWT>~<disclosure>~…~ and this has no "~".');
  const issuerJwt = parts[0]!;
  const last = parts[parts.length - 1]!;
  const disclosures = parts.slice(1, -1);
  if (issuerJwt.length === 0) throw new SdJwtError('format', 'The issuer-signed JWT is empty.');
  if (disclosures.some((d) => d.length === 0)) throw new SdJwtError('format', 'A disclosure is empty ("~~").');
  if (disclosures.length > MAX_DISCLOSURES) throw new SdJwtError('format', `More than ${MAX_DISCLOSURES} disclosures.`);
  const hashedPart = text.slice(0, text.length - last.length);
  return { issuerJwt, disclosures, kbJwt: last.length === 0 ? null : last, hashedPart };
}

/** The serialization of an issuer-signed JWT with disclosures, without key binding (ends with `~`). */
export function joinSdJwt(issuerJwt: string, disclosures: readonly string[]): string {
  return `${[issuerJwt, ...disclosures].join('~')}~`;
}

/** Where a processed disclosure was found: the names of the objects above it, then its own. */
export interface DisclosedClaim {
  path: string[];
  disclosure: Disclosure;
}

/** What {@link processDisclosures} returns. */
export interface ProcessedPayload {
  /** The payload with every disclosed claim in place and `_sd`, `_sd_alg` and undisclosed digests removed. */
  claims: Record<string, unknown>;
  disclosed: DisclosedClaim[];
}

/** Defines a member without ever touching a prototype, whatever the name (`__proto__` included). */
function put(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Processes `disclosures` against the issuer-signed `payload` (already proven genuine), as RFC
 * 9901 prescribes for a verifier, refusing:
 * - `_sd_alg` other than `sha-256` (absent means `sha-256`), or `_sd_alg` below the top level;
 * - an `_sd` that is not an array of strings, an array element `{"...": d}` with other members
 *   or a non-string digest;
 * - a digest that occurs more than once, in the payload or in disclosed values;
 * - a disclosure given twice, or one whose digest nothing references;
 * - an array-element disclosure (two elements) referenced from an object's `_sd`, or an
 *   object-property disclosure referenced from an array element;
 * - a disclosed name that is already a member of the object it lands in.
 * Digests without a disclosure are undisclosed claims (or decoys) and are dropped.
 * @throws {SdJwtError} `disclosures`.
 */
export function processDisclosures(payload: Record<string, unknown>, disclosures: readonly Disclosure[]): ProcessedPayload {
  const alg = payload['_sd_alg'];
  if (alg !== undefined && alg !== SD_ALG) {
    throw new SdJwtError('disclosures', `The hash algorithm ${typeof alg === 'string' ? quoteText(alg) : 'given'} is not allowed; only "sha-256" is.`);
  }
  const byDigest = new Map<string, Disclosure>();
  for (const d of disclosures) {
    if (byDigest.has(d.digest)) throw new SdJwtError('disclosures', 'The same disclosure is given twice.');
    byDigest.set(d.digest, d);
  }
  const seenDigests = new Set<string>();
  const used = new Set<string>();
  const disclosed: DisclosedClaim[] = [];

  const see = (digest: unknown): string => {
    if (typeof digest !== 'string') throw new SdJwtError('disclosures', 'A digest is not a string.');
    if (seenDigests.has(digest)) throw new SdJwtError('disclosures', `The digest ${quoteText(digest)} is referenced more than once.`);
    seenDigests.add(digest);
    return digest;
  };

  const walk = (value: unknown, path: string[], top: boolean): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const element of value) {
        if (isRecord(element) && Object.hasOwn(element, '...')) {
          if (Object.keys(element).length !== 1) throw new SdJwtError('disclosures', 'An array element {"...": digest} has other members.');
          const digest = see(element['...']);
          const d = byDigest.get(digest);
          if (!d) continue;
          if (d.name !== null) {
            throw new SdJwtError('disclosures', `The disclosure of ${quoteText(d.name)} is an object property but is referenced from an array element.`);
          }
          used.add(digest);
          disclosed.push({ path, disclosure: d });
          out.push(walk(d.value, path, false));
        } else {
          out.push(walk(element, path, false));
        }
      }
      return out;
    }
    if (!isRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(value)) {
      if (name === '_sd' || (name === '_sd_alg' && top)) continue;
      if (name === '_sd_alg') throw new SdJwtError('disclosures', '"_sd_alg" appears below the top level.');
      put(out, name, walk(member, [...path, name], false));
    }
    const sd = value['_sd'];
    if (sd !== undefined) {
      if (!Array.isArray(sd)) throw new SdJwtError('disclosures', '"_sd" is not an array.');
      for (const entry of sd) {
        const digest = see(entry);
        const d = byDigest.get(digest);
        if (!d) continue;
        if (d.name === null) {
          throw new SdJwtError('disclosures', 'An array-element disclosure is referenced from an object\'s "_sd".');
        }
        if (Object.hasOwn(out, d.name)) {
          throw new SdJwtError('disclosures', `The disclosed claim ${quoteText(d.name)} is already a member of its object.`);
        }
        used.add(digest);
        disclosed.push({ path: [...path, d.name], disclosure: d });
        put(out, d.name, walk(d.value, [...path, d.name], false));
      }
    }
    return out;
  };

  const claims = walk(payload, [], true) as Record<string, unknown>;
  const unreferenced = disclosures.filter((d) => !used.has(d.digest));
  if (unreferenced.length > 0) {
    const first = unreferenced[0]!;
    const what = first.name === null ? 'an array element' : quoteText(first.name);
    throw new SdJwtError('disclosures', `The disclosure of ${what} is not referenced by any digest the issuer signed.`);
  }
  return { claims, disclosed };
}

/** A holder's public key as it sits in `cnf.jwk`: EC P-256, public members only. */
export interface HolderPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** A holder's private key (what `dcc present --holder-key` reads). */
export interface HolderPrivateJwk extends HolderPublicJwk {
  d: string;
}

/**
 * The public P-256 key in `jwk` with nothing but `kty`, `crv`, `x`, `y`, after WebCrypto has
 * accepted it as a point on the curve; null when it is anything else (a private key included:
 * `d` is refused, so a holder never hands its private key to the issuer by mistake).
 */
export async function holderPublicJwk(jwk: unknown): Promise<HolderPublicJwk | null> {
  if (!isRecord(jwk) || jwk['kty'] !== 'EC' || jwk['crv'] !== 'P-256') return null;
  if ('d' in jwk) return null;
  const { x, y } = jwk;
  if (typeof x !== 'string' || typeof y !== 'string' || x.length !== 43 || y.length !== 43) return null;
  const key: HolderPublicJwk = { kty: 'EC', crv: 'P-256', x, y };
  try {
    decodeBase64urlStrict(x);
    decodeBase64urlStrict(y);
    await subtle().importKey('jwk', { ...key, ext: true }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    return key;
  } catch {
    return null;
  }
}

/** RFC 7638 SHA-256 thumbprint of a holder key, base64url: how a holder-bound form is filed. */
export async function holderKeyThumbprint(jwk: HolderPublicJwk): Promise<string> {
  return sha256Base64url(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }));
}

/** What a holder signs into a Key Binding JWT. */
export interface KeyBindingInput {
  privateJwk: HolderPrivateJwk;
  aud: string;
  nonce: string;
  /** The time of presentation. */
  iat: Date;
}

/** Signs the Key Binding JWT over `hashedPart` (the presentation up to its last `~`). */
export async function createKbJwt(hashedPart: string, input: KeyBindingInput): Promise<string> {
  const { kty, crv, x, y, d } = input.privateJwk;
  const key = await subtle().importKey('jwk', { kty, crv, x, y, d, ext: false }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const header = { alg: KB_JWT_ALGORITHM, typ: KB_JWT_TYPE };
  const payload = { iat: Math.floor(input.iat.getTime() / 1000), aud: input.aud, nonce: input.nonce, sd_hash: await sha256Base64url(hashedPart) };
  const signingInput = `${encodeBase64url(utf8.encode(JSON.stringify(header)))}.${encodeBase64url(utf8.encode(JSON.stringify(payload)))}`;
  const signature = new Uint8Array(await subtle().sign({ name: 'ECDSA', hash: 'SHA-256' }, key, utf8.encode(signingInput)));
  return `${signingInput}.${encodeBase64url(signature)}`;
}

/** What a verifier expects of a Key Binding JWT. */
export interface KeyBindingExpectation {
  /** The verifier's own identifier, as it told the holder. */
  aud: string;
  /** The fresh value the verifier gave the holder for this presentation. */
  nonce: string;
  now: Date;
  /** How old a KB-JWT may be. */
  maxAgeSeconds: number;
  /** Tolerance for clocks that disagree. */
  clockSkewSeconds: number;
}

/** Default of {@link KeyBindingExpectation.maxAgeSeconds}: a presentation is made for one exchange of messages. */
export const KB_JWT_MAX_AGE_SECONDS = 300;

const KB_HEADER_MEMBERS = new Set(['alg', 'typ']);
const KB_PAYLOAD_MEMBERS = new Set(['iat', 'aud', 'nonce', 'sd_hash']);

/**
 * Verifies a Key Binding JWT: strict compact form, header exactly `{"alg":"ES256","typ":"kb+jwt"}`
 * (no key of its own), signature under the holder key of `cnf`, `sd_hash` equal to the hash of
 * `hashedPart` as presented, `aud` and `nonce` equal to what the verifier expects, `iat` no more
 * than `maxAgeSeconds` old and not in the future (each widened by the skew).
 * @throws {SdJwtError} `key-binding`.
 */
export async function verifyKbJwt(kbJwt: string, hashedPart: string, holder: HolderPublicJwk, expected: KeyBindingExpectation): Promise<void> {
  const fail = (detail: string): never => {
    throw new SdJwtError('key-binding', detail);
  };
  const parts = kbJwt.split('.');
  if (parts.length !== 3) fail('The Key Binding JWT is not a compact JWS.');
  let header: unknown;
  let payload: unknown;
  let signature: Uint8Array = new Uint8Array(0);
  try {
    header = parseJsonStrict(decodeBase64urlStrict(parts[0]!, 'the KB-JWT header'), 'The KB-JWT header');
    payload = parseJsonStrict(decodeBase64urlStrict(parts[1]!, 'the KB-JWT payload'), 'The KB-JWT payload');
    signature = decodeBase64urlStrict(parts[2]!, 'the KB-JWT signature');
  } catch (error) {
    fail(`The Key Binding JWT is malformed: ${(error as Error).message}.`);
  }
  if (!isRecord(header) || header['alg'] !== KB_JWT_ALGORITHM || header['typ'] !== KB_JWT_TYPE || Object.keys(header).some((n) => !KB_HEADER_MEMBERS.has(n))) {
    fail('The Key Binding JWT header must be exactly {"alg":"ES256","typ":"kb+jwt"}.');
  }
  if (!isRecord(payload) || Object.keys(payload).some((n) => !KB_PAYLOAD_MEMBERS.has(n))) {
    fail('The Key Binding JWT carries members other than iat, aud, nonce and sd_hash.');
  }
  const p = payload as Record<string, unknown>;
  let genuine = false;
  if (signature.length === 64) {
    try {
      const key = await subtle().importKey('jwk', { ...holder, ext: true }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
      genuine = await subtle().verify({ name: 'ECDSA', hash: 'SHA-256' }, key, signature as Uint8Array<ArrayBuffer>, utf8.encode(`${parts[0]}.${parts[1]}`));
    } catch {
      genuine = false;
    }
  }
  if (!genuine) fail('The Key Binding JWT is not signed by the holder key the certificate names (cnf).');
  if (p['sd_hash'] !== (await sha256Base64url(hashedPart))) {
    fail('The Key Binding JWT\'s sd_hash is not the hash of this presentation: it was made for another one.');
  }
  if (p['aud'] !== expected.aud) {
    fail(`The Key Binding JWT is meant for ${typeof p['aud'] === 'string' ? quoteText(p['aud']) : 'another audience'}, not ${quoteText(expected.aud)}.`);
  }
  if (p['nonce'] !== expected.nonce) fail('The Key Binding JWT carries another nonce than the one expected.');
  const iat = p['iat'];
  if (typeof iat !== 'number' || !Number.isInteger(iat)) fail('The Key Binding JWT has no whole-second iat.');
  const at = expected.now.getTime() / 1000;
  if ((iat as number) > at + expected.clockSkewSeconds) fail('The Key Binding JWT is dated in the future.');
  if ((iat as number) < at - expected.maxAgeSeconds - expected.clockSkewSeconds) {
    fail(`The Key Binding JWT is older than ${expected.maxAgeSeconds} s: a presentation is made for one verification, not replayed.`);
  }
}

