import type { ApiHandler } from '../handler.ts';
import type { RouteHandlerName } from '../routes.ts';
import type { EndpointApp } from './endpoint-app.ts';
import { findCertificatesEndpoint } from './find-certificates.ts';
import { getCertificateEndpoint } from './get-certificate.ts';
import { getCertificateByNumberEndpoint } from './get-certificate-by-number.ts';
import { getCertificateProofEndpoint } from './get-certificate-proof.ts';
import { getExchangeEndpoint } from './get-exchange.ts';
import { getJwksEndpoint } from './get-jwks.ts';
import { getOpenApiEndpoint } from './get-openapi.ts';
import { getStatusListEndpoint } from './get-status-list.ts';
import { getVocabularyEndpoint } from './get-vocabulary.ts';
import { issueCertificateEndpoint } from './issue-certificate.ts';
import { issueSdJwtEndpoint } from './issue-sd-jwt.ts';
import { listCertificateEventsEndpoint } from './list-certificate-events.ts';
import { logCheckpointEndpoint } from './log-checkpoint.ts';
import { logKeyEndpoint } from './log-key.ts';
import { logTileEndpoint } from './log-tile.ts';
import { oauthJwksEndpoint } from './oauth-jwks.ts';
import { oauthTokenEndpoint } from './oauth-token.ts';
import { openidConfigurationEndpoint } from './openid-configuration.ts';
import { putClientEndpoint } from './put-client.ts';
import { putExchangeEndpoint } from './put-exchange.ts';
import { revokeCertificateEndpoint } from './revoke-certificate.ts';
import { verifyCertificateEndpoint } from './verify-certificate.ts';

/**
 * The routes served from the app. The verification page is the one route that is not: it is a
 * static document, served by `functions/verification-page.ts` alone.
 */
export type AppRouteName = Exclude<RouteHandlerName, 'verification-page'>;

/**
 * Every endpoint factory by route name, for whoever serves all routes in one process (local mode,
 * the benchmark, the tests). A Lambda entry point imports its one factory instead, so that its
 * bundle holds only its own route.
 */
export const endpoints: { readonly [H in AppRouteName]: (app: EndpointApp) => ApiHandler } = {
  'issue-certificate': issueCertificateEndpoint,
  'find-certificates': findCertificatesEndpoint,
  'get-certificate': getCertificateEndpoint,
  'list-certificate-events': listCertificateEventsEndpoint,
  'revoke-certificate': revokeCertificateEndpoint,
  'issue-sd-jwt': issueSdJwtEndpoint,
  'verify-certificate': verifyCertificateEndpoint,
  'get-status-list': getStatusListEndpoint,
  'get-jwks': getJwksEndpoint,
  'get-vocabulary': getVocabularyEndpoint,
  'get-openapi': getOpenApiEndpoint,
  'get-certificate-by-number': getCertificateByNumberEndpoint,
  'log-checkpoint': logCheckpointEndpoint,
  'log-key': logKeyEndpoint,
  'log-tile': logTileEndpoint,
  'get-certificate-proof': getCertificateProofEndpoint,
  'oauth-token': oauthTokenEndpoint,
  'openid-configuration': openidConfigurationEndpoint,
  'oauth-jwks': oauthJwksEndpoint,
  'put-exchange': putExchangeEndpoint,
  'get-exchange': getExchangeEndpoint,
  'put-client': putClientEndpoint,
};

/** Whether the route `handler` is served from the app (every route but the verification page). */
export function isAppRoute(handler: RouteHandlerName): handler is AppRouteName {
  return Object.hasOwn(endpoints, handler);
}
