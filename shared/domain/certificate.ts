import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { compactVerify, importJWK, type CryptoKey } from 'jose';
import { compactJws, parseCompactJwsStrict, signingInputOf, type ParsedCompactJws } from '../crypto/compact-jws.ts';
import { P256_SIGNATURE_LENGTH, toP256PublicKey, verifyP256 } from '../crypto/ecdsa-p256.ts';
import { CryptoError, SignerError } from '../crypto/errors.ts';
import { jwkThumbprint } from '../crypto/jwk-thumbprint.ts';
import { parseJsonStrict } from '../crypto/strict-json.ts';
import type { CertificateSigner, PublicVerificationJwk } from './signer.ts';
import { isBuiltCredential } from './built-credentials.ts';
import { CredentialSchema, type Credential } from './schemas/credential.ts';
import { quoteText } from './text.ts';

/**
 * Securing certificates as compact JWS per VC-JOSE-COSE (`typ: vc+jwt`, ES256 only): signing
 * through the signer port, and strict offline verification against published keys.
 */

/** The one media type our tokens carry in `typ`. */
export const VC_JWT_TYPE = 'vc+jwt';
/** The one algorithm we sign and accept. */
export const CERTIFICATE_ALGORITHM = 'ES256';

/** The protected header of every token we sign, members in this order. */
export interface VcJwtHeader {
  alg: typeof CERTIFICATE_ALGORITHM;
  typ: typeof VC_JWT_TYPE;
  kid: string;
}

const utf8 = new TextEncoder();

/**
 * Signs any JSON payload as a `vc+jwt` compact JWS with the signer's key: the certificates
 * themselves and the status list credentials. The JWS is assembled here because jose's
 * `CompactSign` only signs with a key it holds, and KMS keys never leave KMS.
 *
 * The fresh signature is checked against the signer's own published key before it is
 * returned: a KMS alias pointed at another key, or a signer fault, then fails the issue
 * instead of producing a certificate that no one can ever verify.
 *
 * @throws {SignerError} `signer-signature-malformed` when the signer returns anything but 64
 *   bytes, `signer-signature-mismatch` when the signature does not verify under `publicJwk()`.
 *   Errors of the signer's backend propagate unchanged.
 */
export async function signJwt(payload: object, signer: CertificateSigner): Promise<string> {
  const jwk = await signer.publicJwk();
  const header: VcJwtHeader = { alg: CERTIFICATE_ALGORITHM, typ: VC_JWT_TYPE, kid: jwk.kid };
  const signingInput = signingInputOf(header, utf8.encode(JSON.stringify(payload)));
  const signingInputBytes = utf8.encode(signingInput);
  const signature = await signer.sign(signingInputBytes);
  if (signature.length !== P256_SIGNATURE_LENGTH) {
    throw new SignerError('signer-signature-malformed', `the signer returned ${signature.length} bytes, not 64`);
  }
  if (!verifyP256(jwk, signingInputBytes, signature)) {
    throw new SignerError('signer-signature-mismatch', `the signature does not verify under the signer's key ${jwk.kid}`);
  }
  return compactJws(signingInput, signature);
}

/**
 * Signs a certificate: the credential JSON as the payload of a `vc+jwt` compact JWS with the
 * protected header `{"alg":"ES256","typ":"vc+jwt","kid":<thumbprint>}`.
 *
 * The credential is checked against {@link CredentialSchema} first, so the service never signs
 * a document that its own verifier would refuse; one from `buildCredential` was checked when it
 * was built and is frozen since, so it is not parsed again.
 *
 * @throws {TypeError} when `credential` does not satisfy the schema (a defect of the caller).
 * @throws {SignerError} see {@link signJwt}.
 */
export async function signCertificate(credential: Credential, signer: CertificateSigner): Promise<string> {
  // A credential from buildCredential was checked when it was built and is frozen since.
  if (isBuiltCredential(credential)) return signJwt(credential, signer);
  const checked = CredentialSchema.safeParse(credential);
  if (!checked.success) {
    const first = checked.error.issues[0];
    throw new TypeError(
      `refusing to sign an invalid credential: ${first ? `${first.path.join('.')}: ${first.message}` : 'schema violation'}`,
    );
  }
  return signJwt(credential, signer);
}

/** The name of each verification step, in the order they run. */
export type VerificationCheckName = 'format' | 'header' | 'key' | 'signature' | 'payload' | 'validity';

/** One verification step and its outcome; `detail` says why it failed. */
export interface VerificationCheck {
  name: VerificationCheckName;
  ok: boolean;
  detail?: string;
}

