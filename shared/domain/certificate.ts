import type { KeyObject } from 'node:crypto';
import type { CryptoKey } from 'jose';
import { compactJws, encodeProtectedHeader, parseCompactJwsStrict, type ParsedCompactJws } from '../crypto/compact-jws.ts';
import { P256_SIGNATURE_LENGTH, toP256PublicKey, verifyP256, verifyP256With } from '../crypto/ecdsa-p256.ts';
import { CryptoError, SignerError } from '../crypto/errors.ts';
import { algorithmOfCurve, isCertificateAlgorithm } from '../crypto/jws-algorithms.ts';
import { jwkThumbprint } from '../crypto/jwk-thumbprint.ts';
// Only the type: the SM2 arithmetic is loaded when an SM2 key is first proven or signed with.
import type { Sm2PublicKey } from '../crypto/sm2.ts';
import { loadSm2 } from '../crypto/sm2-loader.ts';
import { parseJsonStrict } from '../crypto/strict-json.ts';
import type { CertificateAlgorithm, CertificateSigner, PublicVerificationJwk } from './signer.ts';
import { builtCredentialText } from './built-credentials.ts';
// Only types from the zod schema: it loads on the first payload the predicate refuses (zodRefusal).
import type { Credential, CredentialSchema } from './schemas/credential.ts';
import { isCredential } from './schemas/credential-check.ts';
import { vocabularyLinksProblem } from './schemas/credential-terms.ts';
import { memoizeAsync } from '../support/memo.ts';
import { quoteText } from './text.ts';

/**
 * Securing certificates as compact JWS per VC-JOSE-COSE (`typ: vc+jwt`, ES256 or SM2): signing
 * through the signer port, and strict offline verification against published keys.
 */

/** The one media type our tokens carry in `typ`. */
export const VC_JWT_TYPE = 'vc+jwt';
/** `typ` of the issuer-signed JWT of a selectively disclosable certificate (`shared/domain/sd-jwt/`). */
export const VC_SD_JWT_TYPE = 'vc+sd-jwt';
/** The `typ` values this module signs and checks: a certificate or its selectively disclosable form. */
export type SignedJwtType = typeof VC_JWT_TYPE | typeof VC_SD_JWT_TYPE;
/**
 * The algorithm of the default suite. A token's `alg` is the one of the key that signed it
 * (`signer.ts`): ES256, or SM2 where a stage signs with an SM2 key; a verifier accepts either,
 * and only from a published key of the matching curve.
 */
export const CERTIFICATE_ALGORITHM = 'ES256';

/** The protected header of every token we sign, members in this order. */
export interface VcJwtHeader {
  alg: CertificateAlgorithm;
  typ: SignedJwtType;
  kid: string;
}

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
export async function signJwt(payload: object, signer: CertificateSigner, typ: SignedJwtType = VC_JWT_TYPE): Promise<string> {
  return signJsonText(JSON.stringify(payload), signer, typ);
}

/** {@link signJwt} of a payload already written as JSON text. */
async function signJsonText(payloadText: string, signer: CertificateSigner, typ: SignedJwtType): Promise<string> {
  const jwk = await signer.publicJwk();
  const signingInput = `${encodedHeaderOf(jwk, typ)}.${Buffer.from(payloadText, 'utf8').toString('base64url')}`;
  // Two base64url parts and a dot are ASCII: one byte per character, copied as they are.
  const signingInputBytes = Buffer.from(signingInput, 'latin1');
  const signature = await signer.sign(signingInputBytes);
  if (signature.length !== P256_SIGNATURE_LENGTH) {
    throw new SignerError('signer-signature-malformed', `the signer returned ${signature.length} bytes, not 64`);
  }
  const genuine =
    jwk.crv === 'SM2' ? (await sm2KeyOf(jwk)).verify(signingInputBytes, signature) : verifyP256(jwk, signingInputBytes, signature);
  if (!genuine) {
    throw new SignerError('signer-signature-mismatch', `the signature does not verify under the signer's key ${jwk.kid}`);
  }
  return compactJws(signingInput, signature);
}

/**
 * The encoded protected header of `typ` under `jwk`, written once per published JWK object (a
 * signer hands out the same object for its life).
 */
const encodedHeaders = new WeakMap<PublicVerificationJwk, Partial<Record<SignedJwtType, string>>>();
function encodedHeaderOf(jwk: PublicVerificationJwk, typ: SignedJwtType): string {
  let byTyp = encodedHeaders.get(jwk);
  if (byTyp === undefined) encodedHeaders.set(jwk, (byTyp = {}));
  return (byTyp[typ] ??= encodeProtectedHeader({ alg: jwk.alg, typ, kid: jwk.kid } satisfies VcJwtHeader));
}

