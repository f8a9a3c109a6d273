import { Base64urlError, decodeBase64urlStrict } from '../../crypto/portable-bytes.ts';
import { CodedError } from '../coded-error.ts';
import { parseJsonStrict } from '../../crypto/strict-json.ts';
import { DISCLOSABLE_CLAIMS, DISCLOSABLE_PLACES, type DisclosableClaim } from '../schemas/credential-terms.ts';
import type { DisclosedCredential } from '../schemas/disclosed-credential.ts';
import { quoteText } from '../text.ts';
import {
  type Disclosure,
  type HolderPublicJwk,
  KB_JWT_MAX_AGE_SECONDS,
  type KeyBindingInput,
  SD_ALG,
  SdJwtError,
  createKbJwt,
  decodeDisclosure,
  holderKeyThumbprint,
  joinSdJwt,
  processDisclosures,
  splitSdJwt,
  verifyKbJwt,
} from './sd-jwt.ts';

/**
 * The shapes of the selectively disclosable form (zod schemas), loaded with the first form looked
 * at: a verifier that only ever sees plain certificates never builds them.
 */
const formSchemas = () => import('../schemas/disclosed-credential.ts');

/**
 * The selectively disclosable form of a certificate (`vc+sd-jwt`, W3C VC-JOSE-COSE over RFC
 * 9901): how a holder derives a presentation from it, and how any verifier (the service, `dcc`,
 * the page) checks a presentation. No signing key and no platform code here: the issuer-signed
 * JWT is checked by a function the caller passes in, the very steps that check a full
 * certificate (`verifySignedJwt` in `certificate.ts` for Node, `verifyCompactJws` on WebCrypto
 * for the page), so a presentation is judged by the same signature rules as the certificate.
 */

/** One verification step and its outcome, as every verifier reports it. */
export interface PresentationCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/**
 * Checks the issuer-signed JWT (`typ` `vc+sd-jwt`) against the published keys: pushes the
 * `format`, `header`, `key` and `signature` steps to `checks` and returns the parsed payload once
 * they pass.
 */
export type IssuerJwtVerifier = (jwt: string, checks: PresentationCheck[]) => Promise<{ ok: true; kid: string; payload: unknown } | { ok: false }>;

/** What a verifier expects of a holder-bound presentation. */
export interface ExpectedKeyBinding {
  aud: string;
  nonce: string;
  /** @default 300 */
  maxAgeSeconds?: number;
}

/** Options of {@link verifyCertificatePresentation}. */
export interface PresentationOptions {
  clockSkewSeconds: number;
  /** Required to accept a holder-bound presentation; a bound one without it is refused. */
  keyBinding?: ExpectedKeyBinding;
}

/** What a proven presentation shows. */
export interface PresentedCertificate {
  /** The certificate with the disclosed claims in place and the hidden ones absent. */
  claims: DisclosedCredential;
  disclosed: DisclosableClaim[];
  hidden: DisclosableClaim[];
  /** RFC 7638 thumbprint of the holder key in `cnf`, or null for a form bound to no holder. */
  holderKey: string | null;
  /** The issuer-signed JWT: how the service finds the form it issued. */
  issuerJwt: string;
}

/** Outcome of {@link verifyCertificatePresentation}; like a certificate's, revocation is the caller's. */
export interface PresentationVerification {
  verified: boolean;
  status: 'active' | 'expired' | 'not-yet-valid' | 'invalid';
  /** The steps that ran, in order, ending at the first failure. */
  checks: PresentationCheck[];
  /** Present once signature, payload, disclosures and key binding are proven (also when expired). */
  presentation?: PresentedCertificate;
  kid?: string;
}

const MAX_DETAILED_ISSUES = 5;

function schemaIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const shown = issues.slice(0, MAX_DETAILED_ISSUES).map((i) => `/${i.path.map(String).join('/')}: ${i.message}`);
  const more = issues.length > MAX_DETAILED_ISSUES ? ` (and ${issues.length - MAX_DETAILED_ISSUES} more)` : '';
  return `${shown.join('; ')}${more}`;
}

/** The disclosable claim a processed disclosure is, or null when it sits anywhere else. */
function claimAt(path: readonly string[]): DisclosableClaim | null {
  for (const claim of DISCLOSABLE_CLAIMS) {
    const place = DISCLOSABLE_PLACES[claim];
    if (path.length === place.parent.length + 1 && path.at(-1) === place.name && place.parent.every((p, i) => path[i] === p)) return claim;
  }
  return null;
}