/** Outcome of {@link verifyCertificate}; `status` excludes `revoked`, which needs the store. */
export interface CertificateVerification {
  /** True only for a genuine, well-formed certificate inside its validity window. */
  verified: boolean;
  status: 'active' | 'expired' | 'not-yet-valid' | 'invalid';
  /**
   * The steps that ran, in order. Verification stops at the first failed step, so a failed
   * result ends with exactly one `ok: false` entry and the later steps are absent: a step
   * that never ran is not reported as passed or failed.
   */
  checks: VerificationCheck[];
  /** The decoded credential, present once signature and payload are proven (also when expired). */
  certificate?: Credential;
  /** The key that signed, present once the `kid` is found among the published keys. */
  kid?: string;
}

/** Options of {@link verifyCertificate}. */
export interface VerifyCertificateOptions {
  /** Tolerance for clocks that disagree, applied at both ends of the validity window. @default 0 */
  clockSkewSeconds?: number;
  /**
   * What checks the signature once the strict steps before it passed. `node` (the default, and
   * what the service and `dcc` use) calls `crypto.verify` on the key's cached KeyObject on the
   * calling thread; `jose` runs jose's `compactVerify` on the whole token, a WebCrypto job on the
   * thread pool per signature and several times slower. `jose` is kept as the reference that
   * the parity tests compare the default against.
   * @default 'node'
   */
  signatureVerifier?: 'node' | 'jose';
}

/** The only protected header members a token of ours may carry. */
const ALLOWED_HEADER_MEMBERS = new Set(['alg', 'typ', 'kid']);
/** Members that would let the token name its own key, or defer to a key elsewhere. */
const KEY_BEARING_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
const MAX_DETAILED_ISSUES = 5;

type StepResult<T> = { ok: true; value: T } | { ok: false; detail: string };
const pass = <T>(value: T): StepResult<T> => ({ ok: true, value });
const fail = <T>(detail: string): StepResult<T> => ({ ok: false, detail });

function quoted(value: unknown): string {
  return typeof value === 'string' ? quoteText(value) : `a ${value === null ? 'null' : typeof value}`;
}

function checkFormat(token: unknown): StepResult<ParsedCompactJws> {
  if (typeof token !== 'string') return fail('The token is not a string.');
  try {
    return pass(parseCompactJwsStrict(token));
  } catch (error) {
    if (error instanceof CryptoError) return fail(`${error.message} (${error.code}).`);
    throw error;
  }
}

/** Header rules, in order; the first broken one is reported. */
function checkHeader(header: Record<string, unknown>): StepResult<string> {
  const { alg, typ, kid } = header;
  if (alg !== CERTIFICATE_ALGORITHM) {
    return fail(`The algorithm ${quoted(alg)} is not allowed; certificates are signed with ES256 only.`);
  }
  if (typ !== VC_JWT_TYPE) return fail(`The type ${quoted(typ)} is not "vc+jwt".`);
  if (typeof kid !== 'string' || kid.length === 0) return fail('The header names no key ("kid").');
  for (const member of KEY_BEARING_MEMBERS) {
    if (member in header) {
      return fail(`The header member "${member}" is refused: keys come only from the published key set.`);
    }
  }
  if ('crit' in header) return fail('The header member "crit" is refused: no extensions are understood.');
  if ('b64' in header) return fail('The header member "b64" is refused: the payload is always base64url-encoded.');
  const unknown = Object.keys(header).filter((name) => !ALLOWED_HEADER_MEMBERS.has(name));
  if (unknown.length > 0) return fail(`The header members ${unknown.map(quoteText).join(', ')} are not allowed.`);
  return pass(kid);
}

/** A published key proven once: the KeyObject for `node:crypto`, the CryptoKey for jose's reference path. */
interface ProvenKey {
  jwk: PublicVerificationJwk;
  keyObject: KeyObject;
  joseKey: CryptoKey;
}

/**
 * Published keys already proven to be P-256 public keys named by their own thumbprint, and
 * imported, per key object: a batch, or a warm function verifying against the same key set,
 * proves and imports each key once. The key sets handed in are read, never changed. Once a
 * proof has settled its result is kept beside the promise, so later tokens skip the await.
 */
const provenKeys = new WeakMap<PublicVerificationJwk, { pending: Promise<StepResult<ProvenKey>>; settled?: StepResult<ProvenKey> }>();

