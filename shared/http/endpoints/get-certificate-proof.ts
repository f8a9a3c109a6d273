import { CertificatePathContract, ProofQueryContract } from '../../domain/schemas/api-check.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { HttpProblem } from '../problems.ts';
import { problemDetail } from '../../i18n/messages/problems.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/**
 * `GET /v1/certificates/{id}/proof[?event=issued|revoked]`: a `c2sp.org/tlog-proof@v1` document
 * proving the change is in the log, against the current checkpoint; 404 until it is integrated.
 * Public: the entry holds only hashes and identifiers.
 */
export function getCertificateProofEndpoint(app: EndpointNeeds<'log'>): ApiHandler {
  return httpRoute(
    { name: 'get-certificate-proof', path: CertificatePathContract, query: ProofQueryContract },
    () => app,
    async ({ path, query }) => {
      const proof = await app.log.reader.proof(path.id, query.event);
      if (proof === null) throw new HttpProblem('not-found', problemDetail('detail.not-in-log', { event: query.event, id: path.id }));
      return {
        status: 200,
        text: { body: proof, contentType: 'text/plain; charset=utf-8' },
        headers: { 'cache-control': 'no-store' },
      };
    },
  );
}