/**
 * Verifies a presentation (or a whole SD-JWT as issued) offline; never throws for bad input. The
 * steps, each a named check, stopping at the first failure:
 *
 * 1–4. `format`, `header`, `key`, `signature`: the `~`-separated form, then the issuer-signed JWT
 *    by `verifyIssuerJwt` (typ `vc+sd-jwt`, ES256, a published key).
 * 5. `payload`: the signed payload is a certificate in our selectively disclosable shape
 *    (`SdJwtPayloadSchema`): `_sd_alg` exactly `sha-256`, exactly one digest per disclosable
 *    claim in ascending order, every other claim in plain sight.
 * 6. `disclosures`: each disclosure strictly decoded and processed (`processDisclosures`:
 *    duplicates, unreferenced disclosures, wrong positions refused), each one a disclosable claim
 *    in its own place, and the result a certificate with only those claims missing.
 * 7. `key-binding` (only for a form bound to a holder key, or one that carries a KB-JWT): a
 *    KB-JWT signed by the `cnf` key over exactly this presentation, for the expected `aud` and
 *    `nonce`, fresh.
 * 8. `validity`: the certificate's window, each end widened by the skew.
 */
export async function verifyCertificatePresentation(
  text: string,
  verifyIssuerJwt: IssuerJwtVerifier,
  now: Date,
  options: PresentationOptions,
): Promise<PresentationVerification> {
  const checks: PresentationCheck[] = [];
  const invalid = (name: string, detail: string, kid?: string): PresentationVerification => {
    checks.push({ name, ok: false, detail });
    return { verified: false, status: 'invalid', checks, ...(kid === undefined ? {} : { kid }) };
  };
  try {
    let parts;
    try {
      parts = splitSdJwt(text);
    } catch (error) {
      if (error instanceof SdJwtError) return invalid('format', error.message);
      throw error;
    }
    const signed = await verifyIssuerJwt(parts.issuerJwt, checks);
    if (!signed.ok) return { verified: false, status: 'invalid', checks };
    const { kid } = signed;

    const sdAlg = (signed.payload as { _sd_alg?: unknown } | null)?._sd_alg;
    if (sdAlg !== SD_ALG) {
      return invalid('payload', `The hash algorithm ${typeof sdAlg === 'string' ? quoteText(sdAlg) : '(none)'} is not allowed; "_sd_alg" must be "sha-256".`, kid);
    }
    const { SdJwtPayloadSchema, DisclosedCredentialSchema } = await formSchemas();
    const payload = SdJwtPayloadSchema.safeParse(signed.payload);
    if (!payload.success) return invalid('payload', `The payload is not a selectively disclosable certificate: ${schemaIssues(payload.error.issues)}.`, kid);
    checks.push({ name: 'payload', ok: true });

    let disclosed: DisclosableClaim[];
    let claims: DisclosedCredential;
    try {
      const decoded: Disclosure[] = [];
      for (const encoded of parts.disclosures) decoded.push(await decodeDisclosure(encoded));
      const processed = processDisclosures(signed.payload as Record<string, unknown>, decoded);
      disclosed = [];
      for (const { path } of processed.disclosed) {
        const claim = claimAt(path);
        if (claim === null) {
          throw new SdJwtError('disclosures', `The disclosure of ${quoteText(path.join('.'))} is not one of the claims a certificate discloses selectively.`);
        }
        disclosed.push(claim);
      }
      const parsed = DisclosedCredentialSchema.safeParse(processed.claims);
      if (!parsed.success) throw new SdJwtError('disclosures', `The disclosed claims are not those of a certificate: ${schemaIssues(parsed.error.issues)}.`);
      claims = parsed.data;
    } catch (error) {
      if (error instanceof SdJwtError) return invalid('disclosures', error.message, kid);
      throw error;
    }
    checks.push({ name: 'disclosures', ok: true });

    const holder = payload.data.cnf?.jwk ?? null;
    if (holder === null && parts.kbJwt !== null) {
      return invalid('key-binding', 'The presentation carries a Key Binding JWT, but the certificate names no holder key (cnf).', kid);
    }
    if (holder !== null) {
      if (parts.kbJwt === null) return invalid('key-binding', 'The certificate is bound to a holder key, and the presentation has no Key Binding JWT.', kid);
      if (!options.keyBinding) {
        return invalid('key-binding', 'The certificate is bound to a holder key: say which audience and nonce this presentation must be for.', kid);
      }
      try {
        await verifyKbJwt(parts.kbJwt, parts.hashedPart, holder, {
          aud: options.keyBinding.aud,
          nonce: options.keyBinding.nonce,
          now,
          maxAgeSeconds: options.keyBinding.maxAgeSeconds ?? KB_JWT_MAX_AGE_SECONDS,
          clockSkewSeconds: options.clockSkewSeconds,
        });
      } catch (error) {
        if (error instanceof SdJwtError) return invalid('key-binding', error.message, kid);
        throw error;
      }
      checks.push({ name: 'key-binding', ok: true });
    }

    const order = (a: DisclosableClaim, b: DisclosableClaim) => DISCLOSABLE_CLAIMS.indexOf(a) - DISCLOSABLE_CLAIMS.indexOf(b);
    const presentation: PresentedCertificate = {
      claims,
      disclosed: [...disclosed].sort(order),
      hidden: DISCLOSABLE_CLAIMS.filter((c) => !disclosed.includes(c)),
      holderKey: holder === null ? null : await holderKeyThumbprint(holder),
      issuerJwt: parts.issuerJwt,
    };
    const skew = options.clockSkewSeconds * 1000;
    const at = now.getTime();
    if (at < Date.parse(claims.validFrom) - skew) {
      checks.push({ name: 'validity', ok: false, detail: `Not valid before ${claims.validFrom}.` });
      return { verified: false, status: 'not-yet-valid', checks, presentation, kid };
    }
    if (at > Date.parse(claims.validUntil) + skew) {
      checks.push({ name: 'validity', ok: false, detail: `Expired at ${claims.validUntil}.` });
      return { verified: false, status: 'expired', checks, presentation, kid };
    }
    checks.push({ name: 'validity', ok: true });
    return { verified: true, status: 'active', checks, presentation, kid };
  } catch {
    // Every step reports bad input as a result; reaching here is a defect, still reported as invalid.
    return invalid(checks.length === 0 ? 'format' : 'disclosures', 'The presentation could not be checked.');
  }
}

