import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from 'zod/mini';
import { DomainError } from '../domain/errors.ts';
import { type InputContract, REFUSED } from '../domain/schemas/input-contract.ts';
import { zodIssuesToProblems } from '../domain/problems.ts';
import { DEFAULT_LOCALE, type Locale, negotiateAcceptLanguage } from '../i18n/locale.ts';
import { problemDetail } from '../i18n/messages/problems.ts';
import { type ExchangeResolver, type Principal, requireRole, resolvePrincipal } from './principal.ts';
import { HttpProblem, problemCatalog, problemResponse } from './problems.ts';
import { type RouteHandlerName, routeNamed } from './routes.ts';
import { serviceUnavailable } from './transient-errors.ts';

/** The largest request body a route accepts; a larger one is refused with 413 before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** What a route's function returns; the chain serialises it. */
export interface HttpResult {
  status: number;
  /** JSON body; omit for an empty body. */
  json?: unknown;
  /** A non-JSON body with its content type (e.g. a `vc+jwt` status list). */
  text?: { body: string; contentType: string };
  headers?: Record<string, string>;
}

/** Per-container dependencies of the HTTP chain. */
export interface HttpDeps {
  logger: Logger;
  metrics: Metrics;
  resolveExchange: ExchangeResolver;
  /** The time a request is judged at (`now` of the route); the app's clock, injected by tests. */
  clock: () => Date;
  /**
   * What wraps a route's work: `full` (the default, and all that production runs) is the middy
   * chain with the Powertools logger's Lambda context and keys and the metrics flush; `middy`
   * the same chain without Powertools; `bare` neither. The benchmark opens the same endpoints
   * all three ways to say what each layer costs per request.
   */
  layers?: RouteLayers;
}

/** See {@link HttpDeps.layers}. */
export type RouteLayers = 'full' | 'middy' | 'bare';

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  path: P;
  /** The caller; null on public routes. */
  principal: Principal | null;
  event: ApiEvent;
  now: Date;
}

export interface RouteOptions<B, Q, P> {
  /** The route in the routes table; the chain admits exactly the roles the table names for it. */
  name: RouteHandlerName;
  /**
   * What the route accepts in each part, as contracts (`input-contract.ts`), never zod schemas:
   * a route module holding a schema would build it, and load zod, at every cold start.
   */
  body?: InputContract<B>;
  /**
   * The body a request without one stands for (no bytes at all, whatever its Content-Type); a
   * route that names none requires a body.
   */
  emptyBody?: unknown;
  query?: InputContract<Q>;
  path?: InputContract<P>;
}

interface ChainInternal {
  principal?: Principal;
}

/**
 * Builds a Lambda handler for one route: error mapping, structured logging with the request id,
 * metrics, authorization, body limits, JSON parsing and the inputs' contracts, in that order,
 * around `fn`. `fn` only sees validated input.
 */
