import * as z from 'zod/mini';
import '../../domain/schemas/zod-locale.ts';
import { DCC_CONTEXT_V1_BYTES, VOCABULARY_PATHS } from '../../domain/credential-context.ts';
import { credentialJsonSchemaText } from '../../domain/credential-json-schema.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { HttpProblem } from '../problems.ts';
import { problemDetail } from '../../i18n/messages/problems.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

export const VocabularyPathSchema = z.strictObject({ proxy: z.string().check(z.minLength(1), z.maxLength(200)) });

/** Each published document by its path under `/ns/`, with its media type. */
const DOCUMENTS: ReadonlyMap<string, { contentType: string; text: () => string }> = new Map([
  [VOCABULARY_PATHS.context.slice('/ns/'.length), { contentType: 'application/ld+json', text: () => DCC_CONTEXT_V1_BYTES }],
  [VOCABULARY_PATHS.schema.slice('/ns/'.length), { contentType: 'application/schema+json', text: credentialJsonSchemaText }],
]);

/**
 * `GET /ns/{proxy+}`: the certificate's vocabulary, the JSON-LD context and the JSON Schema that
 * new certificates name and pin by digest. A version never changes, so both are cached for a
 * year; any origin may read them (JSON-LD processors in browsers fetch contexts).
 */
export function getVocabularyEndpoint(app: EndpointNeeds<never>): ApiHandler {
  return httpRoute({ name: 'get-vocabulary', path: VocabularyPathSchema }, () => app, async ({ path }) => {
    const document = DOCUMENTS.get(path.proxy);
    if (!document) throw new HttpProblem('not-found', problemDetail('detail.no-vocabulary', { path: path.proxy }));
    return {
      status: 200,
      text: { body: document.text(), contentType: document.contentType },
      headers: { 'cache-control': 'public, max-age=31536000, immutable', 'access-control-allow-origin': '*' },
    };
  });
}
