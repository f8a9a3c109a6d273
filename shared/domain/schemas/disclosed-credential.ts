import * as z from 'zod/mini';
import './zod-locale.ts';
import { CredentialSchema, CredentialSubjectSchema } from './credential.ts';

/**
 * The shapes of a selectively disclosable certificate (`vc+sd-jwt`): what the issuer signs, with
 * the disclosable claims replaced by digests, and what a verifier sees once a presentation's
 * disclosures are in place. Both are derived from {@link CredentialSchema}, so they cannot drift
 * from the certificate itself: every always-visible claim keeps its exact rule.
 */

const subject = CredentialSubjectSchema.shape;

/** A SHA-256 digest, base64url without padding. */
const DigestSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, { message: 'must be a base64url SHA-256 digest' }));

/**
 * An `_sd` array as we issue it: exactly one digest per disclosable claim of that object, no
 * decoys (every certificate has the same disclosable claims, so their number tells nothing), in
 * ascending order (so the order tells nothing of which claim is which).
 */
function sdArray(count: number) {
  return z.array(DigestSchema).check(
    z.length(count, { message: `must hold exactly ${count} digest${count === 1 ? '' : 's'}, as issued` }),
    z.refine((digests) => digests.every((d, i) => i === 0 || digests[i - 1]! < d), { message: 'must be in ascending order, as issued' }),
  );
}

/** `cnf` of a holder-bound form: the holder's public P-256 key (RFC 7800). */
const HolderJwkSchema = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
  y: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
});

/**
 * The payload of the issuer-signed JWT: the certificate with `amount`, `provider`, `consumer`,
 * `dataProduct` and `purpose` replaced by digests in `_sd`, plus `_sd_alg` and, when bound to a
 * holder, `cnf`. No `_sd` at the top level: number, validity, exchange, compliance result, status
 * entry and everything else stays in plain sight.
 */
export const SdJwtPayloadSchema = z.extend(CredentialSchema, {
  credentialSubject: z.extend(z.omit(CredentialSubjectSchema, { provider: true, consumer: true, dataProduct: true }), {
    transaction: z.extend(z.omit(subject.transaction, { amount: true }), { _sd: sdArray(1) }),
    usage: z.extend(z.omit(subject.usage, { purpose: true }), { _sd: sdArray(1) }),
    _sd: sdArray(3),
  }),
  _sd_alg: z.literal('sha-256'),
  cnf: z.optional(z.strictObject({ jwk: HolderJwkSchema })),
});

/** The certificate as a presentation shows it: each disclosable claim present only when disclosed. */
export const DisclosedCredentialSchema = z.extend(CredentialSchema, {
  credentialSubject: z.extend(z.partial(CredentialSubjectSchema, { provider: true, consumer: true, dataProduct: true }), {
    transaction: z.partial(subject.transaction, { amount: true }),
    usage: z.partial(subject.usage, { purpose: true }),
  }),
  cnf: z.optional(z.strictObject({ jwk: HolderJwkSchema })),
});
/** A certificate with some claims possibly hidden; a full {@link Credential} is one too. */
export type DisclosedCredential = z.infer<typeof DisclosedCredentialSchema>;