/** SM2 keys parsed once per published JWK object (a signer hands out the same object for its life). */
const sm2Keys = new WeakMap<PublicVerificationJwk, Sm2PublicKey>();
async function sm2KeyOf(jwk: PublicVerificationJwk): Promise<Sm2PublicKey> {
  let key = sm2Keys.get(jwk);
  if (key === undefined) sm2Keys.set(jwk, (key = (await loadSm2()).Sm2PublicKey.fromJwk(jwk)));
  return key;
}

/**
 * Signs a certificate: the credential JSON as the payload of a `vc+jwt` compact JWS with the
 * protected header `{"alg":"ES256","typ":"vc+jwt","kid":<thumbprint>}` (`"SM2"` under an SM2 signer).
 *
 * The credential is checked against {@link CredentialSchema} first, so the service never signs
 * a document that its own verifier would refuse; one from `buildCredential` was checked when it
 * was built, and the JSON text it had then is what is signed, without parsing it again.
 *
 * @throws {TypeError} when `credential` does not satisfy the schema (a defect of the caller).
 * @throws {SignerError} see {@link signJwt}.
 */
export async function signCertificate(credential: Credential, signer: CertificateSigner): Promise<string> {
  // A credential from buildCredential was checked when it was built: its text of then is signed.
  const builtText = builtCredentialText(credential);
  if (builtText !== undefined) return signJsonText(builtText, signer, VC_JWT_TYPE);
  if (isCredential(credential)) return signJwt(credential, signer);
  // Refused by the predicate: zod says why (and, should the two ever disagree, zod decides).
  const { CredentialSchema: schema } = await loadCredentialSchema();
  const checked = schema.safeParse(credential);
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

/**
 * Verdicts of the header rules on headers the strict parse hands out again (frozen, by their
 * exact text: `parseCompactJwsStrict`), per expected `typ`: the rules are a pure function of the
 * header and the `typ`, so a batch's tokens, which share one header, are judged once. Weakly
 * held: a header the parse forgets takes its verdicts with it.
 */
const headerVerdicts = new WeakMap<object, Partial<Record<SignedJwtType, StepResult<string>>>>();

/** {@link checkHeader}, remembered for a header that cannot change. */
function checkHeaderOnce(header: Readonly<Record<string, unknown>>, expectedTyp: SignedJwtType): StepResult<string> {
  if (!Object.isFrozen(header)) return checkHeader(header, expectedTyp);
  let verdicts = headerVerdicts.get(header);
  if (verdicts === undefined) headerVerdicts.set(header, (verdicts = {}));
  return (verdicts[expectedTyp] ??= checkHeader(header, expectedTyp));
}

/** Header rules, in order; the first broken one is reported. */
function checkHeader(header: Readonly<Record<string, unknown>>, expectedTyp: SignedJwtType): StepResult<string> {
  const { alg, typ, kid } = header;
  if (!isCertificateAlgorithm(alg)) {
    return fail(`The algorithm ${quoted(alg)} is not allowed; certificates are signed with ES256 or SM2 only.`);
  }
  if (typ !== expectedTyp) return fail(`The type ${quoted(typ)} is not "${expectedTyp}".`);
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

/** A published key proven once, with the KeyObject that `node:crypto` verifies with. */
interface ProvenKey {
  jwk: PublicVerificationJwk;
  /** P-256 keys. */
  keyObject?: KeyObject;
  /** SM2 keys (neither node:crypto nor jose verifies SM2). */
  sm2?: Sm2PublicKey;
}

/**
 * Published keys already proven to be P-256 or SM2 public keys named by their own thumbprint, and
 * imported, per key object: a batch, or a warm function verifying against the same key set,
 * proves and imports each key once. The key sets handed in are read, never changed. Once a
 * proof has settled its result is kept beside the promise, so later tokens skip the await.
 */
const provenKeys = new WeakMap<PublicVerificationJwk, { pending: Promise<StepResult<ProvenKey>>; settled?: StepResult<ProvenKey> }>();

function checkKey(
  kid: string,
  alg: CertificateAlgorithm,
  keys: readonly PublicVerificationJwk[],
): Promise<StepResult<ProvenKey>> | StepResult<ProvenKey> {
  const jwk = keyNamed(keys, kid);
  if (jwk === undefined) return fail(`No published key has the kid ${quoteText(kid)}.`);
  // Checked per token, before the cached proof: a key verifies its curve's algorithm only.
  const keyAlg = algorithmOfCurve(jwk.crv);
  if (keyAlg !== undefined && keyAlg !== alg) {
    return fail(`The key ${quoteText(kid)} is an ${keyAlg} key; the header's algorithm is ${alg}.`);
  }
  let proven = provenKeys.get(jwk);
  if (proven === undefined) {
    const entry: { pending: Promise<StepResult<ProvenKey>>; settled?: StepResult<ProvenKey> } = { pending: proveKey(jwk) };
    entry.pending = entry.pending.then((result) => (entry.settled = result));
    provenKeys.set(jwk, entry);
    proven = entry;
  }
  return proven.settled ?? proven.pending;
}

/** The first key of `keys` with the kid `kid` (a loop: no closure per token). */
function keyNamed(keys: readonly PublicVerificationJwk[], kid: string): PublicVerificationJwk | undefined {
  for (const key of keys) if (key.kid === kid) return key;
  return undefined;
}

async function proveKey(jwk: PublicVerificationJwk): Promise<StepResult<ProvenKey>> {
  const kid = quoteText(jwk.kid);
  // Published keys are ours, but a kid that is not the key's thumbprint must not pass for it.
  if (jwk.kty !== 'EC' || algorithmOfCurve(jwk.crv) === undefined || 'd' in jwk) {
    return fail(`The published key ${kid} is not an EC P-256 or SM2 public key.`);
  }
  let thumbprint: string;
  try {
    thumbprint = jwkThumbprint(jwk);
  } catch {
    return fail(`The published key ${kid} is malformed.`);
  }
  if (thumbprint !== jwk.kid) return fail(`The published key ${kid} is not the key its kid names.`);
  if (jwk.crv === 'SM2') {
    // Loaded outside the try: a module that cannot load is a defect, not a malformed key.
    const sm2 = await loadSm2();
    try {
      return pass({ jwk, sm2: sm2.Sm2PublicKey.fromJwk(jwk) });
    } catch {
      return fail(`The published key ${kid} is malformed.`);
    }
  }
  try {
    const { kty, crv, x, y } = jwk;
    // node:crypto refuses a point off the curve or coordinates of the wrong length, as jose does.
    return pass({ jwk, keyObject: toP256PublicKey({ kty, crv, x, y }) });
  } catch {
    return fail(`The published key ${kid} is malformed.`);
  }
}

function checkSignature(parsed: ParsedCompactJws, key: ProvenKey, kid: string): StepResult<null> {
  if (parsed.signature.length !== P256_SIGNATURE_LENGTH) {
    return fail(`The signature is ${parsed.signature.length} bytes; ${key.jwk.alg} needs exactly 64 (R||S).`);
  }
  let ok: boolean;
  if (key.sm2) {
    try {
      ok = key.sm2.verify(parsed.signingInput, parsed.signature);
    } catch {
      // OpenSSL reports some malformed signatures as errors instead of a false result.
      ok = false;
    }
  } else {
    ok = verifyP256With(key.keyObject as KeyObject, parsed.signingInput, parsed.signature);
  }
  return ok ? pass(null) : fail(`The signature does not verify with the key ${quoteText(kid)}.`);
}

/**
 * jose, loaded by the reference path only: nothing the service or `dcc` runs needs it to verify,
 * so their start-up neither compiles it nor imports each key a second time through WebCrypto.
 */
const loadJose = /* @__PURE__ */ memoizeAsync(() => import('jose'));

/** jose's own import of a published key (a CryptoKey), once per key object; undefined if jose refuses it. */
const joseKeys = new WeakMap<PublicVerificationJwk, Promise<CryptoKey | undefined>>();

function joseKeyOf(jwk: PublicVerificationJwk): Promise<CryptoKey | undefined> {
  let key = joseKeys.get(jwk);
  if (key === undefined) {
    const { kty, crv, x, y } = jwk;
    key = loadJose().then(({ importJWK }) =>
      (importJWK({ kty, crv, x, y }, CERTIFICATE_ALGORITHM) as Promise<CryptoKey>).catch(() => undefined),
    );
    joseKeys.set(jwk, key);
  }
  return key;
}

/** The reference path: jose checks the whole token again, as before the node:crypto path. */
async function checkSignatureWithJose(token: string, parsed: ParsedCompactJws, key: CryptoKey, kid: string): Promise<StepResult<null>> {
  if (parsed.signature.length !== P256_SIGNATURE_LENGTH) {
    return fail(`The signature is ${parsed.signature.length} bytes; ES256 needs exactly 64 (R||S).`);
  }
  const { compactVerify } = await loadJose();
  try {
    await compactVerify(token, key, { algorithms: [CERTIFICATE_ALGORITHM] });
    return pass(null);
  } catch {
    return fail(`The signature does not verify with the key ${quoteText(kid)}.`);
  }
}

/** The zod schemas, loaded once and only when a credential is refused: what only verifies good certificates never builds them. */
// Marked pure so that a bundle which never verifies a payload drops it, and zod with it.
export const loadCredentialSchema: () => Promise<{ CredentialSchema: typeof CredentialSchema }> = /* @__PURE__ */ memoizeAsync(() => import('./schemas/credential.ts'));

/**
 * The `payload` step. {@link isCredential} accepts exactly what `CredentialSchema` accepts, and
 * answers without copying; the JSON value, fresh from the parser and held by no one else, is
 * the credential. Only a refused payload goes to zod, for the same detailed issues as ever.
 */
function checkPayload(payload: Uint8Array): StepResult<Credential> | Promise<StepResult<Credential>> {
  let json: unknown;
  try {
    json = parseJsonStrict(payload, 'The payload');
  } catch (error) {
    if (error instanceof CryptoError) return fail(`${error.message} (${error.code}).`);
    throw error;
  }
  return isCredential(json) ? checkVocabularyLinks(json) : zodRefusal(json);
}

function checkVocabularyLinks(credential: Credential): StepResult<Credential> {
  const links = vocabularyLinksProblem(credential);
  if (links) return fail(`The payload is not a data compliance certificate: ${links.path}: ${links.message}.`);
  return pass(credential);
}

/** zod's issues for a payload {@link isCredential} refused; should zod accept it after all, its copy passes on as before. */
async function zodRefusal(json: unknown): Promise<StepResult<Credential>> {
  const { CredentialSchema: schema } = await loadCredentialSchema();
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, MAX_DETAILED_ISSUES)
      .map((issue) => `/${issue.path.map(String).join('/')}: ${issue.message}`);
    const more = parsed.error.issues.length > MAX_DETAILED_ISSUES ? ` (and ${parsed.error.issues.length - MAX_DETAILED_ISSUES} more)` : '';
    return fail(`The payload is not a data compliance certificate: ${issues.join('; ')}${more}.`);
  }
  return checkVocabularyLinks(parsed.data);
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
 * 2. `header`: `alg` exactly ES256 or SM2; `typ` exactly `vc+jwt`; a `kid`; none of `jwk`, `jku`,
 *    `x5u`, `x5c`, `x5t`, `x5t#S256`, `crit`, `b64`; no other member than those three.
 * 3. `key`: the `kid` names one of `keys`, of the curve of `alg` (P-256 for ES256, SM2 for
 *    SM2), with its thumbprint as kid.
 * 4. `signature`: exactly 64 bytes (R||S), verified by `crypto.verify` (SHA-256, `ieee-p1363`) over
 *    the signing input with the key's KeyObject, made once per published key; OpenSSL refuses r
 *    or s of zero or ≥ n. (`signatureVerifier: 'jose'` runs jose `compactVerify` instead.) An
 *    SM2 signature is checked by `Sm2PublicKey.verify` (SM3 over Z_A with the default
 *    distinguishing ID, then the signing input; r and s in [1, n-1]), on either path.
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
  return verifyCertificateNow(token, keys, now, options);
}

