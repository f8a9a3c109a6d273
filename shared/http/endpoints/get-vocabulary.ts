import { DCC_CONTEXT_V1_BYTES, VOCABULARY_PATHS } from '../../domain/credential-context.ts';
import { VocabularyPathContract } from '../../domain/schemas/api-check.ts';
import { CREDENTIAL_JSON_SCHEMA_TEXT } from '../generated/vocabulary-documents.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { HttpProblem } from '../problems.ts';
import { problemDetail } from '../../i18n/messages/problems.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/**
 * Each published document by its path under `/ns/`, with its media type. The JSON Schema is
 * generated with `openapi.json` (`scripts/build-openapi.ts`), rendered from the credential's zod
 * schema, which the function's cold start then does not build.
 */
const DOCUMENTS: ReadonlyMap<string, { contentType: string; text: string }> = new Map([
  [VOCABULARY_PATHS.context.slice('/ns/'.length), { contentType: 'application/ld+json', text: DCC_CONTEXT_V1_BYTES }],
  [VOCABULARY_PATHS.schema.slice('/ns/'.length), { contentType: 'application/schema+json', text: CREDENTIAL_JSON_SCHEMA_TEXT }],
]);

/**
 * `GET /ns/{proxy+}`: the certificate's vocabulary, the JSON-LD context and the JSON Schema that
 * new certificates name and pin by digest. A version never changes, so both are cached for a
 * year; any origin may read them (JSON-LD processors in browsers fetch contexts).
 */
export function getVocabularyEndpoint(app: EndpointNeeds<never>): ApiHandler {
  return httpRoute({ name: 'get-vocabulary', path: VocabularyPathContract }, () => app, async ({ path }) => {
    const document = DOCUMENTS.get(path.proxy);
    if (!document) throw new HttpProblem('not-found', problemDetail('detail.no-vocabulary', { path: path.proxy }));
    return {
      status: 200,
      text: { body: document.text, contentType: document.contentType },
      headers: { 'cache-control': 'public, max-age=31536000, immutable', 'access-control-allow-origin': '*' },
    };
  });
}