export function httpRoute<B = undefined, Q = undefined, P = undefined>(
  options: RouteOptions<B, Q, P>,
  deps: () => HttpDeps,
  fn: (input: RouteInput<B, Q, P>) => Promise<HttpResult>,
): ApiHandler {
  const { access } = routeNamed(options.name);
  const { logger, metrics } = deps();
  const internal = new WeakMap<object, ChainInternal>();

  const core = async (event: ApiEvent): Promise<ApiResult> => {
    const body = options.body ? await inputOf(options.body, (event as { body: unknown }).body, 'body') : undefined;
    const query = options.query ? await inputOf(options.query, event.queryStringParameters ?? {}, 'query parameters') : undefined;
    const path = options.path ? await inputOf(options.path, event.pathParameters ?? {}, 'path') : undefined;
    const result = await fn({
      body: body as B,
      query: query as Q,
      path: path as P,
      principal: internal.get(event)?.principal ?? null,
      event,
      now: deps().clock(),
    });
    return toApiResult(result);
  };

  const layers = deps().layers ?? 'full';
  const telemetry = layers === 'full' ? requestTelemetry(logger, metrics) : undefined;
  const authorize = async (event: ApiEvent): Promise<void> => {
    if (access === 'public') return;
    const principal = await resolvePrincipal(event, deps().resolveExchange);
    requireRole(principal, access);
    internal.set(event, { principal });
    if (telemetry) logger.appendKeys({ clientId: principal.clientId, exchangeId: principal.exchange?.id });
  };
  const readBody = (event: ApiEvent): void => {
    const raw = event.body;
    if (options.emptyBody !== undefined && (raw === undefined || raw === '')) {
      event.body = JSON.stringify(options.emptyBody);
      event.isBase64Encoded = false;
      event.headers = { ...event.headers, 'content-type': 'application/json' };
      delete event.headers['Content-Type'];
    }
    guardBody(event);
  };

  if (layers === 'bare') {
    // The same work in the same order, as one plain function: no middy, no Powertools.
    return async (event) => {
      try {
        await authorize(event);
        if (options.body) {
          readBody(event);
          (event as { body: unknown }).body = parseJsonBody(event);
        }
        return await core(event);
      } catch (error) {
        return errorToResponse(error, logger, requestLocale(event));
      }
    };
  }

  const chain = middy<ApiEvent, ApiResult>(core)
    // First in, so its onError runs last and sees every error, and its `after` runs last: the
    // request's telemetry ends after everything else, its error's log line included.
    .use({
      ...(telemetry ? { after: telemetry.end } : {}),
      onError: async (request) => {
        try {
          request.response = errorToResponse(request.error, logger, requestLocale(request.event));
        } finally {
          telemetry?.end();
        }
      },
    })
    // The telemetry's start, the route's own checks and the body's parsing in one step: middy
    // awaits every middleware in turn, so each one more is a promise and a turn of the microtask
    // queue per request.
    .use({
      before: async (request) => {
        telemetry?.start(request.event, request.context);
        await authorize(request.event);
        if (options.body) {
          readBody(request.event);
          (request.event as { body: unknown }).body = parseJsonBody(request.event);
        }
      },
    });
  return chain as unknown as ApiHandler;
}

/** The body, checked by {@link guardBody}, as JSON; text that is not JSON is a 400 `malformed-json`. */
function parseJsonBody(event: ApiEvent): unknown {
  const raw = event.body ?? '';
  try {
    return JSON.parse(event.isBase64Encoded ? Buffer.from(raw, 'base64').toString() : raw) as unknown;
  } catch {
    throw new HttpProblem('malformed-json', problemDetail('detail.malformed-json'));
  }
}

/**
 * The Powertools work of one request, called from the chain's own steps. `start` and `end` make
 * the same calls of the logger's own methods as its `injectLambdaContext(logger, { resetKeys: true })`
 * middleware (the sampling decision renewed, the Lambda context that every log line carries,
 * the event logged if `POWERTOOLS_LOGGER_LOG_EVENT` asks; then the buffer dropped and the keys
 * appended during the request reset, so none leaks into the next one); `end` also flushes the
 * metrics the request recorded, on success and on error. Made from steps the chain has anyway,
 * they skip the middleware's own per-request work (a copy of middy's `internal` per request, a
 * loop over loggers, a separate flush step): side by side in one process, the same calls cost
 * 10-20 µs less CPU per issue request this way and 3-7 µs less per verification. Unlike
 * Powertools' metrics middleware, the flush stays silent on requests that record none (reads,
 * JWKS) instead of warning on every one of them.
 */