/**
 * {@link verifyCertificate}, answered without a promise whenever nothing has to be waited for
 * (the key already proven, the payload accepted without zod, the node:crypto verifier): the
 * same verdict, without the promise per token a loop over many would pay. A promise only while
 * a key's first proof, jose or zod's issues are pending.
 *
 * @throws {TypeError} as {@link verifyCertificate} rejects, synchronously.
 */
export function verifyCertificateNow(
  token: string,
  keys: PublicVerificationJwk[],
  now: Date,
  options: VerifyCertificateOptions = {},
): CertificateVerification | Promise<CertificateVerification> {
  return verifyCertificatesNow([token], keys, now, options)[0] as CertificateVerification | Promise<CertificateVerification>;
}

/**
 * {@link verifyCertificateNow} for each of `tokens`, in their order: each verdict is the one
 * that token gets alone. The steps run across the tokens, though: `format` to `signature` for
 * every token, then `payload` and `validity` for every token, so that the signature checks run
 * back to back, with the curve arithmetic's tables still in the processor's caches instead of
 * the JSON of the token before (several per cent of a token's time). For a batch's chunks.
 *
 * @throws {TypeError} as {@link verifyCertificate} rejects, synchronously.
 */
export function verifyCertificatesNow(
  tokens: readonly string[],
  keys: PublicVerificationJwk[],
  now: Date,
  options: VerifyCertificateOptions = {},
): (CertificateVerification | Promise<CertificateVerification>)[] {
  const skew = options.clockSkewSeconds ?? 0;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
  if (!Number.isFinite(skew) || skew < 0) throw new TypeError('clockSkewSeconds must be a finite number ≥ 0');
  if (!Array.isArray(keys)) throw new TypeError('keys must be an array of public JWKs');
  const verifier = options.signatureVerifier ?? 'node';

  const checks: VerificationCheck[][] = [];
  // null: a step threw (a defect, not a bad token; see brokenVerdict).
  const signed: (SignatureSteps | Promise<SignatureSteps> | null)[] = [];
  for (const token of tokens) {
    const own: VerificationCheck[] = [];
    checks.push(own);
    try {
      signed.push(runSignatureSteps(token, keys, VC_JWT_TYPE, verifier, own));
    } catch {
      signed.push(null);
    }
  }
  const verdicts: (CertificateVerification | Promise<CertificateVerification>)[] = [];
  for (let i = 0; i < signed.length; i++) {
    const steps = signed[i] as SignatureSteps | Promise<SignatureSteps> | null;
    const own = checks[i] as VerificationCheck[];
    let verdict: CertificateVerification | Promise<CertificateVerification>;
    try {
      verdict =
        steps === null
          ? brokenVerdict(own)
          : steps instanceof Promise
            ? steps.then((settled) => runPayloadChecks(settled, now, skew, own))
            : runPayloadChecks(steps, now, skew, own);
    } catch {
      verdict = brokenVerdict(own);
    }
    verdicts.push(verdict instanceof Promise ? verdict.catch(() => brokenVerdict(own)) : verdict);
  }
  return verdicts;
}

