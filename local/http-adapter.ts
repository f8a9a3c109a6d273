import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ProblemCode, problemResponse } from '../shared/http/problems.ts';
import { negotiateAcceptLanguage } from '../shared/i18n/locale.ts';
import { problemDetail } from '../shared/i18n/messages/problems.ts';
import type { LocalizedText } from '../shared/i18n/translate.ts';
import {
  type LambdaHandler,
  type LocalRoute,
  buildHttpApiEvent,
  createLambdaContext,
  matchRoute,
  newRequestId,
  splitTarget,
  toHttpResponse,
} from './api-gateway-event.ts';
import type { JwtAuthorizer } from './jwt-authorizer.ts';

/**
 * The local mode's API Gateway: a `node:http` server that routes with the routes table, applies
 * the JWT authorizer, builds payload format 2.0 events, invokes the same handler modules as the
 * Lambda functions, and writes their results back.
 */

/** Where the local service writes progress and errors (stdout/stderr in `npm start`). */
export interface LocalLog {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

/** A route and the Lambda handler that serves it. */
export interface LocalRouteBinding {
  route: LocalRoute;
  handler: LambdaHandler;
}

/** API Gateway's own payload limit is 10 MB and the handlers enforce 64 KiB; this bounds memory. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The functions' timeout in AWS (see `shared/app/sdk-options.ts`). */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 10_000;

/** What the adapter serves, how it authorises, where it logs. */
export interface HttpAdapterOptions {
  bindings: readonly LocalRouteBinding[];
  authorize: JwtAuthorizer;
  log: LocalLog;
  /** Called before each protected request is authorised (local mode re-reads its registry here). */
  beforeAuthorize?: () => Promise<void>;
  /** @default DEFAULT_MAX_BODY_BYTES */
  maxBodyBytes?: number;
  /** A handler still running after this answers 500, as a timed-out Lambda function does. @default DEFAULT_FUNCTION_TIMEOUT_MS */
  functionTimeoutMs?: number;
  /** Writes one line per request to `log.info`. @default true */
  accessLog?: boolean;
  /** Prefix of the Lambda function names in contexts and logs. @default 'dcc-local-' */
  functionNamePrefix?: string;
}

/** The request listener of the adapter, for `http.createServer`. */
export function createRequestListener(options: HttpAdapterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = options.bindings.map((b) => b.route);
  const handlers = new Map(options.bindings.map((b) => [b.route, b.handler]));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = options.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS;
  const prefix = options.functionNamePrefix ?? 'dcc-local-';

  const serve = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const method = req.method ?? 'GET';
    const { rawPath } = splitTarget(req.url ?? '/');
    const match = matchRoute(routes, method, rawPath);
    if (match.kind === 'not-found') {
      return sendProblem(req, res, 'not-found', problemDetail('detail.no-route', { path: rawPath }));
    }
    if (match.kind === 'method-not-allowed') {
      return sendProblem(req, res, 'method-not-allowed', problemDetail('detail.method-not-accepted', { path: rawPath, method }), { allow: match.allow.join(', ') });
    }
    const { route, pathParameters } = match;

    const declared = Number(req.headers['content-length'] ?? 0);
    if (Number.isFinite(declared) && declared > maxBody) return rejectOversized(req, res, maxBody);

    let authorizer: { claims: Record<string, string>; scopes: string[] | null } | undefined;
    if (route.auth !== 'public') {
      await options.beforeAuthorize?.();
      const decision = await options.authorize(req.headers['authorization'], route.auth.anyScope);
      if (decision.effect === 'deny') {
        return sendProblem(req, res, decision.code, decision.detail, { 'www-authenticate': decision.challenge });
      }
      authorizer = { claims: decision.claims, scopes: decision.scopes };
    }

    const body = await readBody(req, maxBody);
    if (body === null) return rejectOversized(req, res, maxBody);

    const routeKey = `${route.method} ${route.path}`;
    const event = buildHttpApiEvent(
      {
        method,
        target: req.url ?? '/',
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        protocol: `HTTP/${req.httpVersion}`,
        localPort: req.socket.localPort ?? 0,
      },
      { routeKey, pathParameters, requestId, now: new Date(), ...(authorizer ? { authorizer } : {}) },
    );
    const context = createLambdaContext({ functionName: `${prefix}${route.handler}`, timeoutMs });
    const handler = handlers.get(route) as LambdaHandler;

    let response;
    try {
      const result = await withTimeout(handler(event, context), timeoutMs);
      response = toHttpResponse(result);
    } catch (error) {
      // Logged here, never sent: a 5xx body says nothing about what failed.
      options.log.error(`${routeKey} failed (request ${requestId}, function ${context.functionName})`, error);
      return sendProblem(req, res, 'internal-error', problemDetail('detail.internal'));
    }
    try {
      res.statusCode = response.statusCode;
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    } catch (error) {
      // A header value node refuses (a newline, say) is the function's fault, as in AWS.
      options.log.error(`${routeKey} returned an unusable response (request ${requestId})`, error);
      for (const name of res.getHeaderNames()) if (name !== 'apigw-requestid') res.removeHeader(name);
      return sendProblem(req, res, 'internal-error', problemDetail('detail.internal'));
    }
    res.end(response.body);
  };

