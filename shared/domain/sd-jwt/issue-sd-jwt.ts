import { signJwt, VC_SD_JWT_TYPE } from '../certificate.ts';
import type { Credential } from '../schemas/credential.ts';
import { DISCLOSABLE_CLAIMS, DISCLOSABLE_PLACES } from '../schemas/credential-terms.ts';
// Only the type: the schema is imported with the first form issued, so the function's start-up builds no schema.
import type { SdJwtPayloadSchema } from '../schemas/disclosed-credential.ts';
import type { CertificateSigner } from '../signer.ts';
import { type Disclosure, type HolderPublicJwk, SD_ALG, joinSdJwt, objectDisclosure } from './sd-jwt.ts';

/**
 * Issuing the selectively disclosable form of a certificate. A module of its own because it
 * signs (through `certificate.ts` and the signer port), which the verifiers (`dcc`, the page)
 * never bundle.
 */

type JsonObject = Record<string, unknown>;

/**
 * The SD-JWT of `credential`: the same claims signed by the same signer with the same `kid`
 * (same id, number, validity, status entry), with `amount`, `provider`, `consumer`,
 * `dataProduct` and `purpose` each behind a disclosure with a fresh 128-bit salt, and `cnf` naming
 * `holder` when given. Returns `<issuer-signed JWT>~<5 disclosures>~`. One signature: the only
 * call to the signer's backend (KMS `Sign` in AWS); the public key is the signer's cached one.
 *
 * The payload is checked against the verifiers' own {@link SdJwtPayloadSchema} before it is
 * signed, so the service never signs a form its verifiers would refuse.
 * @throws {TypeError} when the payload would not satisfy the schema (a defect).
 */
export async function issueCertificateSdJwt(credential: Credential, signer: CertificateSigner, holder: HolderPublicJwk | null): Promise<string> {
  // A deep copy in the certificate's own member order; the disclosable members are taken out below.
  const payload = JSON.parse(JSON.stringify(credential)) as JsonObject;
  const disclosures: Disclosure[] = [];
  const digestsByParent = new Map<JsonObject, string[]>();
  for (const claim of DISCLOSABLE_CLAIMS) {
    const { parent, name } = DISCLOSABLE_PLACES[claim];
    const target = parent.reduce<JsonObject>((object, member) => object[member] as JsonObject, payload);
    const disclosure = await objectDisclosure(name, target[name]);
    delete target[name];
    disclosures.push(disclosure);
    digestsByParent.set(target, [...(digestsByParent.get(target) ?? []), disclosure.digest]);
  }
  // Sorted digests: their order says nothing about which claim is which.
  for (const [target, digests] of digestsByParent) target['_sd'] = [...digests].sort();
  payload['_sd_alg'] = SD_ALG;
  if (holder) payload['cnf'] = { jwk: { kty: holder.kty, crv: holder.crv, x: holder.x, y: holder.y } };

  const { SdJwtPayloadSchema: schema } = await import('../schemas/disclosed-credential.ts');
  const checked = schema.safeParse(payload);
  if (!checked.success) throw new TypeError(`refusing to sign an invalid SD-JWT payload: ${checked.error.issues[0]?.message ?? 'schema violation'}`);
  const issuerJwt = await signJwt(payload, signer, VC_SD_JWT_TYPE);
  return joinSdJwt(issuerJwt, disclosures.map((d) => d.encoded));
}
