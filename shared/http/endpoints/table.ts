import type { ApiHandler } from '../handler.ts';
import type { RouteHandlerName } from '../routes.ts';
import type { EndpointApp } from './endpoint-app.ts';
import { findCertificatesEndpoint } from './find-certificates.ts';
import { getCertificateEndpoint } from './get-certificate.ts';
import { getCertificateProofEndpoint } from './get-certificate-proof.ts';
import { getJwksEndpoint } from './get-jwks.ts';
import { getStatusListEndpoint } from './get-status-list.ts';
import { issueCertificateEndpoint } from './issue-certificate.ts';
import { listCertificateEventsEndpoint } from './list-certificate-events.ts';
import { logCheckpointEndpoint } from './log-checkpoint.ts';
import { logKeyEndpoint } from './log-key.ts';
import { logTileEndpoint } from './log-tile.ts';
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
  'verify-certificate': verifyCertificateEndpoint,
  'get-status-list': getStatusListEndpoint,
  'get-jwks': getJwksEndpoint,
  'log-checkpoint': logCheckpointEndpoint,
  'log-key': logKeyEndpoint,
  'log-tile': logTileEndpoint,
  'get-certificate-proof': getCertificateProofEndpoint,
};

/** Whether the route `handler` is served from the app (every route but the verification page). */
export function isAppRoute(handler: RouteHandlerName): handler is AppRouteName {
  return Object.hasOwn(endpoints, handler);
}
