import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mapStackTracesOnFirstUse } from '#shared/app/lazy-source-maps.ts';
import { PAGE_HTML, SCRIPT_SHA256, STYLE_SHA256 } from '../web/generated/verification-page.ts';

// As every function: a stack trace in the logs names the source line (the map is read then).
mapStackTracesOnFirstUse(import.meta.url);

/**
 * `GET /verify`: the auditors' verification page. One static document with its script and
 * stylesheet inline (admitted by hash, nothing else may run), served by this function alone:
 * no CDN, no table, no key, no configuration. The certificate never reaches the server: it
 * travels in the URL fragment or the text box, and the browser does the verifying.
 */

/** The page's Content-Security-Policy: only its own hashed script and style, fetches to its own origin. */
export const VERIFICATION_PAGE_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${SCRIPT_SHA256}'`,
  `style-src 'sha256-${STYLE_SHA256}'`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': VERIFICATION_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  // The page changes only with a deployment; a short cache keeps a new one visible within minutes.
  'cache-control': 'public, max-age=300',
};

/** The Lambda handler; the request itself carries nothing the page depends on. */
export const handler = async (_event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 200,
  headers: { ...HEADERS },
  body: PAGE_HTML,
});
