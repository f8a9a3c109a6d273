import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type * as z from 'zod/mini';
import { OAuthError, TOKEN_REQUEST_FIELDS } from '../../domain/oauth.ts';
import type { OAuthErrorResponseSchema, TokenResponseSchema } from '../../domain/schemas/oauth.ts';
import { type TokenRequest, issueAccessToken } from '../../services/oauth-token.ts';
import { type ApiEvent, type ApiHandler, type ApiResult, MAX_BODY_BYTES, errorToResponse, requestLocale, requestTelemetry } from '../handler.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** Headers of every token endpoint answer (RFC 6749 section 5.1): never cached anywhere. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/**
 * `POST /oauth2/token`: the client credentials grant with `private_key_jwt`. Public at the
 * gateway (the client authenticates with its assertion), so this chain is not the routes'
 * `httpRoute`: its body is a form, not JSON, and its refusals are RFC 6749 error objects, not
 * problem documents. A failure of the service itself is still the usual 5xx problem document,
 * which says nothing about what failed.
 */
export function oauthTokenEndpoint(app: EndpointNeeds<'authorizationServer'>): ApiHandler {
  const { logger, metrics } = app;
  const core = async (event: ApiEvent): Promise<ApiResult> => {
    try {
      const request = readTokenRequest(event);
      const response = await issueAccessToken(app.authorizationServer, request, app.clock());
      metrics.addMetric('AccessTokensIssued', MetricUnit.Count, 1);
      logger.info('access token issued', { scope: response.scope });
      return { statusCode: 200, headers: { 'content-type': 'application/json', ...NO_STORE }, body: JSON.stringify(response satisfies z.output<typeof TokenResponseSchema>) };
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      metrics.addMetric('TokenRequestsRefused', MetricUnit.Count, 1);
      logger.info('token request refused', { error: error.code, reason: error.message });
      return oauthErrorResponse(error);
    }
  };
  const telemetry = requestTelemetry(logger, metrics);
  const chain = middy<ApiEvent, ApiResult>(core)
    // As in `httpRoute`: the telemetry ends last, after the error's log line.
    .use({
      after: telemetry.end,
      onError: async (request) => {
        try {
          request.response = errorToResponse(request.error, logger, requestLocale(request.event));
        } finally {
          telemetry.end();
        }
      },
    })
    .use({ before: async (request) => telemetry.start(request.event, request.context) });
  return chain as unknown as ApiHandler;
}

/** The RFC 6749 section 5.2 answer of `error`; `invalid_client` is a 401 with a challenge. */
export function oauthErrorResponse(error: OAuthError): ApiResult {
  return {
    statusCode: error.status,
    headers: {
      'content-type': 'application/json',
      ...NO_STORE,
      ...(error.status === 401 ? { 'www-authenticate': 'Bearer error="invalid_client"' } : {}),
    },
    body: JSON.stringify(error.toResponse() satisfies z.output<typeof OAuthErrorResponseSchema>),
  };
}

const FIELDS = Object.values(TOKEN_REQUEST_FIELDS);

/**
 * The token request's fields from an `application/x-www-form-urlencoded` body (API Gateway hands
 * a form over base64-encoded). A field sent twice is `invalid_request` (RFC 6749 section 3.2);
 * fields this server does not know are ignored, as that section asks.
 */
function readTokenRequest(event: ApiEvent): TokenRequest {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.length > MAX_BODY_BYTES) throw new OAuthError('invalid_request', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  const contentType = event.headers?.['content-type'] ?? event.headers?.['Content-Type'] ?? '';
  const [type, ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/x-www-form-urlencoded' || !params.every((p) => p === '' || p === 'charset=utf-8')) {
    throw new OAuthError('invalid_request', 'The token request must be application/x-www-form-urlencoded.');
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const request: Record<string, string> = {};
  for (const field of FIELDS) {
    const values = form.getAll(field);
    if (values.length > 1) throw new OAuthError('invalid_request', `The parameter ${field} is sent more than once.`);
    if (values.length === 1) request[field] = values[0] as string;
  }
  return request as TokenRequest;
}
