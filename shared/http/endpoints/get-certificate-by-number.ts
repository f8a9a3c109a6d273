import { CertificateNumberPathContract, CompactReferenceQueryContract } from '../../domain/schemas/api-check.ts';
import type { CompactReferenceResponse } from '../../domain/schemas/api-responses.ts';
import { certificateByReference } from '../../services/queries.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/**
 * `GET /v1/certificate-numbers/{certificateNo}?check=…`: the certificate a compact QR code names,
 * for anyone holding its number and check value (the verification page resolves the compact
 * form with it, then verifies the token as any other). A wrong check value is answered as an
 * unknown number: 404 either way.
 */
export function getCertificateByNumberEndpoint(app: EndpointNeeds<'stores'>): ApiHandler {
  return httpRoute(
    { name: 'get-certificate-by-number', path: CertificateNumberPathContract, query: CompactReferenceQueryContract },
    () => app,
    async ({ path, query }) => {
      const certificate = await certificateByReference(app.stores.certificates, { certificateNo: path.certificateNo, check: query.check });
      const json: CompactReferenceResponse = { id: certificate.id, certificateNo: certificate.certificateNo, token: certificate.token };
      // The token never changes; whether it is still valid is the status list's to say.
      return { status: 200, json, headers: { 'cache-control': 'public, max-age=3600' } };
    },
  );
}