export function requestTelemetry(logger: Logger, metrics: Metrics): { start: (event: ApiEvent, context: Context) => void; end: () => void } {
  return {
    start: (event, context) => {
      logger.refreshSampleRateCalculation();
      logger.addContext(context);
      logger.logEventIfEnabled(event);
    },
    end: () => {
      logger.clearBuffer();
      logger.resetKeys();
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

/** Refuses oversized bodies (413) and anything but JSON (415) before a byte is parsed. */
function guardBody(event: ApiEvent): void {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.byteLength(raw, 'base64') : Buffer.byteLength(raw, 'utf8');
  if (bytes > MAX_BODY_BYTES) {
    throw new HttpProblem('payload-too-large', problemDetail('detail.body-too-large', { bytes, limit: MAX_BODY_BYTES }));
  }
  const contentType = event.headers?.['content-type'] ?? event.headers?.['Content-Type'];
  if (!contentType || !isJsonMediaType(contentType)) {
    throw new HttpProblem(
      'unsupported-media-type',
      contentType
        ? problemDetail('detail.content-type-refused', { contentType: truncate(contentType, 100) })
        : problemDetail('detail.content-type-missing'),
    );
  }
  if (raw.length === 0) {
    throw new HttpProblem('malformed-json', problemDetail('detail.body-missing'));
  }
}

/** `application/json`, optionally with `charset=utf-8`; other charsets are refused. */
function isJsonMediaType(value: string): boolean {
  const [type, ...params] = value.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => p === '' || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/** The part of a request a schema checks, with the catalogue entry that says it does not match. */
const MISMATCH = {
  body: 'detail.mismatch.body',
  'query parameters': 'detail.mismatch.query',
  path: 'detail.mismatch.path',
} as const;

/** A part of the request that a route judges with a contract (and a refusal explains with its schema). */
export type RequestPart = keyof typeof MISMATCH;

/**
 * `value` as the route accepts it. A contract's predicate judges it without zod; only a value it
 * refuses waits for the schema, which names every problem (and, should the two ever disagree,
 * decides).
 */
function inputOf<T>(contract: InputContract<T>, value: unknown, part: RequestPart): T | Promise<T> {
  const accepted = contract.accept(value);
  return accepted === REFUSED ? contract.schema().then((schema) => parseOrThrow(schema, value, part)) : accepted;
}

/** `value` parsed by `schema`, or a 400 `validation-failed` naming every problem in `part`. */
export function parseOrThrow<T>(schema: z.ZodMiniType<T>, value: unknown, part: RequestPart): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const errors = zodIssuesToProblems(parsed.error);
    throw new DomainError('validation-failed', problemDetail(MISMATCH[part], { count: errors.length }), errors);
  }
  return parsed.data;
}

function toApiResult(result: HttpResult): ApiResult {
  if (result.text) {
    return { statusCode: result.status, headers: { 'content-type': result.text.contentType, ...result.headers }, body: result.text.body };
  }
  if (result.json === undefined) return { statusCode: result.status, headers: { ...result.headers } };
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json', ...result.headers },
    body: JSON.stringify(result.json),
  };
}

/** What a 5xx says: nothing about what failed (the details go to the log only). */
const UNAVAILABLE_DETAIL = problemDetail('detail.unavailable');
const INTERNAL_DETAIL = problemDetail('detail.internal');

/** The language a request's problem documents are written in, from its `Accept-Language`. */
export function requestLocale(event: { headers?: Record<string, string | undefined> } | undefined): Locale {
  const headers = event?.headers ?? {};
  return negotiateAcceptLanguage(headers['accept-language'] ?? headers['Accept-Language']);
}

/**
 * The one place an error becomes a response, in `locale` (the request's `Accept-Language`). A
 * domain error or HTTP problem whose code the catalog lists with a 4xx status is the caller's
 * to fix and carries its message and field problems; a retryable error (a coded error marked so, or a transient failure of an AWS dependency) is a
 * 503 with Retry-After; anything else is a 500 that says nothing about what failed.
 */
export function errorToResponse(error: unknown, logger: Pick<Logger, 'warn' | 'error' | 'info'>, locale: Locale = DEFAULT_LOCALE): ApiResult {
  const headers = error instanceof HttpProblem ? error.headers : {};
  // Only these two classes carry codes meant for the client; any other coded error is a fault
  // of the service even if its code happened to read like one of the catalog's.
  if ((error instanceof DomainError || error instanceof HttpProblem) && problemCatalog[error.code].status < 500) {
    logger.info('request refused', { code: error.code, status: problemCatalog[error.code].status });
    return problemResponse(error.code, error.localized ?? error.message, error.errors, headers, locale);
  }
  const unavailable = serviceUnavailable(error);
  if (unavailable) {
    logger.warn('dependency unavailable', { error: unavailable.name, retryAfter: unavailable.retryAfterSeconds });
    return problemResponse('service-unavailable', UNAVAILABLE_DETAIL, [], {
      'retry-after': String(unavailable.retryAfterSeconds),
      ...headers,
    }, locale);
  }
  logger.error('unhandled error', error as Error);
  return problemResponse('internal-error', INTERNAL_DETAIL, [], {}, locale);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