function checkKey(kid: string, keys: readonly PublicVerificationJwk[]): Promise<StepResult<ProvenKey>> | StepResult<ProvenKey> {
  const jwk = keys.find((k) => k.kid === kid);
  if (jwk === undefined) return fail(`No published key has the kid ${quoteText(kid)}.`);
  let proven = provenKeys.get(jwk);
  if (proven === undefined) {
    const entry: { pending: Promise<StepResult<ProvenKey>>; settled?: StepResult<ProvenKey> } = { pending: proveKey(jwk) };
    entry.pending = entry.pending.then((result) => (entry.settled = result));
    provenKeys.set(jwk, entry);
    proven = entry;
  }
  return proven.settled ?? proven.pending;
}

async function proveKey(jwk: PublicVerificationJwk): Promise<StepResult<ProvenKey>> {
  const kid = quoteText(jwk.kid);
  // Published keys are ours, but a kid that is not the key's thumbprint must not pass for it.
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk) return fail(`The published key ${kid} is not an EC P-256 public key.`);
  let thumbprint: string;
  try {
    thumbprint = jwkThumbprint(jwk);
  } catch {
    return fail(`The published key ${kid} is malformed.`);
  }
  if (thumbprint !== jwk.kid) return fail(`The published key ${kid} is not the key its kid names.`);
  try {
    const { kty, crv, x, y } = jwk;
    // jose validates the import as before; the KeyObject is what the hot path verifies with.
    const joseKey = (await importJWK({ kty, crv, x, y }, CERTIFICATE_ALGORITHM)) as CryptoKey;
    const keyObject = toP256PublicKey({ kty, crv, x, y });
    return pass({ jwk, keyObject, joseKey });
  } catch {
    return fail(`The published key ${kid} is malformed.`);
  }
}

function checkSignature(parsed: ParsedCompactJws, key: KeyObject, kid: string): StepResult<null> {
  if (parsed.signature.length !== P256_SIGNATURE_LENGTH) {
    return fail(`The signature is ${parsed.signature.length} bytes; ES256 needs exactly 64 (R||S).`);
  }
  let ok: boolean;
  try {
    ok = cryptoVerify('sha256', parsed.signingInput, { key, dsaEncoding: 'ieee-p1363' }, parsed.signature);
  } catch {
    // OpenSSL reports some malformed signatures as errors instead of a false result.
    ok = false;
  }
  return ok ? pass(null) : fail(`The signature does not verify with the key ${quoteText(kid)}.`);
}

/** The reference path: jose checks the whole token again, as before the node:crypto path. */
async function checkSignatureWithJose(token: string, parsed: ParsedCompactJws, key: CryptoKey, kid: string): Promise<StepResult<null>> {
  if (parsed.signature.length !== P256_SIGNATURE_LENGTH) {
    return fail(`The signature is ${parsed.signature.length} bytes; ES256 needs exactly 64 (R||S).`);
  }
  try {
    await compactVerify(token, key, { algorithms: [CERTIFICATE_ALGORITHM] });
    return pass(null);
  } catch {
    return fail(`The signature does not verify with the key ${quoteText(kid)}.`);
  }
}

function checkPayload(payload: Uint8Array): StepResult<Credential> {
  let json: unknown;
  try {
    json = parseJsonStrict(payload, 'The payload');
  } catch (error) {
    if (error instanceof CryptoError) return fail(`${error.message} (${error.code}).`);
    throw error;
  }
  const parsed = CredentialSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, MAX_DETAILED_ISSUES)
      .map((issue) => `/${issue.path.map(String).join('/')}: ${issue.message}`);
    const more = parsed.error.issues.length > MAX_DETAILED_ISSUES ? ` (and ${parsed.error.issues.length - MAX_DETAILED_ISSUES} more)` : '';
    return fail(`The payload is not a data compliance certificate: ${issues.join('; ')}${more}.`);
  }
  return pass(parsed.data);
}

function checkValidity(
  credential: Credential,
  now: Date,
  skewSeconds: number,
): { ok: true } | { ok: false; status: 'expired' | 'not-yet-valid'; detail: string } {
  const from = Date.parse(credential.validFrom);
  const until = Date.parse(credential.validUntil);
  const skew = skewSeconds * 1000;
  const at = now.getTime();
  if (at < from - skew) {
    return { ok: false, status: 'not-yet-valid', detail: `Not valid before ${credential.validFrom}.` };
  }
  if (at > until + skew) return { ok: false, status: 'expired', detail: `Expired at ${credential.validUntil}.` };
  return { ok: true };
}

