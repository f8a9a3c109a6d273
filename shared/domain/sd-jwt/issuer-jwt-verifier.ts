import { type VerificationCheck as SignatureCheck, VC_SD_JWT_TYPE, verifySignedJwt } from '../certificate.ts';
import { CryptoError } from '../../crypto/errors.ts';
import { parseJsonStrict } from '../../crypto/strict-json.ts';
import type { PublicVerificationJwk } from '../signer.ts';
import type { IssuerJwtVerifier } from './certificate-sd-jwt.ts';

/**
 * The issuer-signed JWT of a selectively disclosable form checked by the certificate's own steps
 * (`verifySignedJwt`: format, header with `typ` `vc+sd-jwt`, key, signature), then its payload
 * parsed as strict JSON.
 */
export function issuerJwtVerifier(keys: readonly PublicVerificationJwk[]): IssuerJwtVerifier {
  return async (jwt, checks) => {
    const own: SignatureCheck[] = [];
    const signed = await verifySignedJwt(jwt, keys, VC_SD_JWT_TYPE, own);
    checks.push(...own);
    if (!signed.ok) return { ok: false };
    try {
      return { ok: true, kid: signed.kid, payload: parseJsonStrict(signed.payload, 'The payload') };
    } catch (error) {
      if (!(error instanceof CryptoError)) throw error;
      checks.push({ name: 'payload', ok: false, detail: `${error.message} (${error.code}).` });
      return { ok: false };
    }
  };
}

