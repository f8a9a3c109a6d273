import { parseCompactJwsStrict } from '../crypto/compact-jws.ts';
import { parseJsonStrict } from '../crypto/strict-json.ts';
import { DomainError } from '../domain/errors.ts';
import { problemDetail } from '../i18n/messages/problems.ts';
import type { Exchange } from '../domain/records.ts';
import { loadCredentialSchema } from '../domain/certificate.ts';
import { isCredential } from '../domain/schemas/credential-check.ts';
import { issueCertificateSdJwt } from '../domain/sd-jwt/issue-sd-jwt.ts';
import { holderKeyThumbprint, holderPublicJwk } from '../domain/sd-jwt/sd-jwt.ts';
import type { CertificateSigner } from '../domain/signer.ts';
import { type CertificateStore, type SdJwtStore, UNBOUND_HOLDER } from '../ports/certificate-store.ts';

/** What {@link issueSdJwt} needs. */
export interface IssueSdJwtDeps {
  store: Pick<CertificateStore, 'get'>;
  sdJwts: SdJwtStore;
  /** The certificate signer, asked for only when a form is actually signed. */
  signer: () => Promise<CertificateSigner>;
}

/** The outcome: the form, and whether this call signed and stored it. */
export interface IssueSdJwtOutcome {
  created: boolean;
  sdJwt: string;
}

/**
 * The selectively disclosable form of one of `exchange`'s certificates, bound to `holderJwk`
 * when given (its `cnf`), issued on the first request and read back on every later one: the
 * same certificate and holder key always get the same bytes, and an exchange that never asks
 * costs neither a signature nor an item. One form per holder key: a second holder (the provider
 * and the consumer of one transaction) asks with its own key and gets its own form, each signed
 * once.
 *
 * A certificate another exchange issued is answered exactly as one that does not exist
 * (`certificate-not-found`), so ids cannot be probed. No new form is signed for a revoked
 * certificate (`already-revoked`); one issued before the revocation is still returned, and
 * verifies as revoked, since every form shares the certificate's status entry.
 *
 * Cost of a first request: two reads, one signature (KMS `Sign` in AWS; the public key is the
 * container's cached one), one conditional put. A later request: two reads.
 */
export async function issueSdJwt(
  deps: IssueSdJwtDeps,
  exchange: Exchange,
  certificateId: string,
  holderJwk: unknown,
  now: Date,
): Promise<IssueSdJwtOutcome> {
  const holder = holderJwk === undefined ? null : await holderPublicJwk(holderJwk);
  if (holderJwk !== undefined && holder === null) {
    throw new DomainError('validation-failed', problemDetail('detail.holder-key-invalid'), [
      { pointer: '/holderJwk', message: 'must be a public EC P-256 key (a point on the curve, no "d")' },
    ]);
  }
  const holderId = holder === null ? UNBOUND_HOLDER : await holderKeyThumbprint(holder);
  const [stored, existing] = await Promise.all([deps.store.get(certificateId), deps.sdJwts.getSdJwt(certificateId, holderId)]);
  if (stored === null || stored.exchangeId !== exchange.id) {
    throw new DomainError('certificate-not-found', problemDetail('detail.no-certificate', { id: certificateId }));
  }
  if (existing !== null) return { created: false, sdJwt: existing };
  if (stored.status === 'revoked') {
    throw new DomainError('already-revoked', problemDetail('detail.revoked-no-new-form', { certificateNo: stored.certificateNo }));
  }
  // The stored token is the certificate as signed: its payload is the credential, member for member.
  const payload = parseJsonStrict(parseCompactJwsStrict(stored.token).payload, 'the stored certificate');
  // The predicate accepts exactly what the schema does; zod, loaded only then, parses (and throws its error) only otherwise.
  const credential = isCredential(payload) ? payload : (await loadCredentialSchema()).CredentialSchema.parse(payload);
  const sdJwt = await issueCertificateSdJwt(credential, await deps.signer(), holder);
  return deps.sdJwts.putSdJwtOnce(certificateId, holderId, sdJwt, now.toISOString());
}
