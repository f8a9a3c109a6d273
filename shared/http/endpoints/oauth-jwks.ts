import type * as z from 'zod/mini';
import type { AccessTokenJwksSchema } from '../../domain/schemas/oauth.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import type { AuthorizationServerMetadataNeeds } from './endpoint-app.ts';

/**
 * `GET /oauth2/jwks.json`: the key that verifies access tokens (RSA, RS256). Distinct from
 * `/.well-known/jwks.json`, which publishes the certificate keys.
 */
export function oauthJwksEndpoint(app: AuthorizationServerMetadataNeeds): ApiHandler {
  return httpRoute({ name: 'oauth-jwks' }, () => app, async () => ({
    status: 200,
    json: { keys: [await (await app.authorizationServer.signer()).publicJwk()] } satisfies z.output<typeof AccessTokenJwksSchema>,
    headers: { 'cache-control': 'public, max-age=300', 'content-type': 'application/jwk-set+json' },
  }));
}