/** What {@link presentCertificate} is asked for. */
export interface PresentationRequest {
  /** The claims to disclose; every other disclosable claim stays hidden. */
  disclose: readonly DisclosableClaim[];
  /** The holder's key and the verifier's audience and nonce; required exactly when the form is bound (cnf). */
  keyBinding?: KeyBindingInput;
}

/** A presentation that cannot be made from this input (the holder's mistake, said plainly). */
export class PresentationError extends CodedError<'presentation-not-derivable'> {
  override readonly name = 'PresentationError';
  constructor(message: string) {
    super('presentation-not-derivable', message);
  }
}

/**
 * Derives a presentation from the SD-JWT the service issued (`{"sdJwt": …}`'s value): the
 * issuer-signed JWT unchanged, the disclosures of the claims in `disclose` exactly as issued, and,
 * for a holder-bound form, a Key Binding JWT over the result. Nothing is re-signed by the issuer;
 * a hidden claim leaves only its digest behind.
 * @throws {PresentationError} when the input is not an issued form, a requested claim has no
 *   disclosure, or the key binding is missing, unwanted or made with another key than `cnf`.
 */
export async function presentCertificate(sdJwt: string, request: PresentationRequest): Promise<string> {
  let parts;
  try {
    parts = splitSdJwt(sdJwt.trim());
  } catch (error) {
    throw new PresentationError(`not an SD-JWT: ${(error as Error).message}`);
  }
  if (parts.kbJwt !== null) throw new PresentationError('this is already a presentation (it ends with a Key Binding JWT); start from the SD-JWT as issued');
  let payload: unknown;
  try {
    payload = parseJsonStrict(decodeBase64urlStrict(parts.issuerJwt.split('.')[1] ?? '', 'the payload'), 'The payload');
  } catch (error) {
    throw new PresentationError(`the issuer-signed JWT is malformed: ${error instanceof Base64urlError ? error.message : (error as Error).message}`);
  }
  const { SdJwtPayloadSchema } = await formSchemas();
  const shape = SdJwtPayloadSchema.safeParse(payload);
  if (!shape.success) throw new PresentationError(`not a selectively disclosable certificate: ${schemaIssues(shape.error.issues)}`);
  const byClaim = new Map<DisclosableClaim, string>();
  try {
    const decoded: Disclosure[] = [];
    for (const encoded of parts.disclosures) decoded.push(await decodeDisclosure(encoded));
    for (const { path, disclosure } of processDisclosures(payload as Record<string, unknown>, decoded).disclosed) {
      const claim = claimAt(path);
      if (claim !== null) byClaim.set(claim, disclosure.encoded);
    }
  } catch (error) {
    throw new PresentationError(`the SD-JWT's disclosures are not usable: ${(error as Error).message}`);
  }
  const selected: string[] = [];
  for (const claim of DISCLOSABLE_CLAIMS.filter((c) => request.disclose.includes(c))) {
    const encoded = byClaim.get(claim);
    if (encoded === undefined) throw new PresentationError(`the SD-JWT holds no disclosure of ${claim}`);
    selected.push(encoded);
  }
  const presentation = joinSdJwt(parts.issuerJwt, selected);
  const holder: HolderPublicJwk | undefined = shape.data.cnf?.jwk;
  if (!holder) {
    if (request.keyBinding) throw new PresentationError('this certificate is bound to no holder key, so a holder key cannot sign for it');
    return presentation;
  }
  if (!request.keyBinding) throw new PresentationError('this certificate is bound to a holder key: give the key, the audience and the nonce');
  if (request.keyBinding.privateJwk.x !== holder.x || request.keyBinding.privateJwk.y !== holder.y) {
    throw new PresentationError('the holder key given is not the one this certificate is bound to (cnf)');
  }
  return `${presentation}${await createKbJwt(presentation, request.keyBinding)}`;
}
