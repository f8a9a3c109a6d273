import { OPENAPI_DOCUMENT } from '../generated/openapi-document.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/**
 * `GET /openapi.json`: the API description (OpenAPI 3.1), the same bytes as the repository's
 * `openapi.json` and the same for every deployment (its server and token URL are relative to
 * where it was fetched from). Any origin may read it, so that API tools in a browser can load it.
 * The text is generated with the file from the routes and schemas (`shared/http/openapi.ts`,
 * `scripts/build-openapi.ts`), so the function's cold start builds none of the schemas.
 */
export function getOpenApiEndpoint(app: EndpointNeeds<never>): ApiHandler {
  return httpRoute({ name: 'get-openapi' }, () => app, async () => ({
    status: 200,
    text: { body: OPENAPI_DOCUMENT, contentType: 'application/json' },
    headers: { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' },
  }));
}