/**
 * Every step reports bad data as a result; a step that threw is a defect, not a bad token. The
 * contract still holds: the token is reported invalid at the step that broke.
 */
function brokenVerdict(checks: VerificationCheck[]): CertificateVerification {
  checks.push({ name: STEPS[checks.length] ?? 'validity', ok: false, detail: 'The token could not be checked.' });
  return { verified: false, status: 'invalid', checks };
}

const STEPS: readonly VerificationCheckName[] = ['format', 'header', 'key', 'signature', 'payload', 'validity'];

/**
 * The record of each passed step: one frozen object per step, shared by every result, since a
 * check is only ever read (a batch of many tokens then holds no copies of it).
 */
const PASSED: Readonly<Record<VerificationCheckName, VerificationCheck>> = Object.freeze({
  format: Object.freeze({ name: 'format', ok: true }),
  header: Object.freeze({ name: 'header', ok: true }),
  key: Object.freeze({ name: 'key', ok: true }),
  signature: Object.freeze({ name: 'signature', ok: true }),
  payload: Object.freeze({ name: 'payload', ok: true }),
  validity: Object.freeze({ name: 'validity', ok: true }),
});

/** Steps 1 to 4 passed: the payload bytes are genuine under `kid`; or the step that failed was pushed. */
type SignatureSteps = { ok: true; kid: string; payload: Uint8Array } | { ok: false; kid?: string };

