import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { JWK } from 'jose';
import { jwkThumbprint } from '#shared/crypto/jwk-thumbprint.ts';
import { RSA_MAX_BITS, RSA_MIN_BITS } from '#shared/domain/client-registration.ts';
import type { AssertionAlgorithm } from '#shared/domain/oauth.ts';
import { UsageError } from './context.ts';

/**
 * A client's own key pair, the one it proves itself with at the token endpoint (RFC 7523
 * `private_key_jwt`). The private key stays with the client; the operator registers only the
 * public JWKS. The algorithm follows from the key, so a key file is all a user has to name.
 */

/** The modulus `dcc keygen` gives an RS256 key: above the minimum, for a key meant to last years. */
const KEYGEN_RSA_BITS = 3072;

/** The largest key file read: a 16384-bit RSA JWK is about 12 KB. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** A loaded private key, ready to sign assertions. */
export interface ClientKey {
  privateKey: KeyObject;
  alg: AssertionAlgorithm;
  /** The `kid` sent in the assertion's header: a key of the client's registered JWKS. */
  kid: string;
  /** The public half as registered: public members, `kid`, `alg`, `use: sig`. */
  publicJwk: JWK;
}

/**
 * The algorithm a key signs with: EC P-256 → ES256, RSA of 2048 to 4096 bits → RS256, Ed25519
 * → EdDSA. Any other key (another curve, Ed448, RSA-PSS, a short or huge RSA key) is refused, as
 * the service refuses to register it.
 * @throws {UsageError}
 */
export function algOfKey(key: KeyObject): AssertionAlgorithm {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'ec') {
    if (details.namedCurve === 'prime256v1') return 'ES256';
    throw new UsageError(`an EC key on ${details.namedCurve ?? 'an unknown curve'} cannot sign assertions: use P-256 (ES256)`);
  }
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits >= RSA_MIN_BITS && bits <= RSA_MAX_BITS) return 'RS256';
    throw new UsageError(`an RSA key of ${bits} bits is ${bits < RSA_MIN_BITS ? 'too short' : 'too long'}: ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits (RS256)`);
  }
  if (type === 'ed25519') return 'EdDSA';
  throw new UsageError(`a ${type ?? 'secret'} key cannot sign assertions: use EC P-256 (ES256), RSA (RS256) or Ed25519 (EdDSA)`);
}

/**
 * The public JWK of `key` (private or public) as it is registered: only the public members,
 * `kid` (the RFC 7638 thumbprint unless given), `alg` and `use: sig`.
 */
export function publicJwkOf(key: KeyObject, kid?: string): JWK {
  const alg = algOfKey(key);
  const exported = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  // Only the members RFC 7638 hashes: whatever else an export might add never reaches the operator.
  const members: JWK =
    exported.kty === 'RSA'
      ? { kty: 'RSA', n: exported.n, e: exported.e }
      : exported.kty === 'EC'
        ? { kty: 'EC', crv: exported.crv, x: exported.x, y: exported.y }
        : { kty: 'OKP', crv: exported.crv, x: exported.x };
  return { ...members, kid: kid ?? jwkThumbprint(members), alg, use: 'sig' };
}

/** Members only a private or secret key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * Reads a client's private key: a PEM file (PKCS#8 `PRIVATE KEY`, as `dcc keygen` and
 * `openssl genpkey` write; SEC1 and PKCS#1 PEM are read too) or a private JWK (a JSON object
 * with `d`). The `kid` is `kid` if given, else the JWK's own `kid`, else the RFC 7638 thumbprint
 * of the public key, which is what `dcc keygen` registers.
 * @throws {UsageError} when the file cannot be read or is not a usable private key.
 */
export async function loadClientKey(path: string, kid?: string): Promise<ClientKey> {
  let text: string;
  try {
    const { size } = await stat(path);
    if (size > MAX_KEY_FILE_BYTES) throw new UsageError(`${path} holds ${size} bytes, more than any key file (${MAX_KEY_FILE_BYTES})`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read the client key ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const trimmed = text.trim();
  let privateKey: KeyObject;
  let jwkKid: string | undefined;
  let jwkAlg: unknown;
  if (trimmed.startsWith('{')) {
    let jwk: Record<string, unknown>;
    try {
      jwk = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      throw new UsageError(`${path} is neither a PEM private key nor valid JSON`);
    }
    if (Array.isArray(jwk['keys'])) throw new UsageError(`${path} is a key set: pass the one private key (a JWK with "d"), not a JWKS`);
    if (typeof jwk['d'] !== 'string') throw new UsageError(`${path} is a public key: the client key must be the private key (a JWK with "d")`);
    try {
      privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch (error) {
      throw new UsageError(`${path} is not a usable private JWK: ${(error as Error).message}`);
    }
    if (typeof jwk['kid'] === 'string' && jwk['kid'] !== '') jwkKid = jwk['kid'];
    jwkAlg = jwk['alg'];
  } else if (trimmed.startsWith('-----BEGIN')) {
    if (/^-----BEGIN (ENCRYPTED PRIVATE KEY|.*PRIVATE KEY-----[\s\S]*Proc-Type: 4,ENCRYPTED)/.test(trimmed)) {
      throw new UsageError(`${path} is encrypted: dcc reads an unencrypted PKCS#8 key (keep the file mode 0600)`);
    }
    if (!/^-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/.test(trimmed)) {
      throw new UsageError(`${path} is not a private key: the client key is the private PEM (BEGIN PRIVATE KEY)`);
    }
    try {
      privateKey = createPrivateKey({ key: trimmed, format: 'pem' });
    } catch (error) {
      throw new UsageError(`${path} is not a usable private key: ${(error as Error).message}`);
    }
  } else {
    throw new UsageError(`${path} is neither a PEM private key nor a private JWK`);
  }
  let alg: AssertionAlgorithm;
  try {
    alg = algOfKey(privateKey);
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
  if (jwkAlg !== undefined && jwkAlg !== alg) throw new UsageError(`${path} says "alg": ${JSON.stringify(jwkAlg)}, but the key signs ${alg}`);
  if (kid !== undefined && kid.trim() === '') throw new UsageError('--client-key-id must not be empty');
  const publicJwk = publicJwkOf(privateKey, kid ?? jwkKid);
  return { privateKey, alg, kid: publicJwk.kid as string, publicJwk };
}

/** A fresh key pair for `alg`, as `dcc keygen` writes it. */
export function generateClientKey(alg: AssertionAlgorithm): { privateKeyPem: string; publicJwk: JWK } {
  const { privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: KEYGEN_RSA_BITS });
  return { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, publicJwk: publicJwkOf(privateKey) };
}

/** Whether a JWK object carries a private or secret member (`d`, `p`, …, `k`). */
export function privateMembersOf(jwk: Record<string, unknown>): string[] {
  return PRIVATE_MEMBERS.filter((m) => m in jwk);
}
