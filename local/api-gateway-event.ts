import { randomBytes, randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { RouteDefinition } from '../shared/http/routes.ts';

/**
 * How API Gateway (HTTP API, Lambda proxy integration, payload format 2.0) turns an HTTP request
 * into a Lambda event and the function's answer back into a response, as the local HTTP adapter
 * needs it. Pure functions, so the translation is tested without a socket.
 */

/** A Lambda handler of this service, as `functions/<handler>.ts` exports it. */
export type LambdaHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** What the local server needs of a route: the routes table's entries, plus local-only ones. */
export type LocalRoute = Pick<RouteDefinition, 'handler' | 'path' | 'auth'> & { method: string };

/** The outcome of routing one request. */
export type RouteMatch<R> =
  | { kind: 'matched'; route: R; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/**
 * Finds the route of `method` and `rawPath`. A `{name}` segment matches one non-empty segment;
 * where several routes match, the one with a literal segment earliest wins, as in API Gateway.
 * A path served only with other methods is `method-not-allowed`, with those methods.
 */
export function matchRoute<R extends Pick<LocalRoute, 'method' | 'path'>>(
  routes: readonly R[],
  method: string,
  rawPath: string,
): RouteMatch<R> {
  const segments = rawPath.split('/');
  let best: { route: R; params: Record<string, string>; rank: number[] } | undefined;
  const allow = new Set<string>();
  for (const route of routes) {
    const params = matchPath(route.path.split('/'), segments);
    if (!params) continue;
    if (route.method !== method) {
      allow.add(route.method);
      continue;
    }
    const rank = route.path.split('/').map((s) => (isParameter(s) ? 0 : 1));
    if (!best || compareRank(rank, best.rank) > 0) best = { route, params, rank };
  }
  if (best) return { kind: 'matched', route: best.route, pathParameters: best.params };
  if (allow.size > 0) return { kind: 'method-not-allowed', allow: [...allow].sort() };
  return { kind: 'not-found' };
}

function matchPath(template: string[], segments: string[]): Record<string, string> | null {
  // A final `{name+}` is API Gateway's greedy parameter: one or more whole segments.
  const greedy = template.length > 0 && /^\{[^}]+\+\}$/.test(template[template.length - 1] as string);
  if (greedy ? segments.length < template.length : template.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string;
    const s = segments[i] as string;
    if (greedy && i === template.length - 1) {
      const rest = segments.slice(i);
      if (rest.some((r) => r.length === 0)) return null;
      params[t.slice(1, -2)] = rest.map(decodeSegment).join('/');
    } else if (isParameter(t)) {
      if (s.length === 0) return null;
      params[t.slice(1, -1)] = decodeSegment(s);
    } else if (t !== s) {
      return null;
    }
  }
  return params;
}

function isParameter(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return 0;
}

// Path parameters reach the function percent-decoded; a malformed escape is passed on as sent.
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The parts of an HTTP request the event is built from (as `node:http` delivers them). */
export interface RawHttpRequest {
  method: string;
  /** The request target, e.g. `/v1/certificates?transactionRef=A`. */
  target: string;
  /** Alternating names and values, in the order received (`IncomingMessage.rawHeaders`). */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  /** e.g. `HTTP/1.1`. */
  protocol: string;
  /** The port the server listens on (for `x-forwarded-port`). */
  localPort: number;
}

/** What API Gateway adds to the request: the route, the authorizer's output, ids and time. */
export interface EventEnvironment {
  routeKey: string;
  pathParameters: Record<string, string>;
  /** The JWT authorizer's output; absent on public routes, as in AWS. */
  authorizer?: { claims: Record<string, string>; scopes: string[] | null };
  requestId: string;
  now: Date;
  /** @default LOCAL_ACCOUNT_ID */
  accountId?: string;
  /** @default LOCAL_API_ID */
  apiId?: string;
}

/** The account, API id and region the local mode reports where AWS would put real ones. */
export const LOCAL_ACCOUNT_ID = '000000000000';
/** @see LOCAL_ACCOUNT_ID */
export const LOCAL_API_ID = 'local';
/** @see LOCAL_ACCOUNT_ID */
export const LOCAL_REGION = 'us-east-1';

/** The target's path and query string exactly as sent. */
export function splitTarget(target: string): { rawPath: string; rawQueryString: string } {
  let pathAndQuery = target;
  if (!target.startsWith('/')) {
    // Absolute form (`http://host/path?q`), which proxies send.
    try {
      const url = new URL(target);
      pathAndQuery = `${url.pathname}${url.search}`;
    } catch {
      pathAndQuery = '/';
    }
  }
  const hash = pathAndQuery.indexOf('#');
  if (hash >= 0) pathAndQuery = pathAndQuery.slice(0, hash);
  const q = pathAndQuery.indexOf('?');
  return q < 0
    ? { rawPath: pathAndQuery, rawQueryString: '' }
    : { rawPath: pathAndQuery.slice(0, q), rawQueryString: pathAndQuery.slice(q + 1) };
}

/**
 * Builds the payload format 2.0 event API Gateway would send for `request`:
 * header names lower-cased and repeated headers joined with commas; `cookie` headers moved into
 * `cookies`; repeated query keys joined with commas; the body as text only for text media types
 * that are valid UTF-8, otherwise base64 with `isBase64Encoded`; and, on protected routes, the
 * authorizer's claims (all strings) and scopes.
 */
export function buildHttpApiEvent(
  request: RawHttpRequest,
  env: EventEnvironment,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const { rawPath, rawQueryString } = splitTarget(request.target);
  const { headers, cookies } = collectHeaders(request.rawHeaders);

  // API Gateway sits in front as a proxy and says so.
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-port'] = String(request.localPort);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] = traceId(env.now);

  const host = (headers['host'] ?? 'localhost').replace(/:\d+$/, '');
  const query = parseQuery(rawQueryString);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: env.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: env.accountId ?? LOCAL_ACCOUNT_ID,
      apiId: env.apiId ?? LOCAL_API_ID,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: env.requestId,
      routeKey: env.routeKey,
      stage: '$default',
      time: clfTime(env.now),
      timeEpoch: env.now.getTime(),
    },
    ...(Object.keys(env.pathParameters).length > 0 ? { pathParameters: { ...env.pathParameters } } : {}),
    isBase64Encoded: false,
  };
  if (request.body.length > 0) {
    if (isTextMediaType(headers['content-type']) && isValidUtf8(request.body)) {
      event.body = request.body.toString('utf8');
    } else {
      event.body = request.body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  if (env.authorizer) {
    (event.requestContext as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']).authorizer = {
      jwt: { claims: { ...env.authorizer.claims }, scopes: env.authorizer.scopes ? [...env.authorizer.scopes] : null },
    };
  }
  // Public routes carry no authorizer, exactly as API Gateway sends them; the handlers' event
  // type is the protected one and they read the authorizer optionally.
  return event as APIGatewayProxyEventV2WithJWTAuthorizer;
}

function collectHeaders(rawHeaders: readonly string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
}

function parseQuery(raw: string): Record<string, string> | undefined {
  if (raw.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The media types API Gateway passes to a function as text; measured against AWS, everything
 * else — including a missing Content-Type and form posts — arrives base64-encoded.
 */
export function isTextMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type.startsWith('text/') || type === 'application/json' || type === 'application/xml' || type === 'application/javascript';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.time`: Common Log Format in UTC, e.g. `12/Mar/2020:19:03:58 +0000`. */
export function clfTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** An API Gateway style request id (16 characters, base64). */
export function newRequestId(): string {
  return randomBytes(11).toString('base64').slice(0, 15) + '=';
}

function traceId(now: Date): string {
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

export interface LambdaContextOptions {
  functionName: string;
  /** The function timeout; `getRemainingTimeInMillis` counts down from it. */
  timeoutMs: number;
  /** @default LOCAL_REGION */
  region?: string;
  /** @default LOCAL_ACCOUNT_ID */
  accountId?: string;
  /** @default 1024 */
  memoryLimitInMB?: number;
  /** @default Date.now */
  clock?: () => number;
}

/** A Lambda `Context` for one invocation, as the Node.js runtime provides it. */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const clock = options.clock ?? Date.now;
  const deadline = clock() + options.timeoutMs;
  const region = options.region ?? LOCAL_REGION;
  const account = options.accountId ?? LOCAL_ACCOUNT_ID;
  const started = new Date(clock());
  const day = `${started.getUTCFullYear()}/${String(started.getUTCMonth() + 1).padStart(2, '0')}/${String(started.getUTCDate()).padStart(2, '0')}`;
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is not supported: return a promise from the handler.`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - clock()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

/** The response API Gateway sends for a function's result (payload format 2.0 rules). */
export interface HttpResponse {
  statusCode: number;
  /** Header name → values; `set-cookie` may have several. */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Interprets a function's result the way API Gateway does. A structured result gives the status,
 * headers, `cookies` (each one a `Set-Cookie`) and body (decoded when `isBase64Encoded`). A result
 * without `statusCode` is taken as the JSON body of a 200. Throws when the result is malformed;
 * API Gateway answers those with a 500, and so does the adapter.
 */
export function toHttpResponse(result: unknown): HttpResponse {
  if (result === undefined || result === null || typeof result !== 'object' || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
  }
  const structured = result as APIGatewayProxyStructuredResultV2;
  const status = structured.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new TypeError(`The function returned an invalid statusCode: ${String(status)}`);
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) {
    headers[name.toLowerCase()] = String(value);
  }
  if (structured.cookies && structured.cookies.length > 0) {
    headers['set-cookie'] = [...structured.cookies];
  }
  const rawBody = structured.body ?? '';
  if (typeof rawBody !== 'string') throw new TypeError('The function returned a body that is not a string');
  const body = structured.isBase64Encoded ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody, 'utf8');
  return { statusCode: status, headers, body };
}