/** Pushes the failed step `name` to `checks` and says the signature steps failed. */
function failedStep(checks: VerificationCheck[], name: VerificationCheckName, detail: string, kid?: string): SignatureSteps {
  checks.push({ name, ok: false, detail });
  return kid === undefined ? { ok: false } : { ok: false, kid };
}

/**
 * The steps `format`, `header` (with `typ` exactly `expectedTyp`), `key` and `signature`, each
 * pushed to `checks`, stopping at the first failure: what a certificate and its selectively
 * disclosable form share, so both are judged by one implementation. Synchronous unless the key's
 * first proof is pending or the jose verifier runs: a batch's later tokens make no promise.
 */
function runSignatureSteps(
  token: unknown,
  keys: readonly PublicVerificationJwk[],
  expectedTyp: SignedJwtType,
  verifier: 'node' | 'jose',
  checks: VerificationCheck[],
): SignatureSteps | Promise<SignatureSteps> {
  const format = checkFormat(token);
  if (!format.ok) return failedStep(checks, 'format', format.detail);
  checks.push(PASSED.format);
  const parsed = format.value;

  const header = checkHeaderOnce(parsed.header, expectedTyp);
  if (!header.ok) return failedStep(checks, 'header', header.detail);
  checks.push(PASSED.header);

  const key = checkKey(header.value, parsed.header['alg'] as CertificateAlgorithm, keys);
  return key instanceof Promise
    ? key.then((proven) => runKeyAndSignatureSteps(token, parsed, proven, verifier, checks))
    : runKeyAndSignatureSteps(token, parsed, key, verifier, checks);
}

