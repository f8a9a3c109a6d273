import type * as z from 'zod/mini';
import { buildJwks } from '../../crypto/jwks.ts';
import type { VerificationJwksSchema } from '../../domain/schemas/api-responses.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** `GET /.well-known/jwks.json`: every public key whose certificates still verify. */
export function getJwksEndpoint(app: EndpointNeeds<'verificationKeys'>): ApiHandler {
  return httpRoute({ name: 'get-jwks' }, () => app, async () => ({
    status: 200,
    json: buildJwks(await app.verificationKeys()) satisfies z.output<typeof VerificationJwksSchema>,
    headers: { 'cache-control': 'public, max-age=300', 'content-type': 'application/jwk-set+json' },
  }));
}