  return (req, res) => {
    const started = Date.now();
    const requestId = newRequestId();
    res.setHeader('apigw-requestid', requestId);
    if (options.accessLog ?? true) {
      res.on('finish', () => options.log.info(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
    }
    serve(req, res, requestId).catch((error: unknown) => {
      if (error instanceof ClientAbortedError) return;
      options.log.error(`${req.method} ${req.url} failed in the local adapter (request ${requestId})`, error);
      if (!res.headersSent) sendProblem(req, res, 'internal-error', problemDetail('detail.internal'));
      else res.destroy();
    });
  };
}

/** A listening server and how to stop it. */
export interface StartedHttpServer {
  server: Server;
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  port: number;
  /** Stops accepting, lets running requests finish (up to `graceMs`), then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

/**
 * How long the server waits for a client, like a managed front door (slow-loris bounds). Node
 * enforces `headersMs` and `requestMs` only when it sweeps its connections, every
 * `checkIntervalMs`. With Node's default sweep of 30 s, a client sending a byte a second was cut
 * after 30 s by the 10 s headers limit and after 60 s by the 30 s request limit; with a 1 s sweep
 * the cuts come after 11 s and 31 s.
 */
export interface ServerTimeouts {
  /** The whole header block must have arrived this long after the request began. @default 10_000 */
  headersMs: number;
  /** The whole request, body included, must have arrived this long after it began. @default 30_000 */
  requestMs: number;
  /** A connection on which nothing at all arrives or leaves for this long is closed. @default 30_000 */
  idleMs: number;
  /** An idle keep-alive connection between requests is closed after this long. @default 5_000 */
  keepAliveMs: number;
  /** How often Node checks `headersMs` and `requestMs`. @default 1_000 */
  checkIntervalMs: number;
}

/** The local server's limits on slow clients (see {@link ServerTimeouts}). */
export const DEFAULT_SERVER_TIMEOUTS: Readonly<ServerTimeouts> = {
  headersMs: 10_000,
  requestMs: 30_000,
  idleMs: 30_000,
  keepAliveMs: 5_000,
  checkIntervalMs: 1_000,
};

/**
 * Starts a server on `host:port` (port 0: any free port) with `listener`, usually
 * {@link createRequestListener}. The local service binds first and plugs the adapter in once
 * the handlers are loaded, because they must know the port before they are imported.
 */
export async function startHttpServer(options: {
  port: number;
  host?: string;
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Any of the limits on slow clients; the rest stay at {@link DEFAULT_SERVER_TIMEOUTS}. */
  timeouts?: Partial<ServerTimeouts>;
}): Promise<StartedHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const t: ServerTimeouts = { ...DEFAULT_SERVER_TIMEOUTS, ...options.timeouts };
  // Node refuses a request timeout shorter than the headers timeout (it would never apply).
  if (t.requestMs < t.headersMs) throw new RangeError(`requestMs (${t.requestMs}) must not be shorter than headersMs (${t.headersMs})`);
  const server = createServer(
    { headersTimeout: t.headersMs, requestTimeout: t.requestMs, connectionsCheckingInterval: t.checkIntervalMs },
    options.listener,
  );
  server.keepAliveTimeout = t.keepAliveMs;
  // Without a 'timeout' listener Node destroys the socket when it has been idle this long.
  server.timeout = t.idleMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close(graceMs = 5_000) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** The client went away before its request was complete; there is no one to answer. */
class ClientAbortedError extends Error {
  override readonly name = 'ClientAbortedError';
}

/**
 * The body, or null once it exceeds `max` bytes (the rest is then no longer buffered). Events,
 * not `for await`: leaving an async iterator early destroys the socket, and the client would see
 * a reset instead of the 413.
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(req.destroyed ? new ClientAbortedError(error.message) : error);
    };
    const onClose = () => {
      cleanup();
      reject(new ClientAbortedError('the client closed the connection before the body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * 413 without buffering more. The connection is closed after the answer; what the client still
 * sends is discarded, and a client that keeps sending far beyond the limit is cut off.
 */
function rejectOversized(req: IncomingMessage, res: ServerResponse, max: number): void {
  sendProblem(req, res, 'payload-too-large', problemDetail('detail.body-exceeds', { limit: max }), { connection: 'close' });
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > 16 * max) req.socket.destroy();
  });
  req.resume();
}

/** Answers with an RFC 9457 problem document of the service's catalogue, in the request's language. */
export function sendProblem(
  req: IncomingMessage,
  res: ServerResponse,
  code: ProblemCode,
  detail: string | LocalizedText,
  headers: Record<string, string> = {},
): void {
  const problem = problemResponse(code, detail, [], headers, negotiateAcceptLanguage(req.headers['accept-language']));
  res.statusCode = problem.statusCode;
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.end(problem.body);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Task timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
