import { hash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { markBuilt } from './built-credentials.ts';
import { canonicalJson } from './canonical-json.ts';
import { fillRandom } from './random-pool.ts';
import { zodIssuesToProblems } from './problems.ts';
import { VC_V2_CONTEXT, VOCABULARY_SRI, type VocabularyUrls } from './credential-context.ts';
import { loadCredentialSchema } from './certificate.ts';
// Only the types: the schema is imported to explain a credential the predicate refuses, a defect.
import type { Credential, CredentialSchema } from './schemas/credential.ts';
import { isCredential } from './schemas/credential-check.ts';
import { CREDENTIAL_TYPES, credentialIdOf, vocabularyLinksProblem } from './schemas/credential-terms.ts';
import type { IssueRequest } from './schemas/issue-request.ts';

/** Everything a certificate needs that does not come from the request body. */
export interface IssuanceContext {
  /** The record id, from {@link newCertificateId}. */
  certificateId: string;
  /** From `newCertificateNumber`. */
  certificateNo: string;
  /** The VC `issuer`: the issuing authority's URL. */
  issuer: string;
  /** The exchange the token acts for, never one named in the body. */
  exchange: { id: string; name: string };
  /** The issue time. */
  now: Date;
  /** The certificate's reserved bit in a revocation status list. */
  status: { statusListCredential: string; statusListIndex: number };
  /** Where the service publishes the context and the schema (`vocabularyUrls(publicBaseUrl)`). */
  vocabulary: VocabularyUrls;
}

/**
 * A fresh certificate id: a lower-case UUIDv7 whose timestamp is `now`, so ids sort by issue
 * time. The remaining 74 bits are random.
 */
export function newCertificateId(now: Date): string {
  const msecs = now.getTime();
  if (Number.isNaN(msecs) || msecs < 0) throw new TypeError('newCertificateId: now must be a valid date after 1970');
  // uuid's own source makes one `getRandomValues` call per id; the pool makes one per 256 ids.
  return uuidv7({ msecs, random: fillRandom(idRandom) });
}

/** The 16 bytes uuid takes per id (it reads them at once and keeps none). */
const idRandom = new Uint8Array(16);

/**
 * The certificate for `request`, issued under `context`. The request must be a parsed
 * {@link IssueRequest} that passed the compliance rules. The result is checked against
 * {@link CredentialSchema} before it is returned, so a bad context (an issuer that is not a
 * URL, a number with a wrong check digit) fails here rather than in a signed certificate. Its
 * JSON text is taken at once: `signCertificate` signs that text, so a change made to the
 * object afterwards never reaches a signature.
 *
 * Asynchronous for the defect path alone: a credential the predicate refuses is explained by
 * zod, whose schema is imported then, so that issuing builds no schema at start-up.
 * @throws TypeError (a rejection) when the built credential does not satisfy the schema.
 */
export async function buildCredential(request: IssueRequest, context: IssuanceContext): Promise<Credential> {
  const { dataProduct, usage, compliance } = request;
  const statusListIndex = String(context.status.statusListIndex);
  // Members are written in a fixed, readable order: it is the byte layout of the signed payload.
  const credential = {
    '@context': [VC_V2_CONTEXT, context.vocabulary.context],
    id: credentialIdOf(context.certificateId),
    type: [...CREDENTIAL_TYPES],
    issuer: context.issuer,
    validFrom: usage.validFrom,
    validUntil: usage.validUntil,
    certificateNo: context.certificateNo,
    credentialSubject: {
      transaction: {
        exchange: { id: context.exchange.id, name: context.exchange.name },
        transactionRef: request.transactionRef,
        tradedAt: request.tradedAt,
        amount: { value: request.amount.value, currency: request.amount.currency },
      },
      provider: { name: request.provider.name, uscc: request.provider.uscc },
      consumer: { name: request.consumer.name, uscc: request.consumer.uscc },
      dataProduct: {
        id: dataProduct.id,
        name: dataProduct.name,
        version: dataProduct.version,
        classification: dataProduct.classification,
        personalInformation: dataProduct.personalInformation,
        deliveryMethod: dataProduct.deliveryMethod,
        digest: { alg: dataProduct.digest.alg, value: dataProduct.digest.value },
      },
      usage: {
        purpose: usage.purpose,
        rights: [...usage.rights],
        ...(usage.crossBorder
          ? { crossBorder: { destination: usage.crossBorder.destination, assessmentRef: usage.crossBorder.assessmentRef } }
          : {}),
      },
      compliance: {
        assessor: { name: compliance.assessor.name, uscc: compliance.assessor.uscc },
        reportRef: compliance.reportRef,
        reportDigest: { alg: compliance.reportDigest.alg, value: compliance.reportDigest.value },
        assessedAt: compliance.assessedAt,
        checks: compliance.checks.map((c) => ({ code: c.code, result: c.result })),
      },
      ...(request.supersedes ? { supersedes: credentialIdOf(request.supersedes) } : {}),
    },
    credentialStatus: {
      id: `${context.status.statusListCredential}#${statusListIndex}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex,
      statusListCredential: context.status.statusListCredential,
    },
    credentialSchema: { id: context.vocabulary.schema, type: 'JsonSchema' as const },
    relatedResource: [
      { id: context.vocabulary.context, digestSRI: VOCABULARY_SRI.context },
      { id: context.vocabulary.schema, digestSRI: VOCABULARY_SRI.schema },
    ],
    iat: Math.floor(context.now.getTime() / 1000),
  };
  // The predicate accepts exactly what the schema does, without a copy; zod runs only to say why not.
  let checked: Credential;
  if (isCredential(credential)) {
    checked = credential;
  } else {
    const { CredentialSchema: schema } = await loadCredentialSchema();
    const parsed = schema.safeParse(credential);
    if (!parsed.success) {
      const detail = zodIssuesToProblems(parsed.error)
        .map((p) => `${p.pointer || '/'} ${p.message}`)
        .join('; ');
      throw new TypeError(`buildCredential: the credential would be invalid: ${detail}`);
    }
    checked = parsed.data;
  }
  const links = vocabularyLinksProblem(checked);
  if (links) throw new TypeError(`buildCredential: the credential would be invalid: ${links.path} ${links.message}`);
  // Return the one we built (zod's copy would have the same members in the same order), with its
  // text of now remembered, so that signing signs what the schema passed and need not parse it again.
  return markBuilt(credential);
}

/**
 * SHA-256 (lower-case hex) of the request's canonical JSON (RFC 8785). Two requests have the
 * same hash exactly when they are the same request, whatever their member order or
 * whitespace, so a retry is told from a different request for the same transaction.
 */
export function canonicalRequestHash(request: IssueRequest): string {
  // The one-shot form: no Hash object per request.
  return hash('sha256', canonicalJson(request), 'hex');
}
