import type * as z from 'zod/mini';
import { discoveryDocument } from '../../domain/oauth.ts';
import type { DiscoveryDocumentSchema } from '../../domain/schemas/oauth.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import type { AuthorizationServerMetadataNeeds } from './endpoint-app.ts';

/**
 * `GET /.well-known/openid-configuration`: the authorization server's discovery document. API
 * Gateway's JWT authorizer reads `jwks_uri` from it under the issuer it trusts.
 */
export function openidConfigurationEndpoint(app: AuthorizationServerMetadataNeeds): ApiHandler {
  const { issuer, knownScopes } = app.authorizationServer;
  return httpRoute({ name: 'openid-configuration' }, () => app, async () => ({
    status: 200,
    json: discoveryDocument(issuer, knownScopes) satisfies z.output<typeof DiscoveryDocumentSchema>,
    headers: { 'cache-control': 'public, max-age=3600' },
  }));
}