/** The `key` step's outcome recorded, then the `signature` step. */
function runKeyAndSignatureSteps(
  token: unknown,
  parsed: ParsedCompactJws,
  key: StepResult<ProvenKey>,
  verifier: 'node' | 'jose',
  checks: VerificationCheck[],
): SignatureSteps | Promise<SignatureSteps> {
  if (!key.ok) return failedStep(checks, 'key', key.detail);
  const kid = key.value.jwk.kid;
  // jose has no SM2: the reference path covers ES256 only, and judges the key by its own import too.
  if (verifier === 'jose' && key.value.keyObject) {
    return joseKeyOf(key.value.jwk).then(async (joseKey) => {
      if (joseKey === undefined) return failedStep(checks, 'key', `The published key ${quoteText(kid)} is malformed.`);
      checks.push(PASSED.key);
      return signatureSteps(await checkSignatureWithJose(token as string, parsed, joseKey, kid), parsed, kid, checks);
    });
  }
  checks.push(PASSED.key);
  return signatureSteps(checkSignature(parsed, key.value, kid), parsed, kid, checks);
}

/** The `signature` step's outcome recorded: the end of the signature steps. */
function signatureSteps(signature: StepResult<null>, parsed: ParsedCompactJws, kid: string, checks: VerificationCheck[]): SignatureSteps {
  if (!signature.ok) return failedStep(checks, 'signature', signature.detail, kid);
  checks.push(PASSED.signature);
  return { ok: true, kid, payload: parsed.payload };
}

/**
 * Checks a compact JWS of ours with `typ` `expectedTyp` by the same steps 1 to 4 as
 * {@link verifyCertificate} (format, header, key, signature), pushing each to `checks`; the
 * payload is left to the caller. Never throws for a bad token. Used for the issuer-signed JWT of
 * a selectively disclosable certificate.
 */
export async function verifySignedJwt(
  token: string,
  keys: readonly PublicVerificationJwk[],
  expectedTyp: SignedJwtType,
  checks: VerificationCheck[],
): Promise<SignatureSteps> {
  try {
    return await runSignatureSteps(token, keys, expectedTyp, 'node', checks);
  } catch {
    const stage = STEPS[checks.length] ?? 'signature';
    checks.push({ name: stage, ok: false, detail: 'The token could not be checked.' });
    return { ok: false };
  }
}

/** After the signature steps: `payload`, then `validity`. A promise only for a payload zod must explain. */
function runPayloadChecks(
  signed: SignatureSteps,
  now: Date,
  skew: number,
  checks: VerificationCheck[],
): CertificateVerification | Promise<CertificateVerification> {
  if (!signed.ok) return { verified: false, status: 'invalid', checks, ...(signed.kid === undefined ? {} : { kid: signed.kid }) };
  const { kid } = signed;
  const payload = checkPayload(signed.payload);
  return payload instanceof Promise
    ? payload.then((settled) => payloadAndValidity(settled, kid, now, skew, checks))
    : payloadAndValidity(payload, kid, now, skew, checks);
}

/** The `payload` step's outcome recorded, then the `validity` step: the verdict. */
function payloadAndValidity(payload: StepResult<Credential>, kid: string, now: Date, skew: number, checks: VerificationCheck[]): CertificateVerification {
  if (!payload.ok) {
    checks.push({ name: 'payload', ok: false, detail: payload.detail });
    return { verified: false, status: 'invalid', checks, kid };
  }
  checks.push(PASSED.payload);
  const certificate = payload.value;
  const validity = checkValidity(certificate, now, skew);
  if (!validity.ok) {
    checks.push({ name: 'validity', ok: false, detail: validity.detail });
    return { verified: false, status: validity.status, checks, certificate, kid };
  }
  checks.push(PASSED.validity);
  return { verified: true, status: 'active', checks, certificate, kid };
}
