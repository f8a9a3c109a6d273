import { type ApiHandler, httpRoute } from '../handler.ts';
import { openApiDocumentText } from '../openapi.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/**
 * `GET /openapi.json`: the API description (OpenAPI 3.1), the same bytes as the repository's
 * `openapi.json` and the same for every deployment (its server and token URL are relative to
 * where it was fetched from). Any origin may read it, so that API tools in a browser can load it.
 */
export function getOpenApiEndpoint(app: EndpointNeeds<never>): ApiHandler {
  return httpRoute({ name: 'get-openapi' }, () => app, async () => ({
    status: 200,
    text: { body: openApiDocumentText(), contentType: 'application/json' },
    headers: { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' },
  }));
}