/**
 * Verifies a certificate token offline, against the published keys only (no KMS call), and
 * never throws on a bad token: every outcome is a result. The steps, each a named check:
 *
 * 1. `format`: the strict compact parse (three canonical base64url parts, header a JSON
 *    object), before jose sees the token, since jose tolerates `=` padding.
 * 2. `header`: `alg` exactly ES256; `typ` exactly `vc+jwt`; a `kid`; none of `jwk`, `jku`,
 *    `x5u`, `x5c`, `x5t`, `x5t#S256`, `crit`, `b64`; no other member than those three.
 * 3. `key`: the `kid` names one of `keys`, and that key is P-256 with its thumbprint as kid.
 * 4. `signature`: exactly 64 bytes (R||S), verified by `crypto.verify` (SHA-256, `ieee-p1363`) over
 *    the signing input with the key's KeyObject, made once per published key; OpenSSL refuses r
 *    or s of zero or ≥ n. (`signatureVerifier: 'jose'` runs jose `compactVerify` instead.)
 * 5. `payload`: strict JSON (no duplicate members) satisfying {@link CredentialSchema}.
 * 6. `validity`: `validFrom` ≤ now ≤ `validUntil`, each end widened by the clock skew.
 *
 * Revocation is not checked here; it needs the store (the HTTP layer adds it).
 *
 * @throws {TypeError} only for programmer misuse: `now` not a valid Date, a negative or
 *   non-finite skew, `keys` not an array.
 */
export async function verifyCertificate(
  token: string,
  keys: PublicVerificationJwk[],
  now: Date,
  options: VerifyCertificateOptions = {},
): Promise<CertificateVerification> {
  const skew = options.clockSkewSeconds ?? 0;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
  if (!Number.isFinite(skew) || skew < 0) throw new TypeError('clockSkewSeconds must be a finite number ≥ 0');
  if (!Array.isArray(keys)) throw new TypeError('keys must be an array of public JWKs');

  const checks: VerificationCheck[] = [];
  try {
    return await runChecks(token, keys, now, skew, options.signatureVerifier ?? 'node', checks);
  } catch {
    // Every step reports bad data as a result; reaching here means a defect, not a bad token.
    // The contract still holds: the token is reported invalid at the step that broke.
    const stage = STEPS[checks.length] ?? 'validity';
    checks.push({ name: stage, ok: false, detail: 'The token could not be checked.' });
    return { verified: false, status: 'invalid', checks };
  }
}

const STEPS: readonly VerificationCheckName[] = ['format', 'header', 'key', 'signature', 'payload', 'validity'];

async function runChecks(
  token: string,
  keys: readonly PublicVerificationJwk[],
  now: Date,
  skew: number,
  verifier: 'node' | 'jose',
  checks: VerificationCheck[],
): Promise<CertificateVerification> {
  const invalid = (name: VerificationCheckName, detail: string, kid?: string): CertificateVerification => {
    checks.push({ name, ok: false, detail });
    return { verified: false, status: 'invalid', checks, ...(kid === undefined ? {} : { kid }) };
  };

  const format = checkFormat(token);
  if (!format.ok) return invalid('format', format.detail);
  checks.push({ name: 'format', ok: true });
  const parsed = format.value;

  const header = checkHeader(parsed.header);
  if (!header.ok) return invalid('header', header.detail);
  checks.push({ name: 'header', ok: true });

  // Awaited only while the key's first proof is pending: a batch's later tokens stay synchronous.
  const keyStep = checkKey(header.value, keys);
  const key = keyStep instanceof Promise ? await keyStep : keyStep;
  if (!key.ok) return invalid('key', key.detail);
  checks.push({ name: 'key', ok: true });
  const kid = key.value.jwk.kid;

  const signature =
    verifier === 'jose'
      ? await checkSignatureWithJose(token, parsed, key.value.joseKey, kid)
      : checkSignature(parsed, key.value.keyObject, kid);
  if (!signature.ok) return invalid('signature', signature.detail, kid);
  checks.push({ name: 'signature', ok: true });

  const payload = checkPayload(parsed.payload);
  if (!payload.ok) return invalid('payload', payload.detail, kid);
  checks.push({ name: 'payload', ok: true });
  const certificate = payload.value;

  const validity = checkValidity(certificate, now, skew);
  if (!validity.ok) {
    checks.push({ name: 'validity', ok: false, detail: validity.detail });
    return { verified: false, status: validity.status, checks, certificate, kid };
  }
  checks.push({ name: 'validity', ok: true });
  return { verified: true, status: 'active', checks, certificate, kid };
}
