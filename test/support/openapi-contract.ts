import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { matchRoute } from '#local/api-gateway-event.ts';
import { HEALTH_ROUTE } from '#local/local-service.ts';
import { openApiPath } from '#shared/http/openapi.ts';
import { type RouteHandlerName, routeNamed, routes } from '#shared/http/routes.ts';

/**
 * The contract check: every response the HTTP suites receive from the service is held against
 * the committed API description (`openapi.json`): its route and status must be documented, its
 * media type listed for that status, and its body valid against that media type's schema (ajv,
 * JSON Schema draft 2020-12 as OpenAPI 3.1 uses it). Drift between the code and the document
 * fails the test that saw it (see `openapi-contract-setup.ts`, which feeds this check).
 */

/** One response as observed, wherever it was observed. */
export interface ObservedResponse {
  method: string;
  /** The request target's path (no query), as sent. */
  path: string;
  status: number;
  contentType: string | undefined;
  body: Buffer;
  /** Set when the route is known without routing (a handler invoked directly). */
  handler?: RouteHandlerName;
}

/** Where responses were observed: at the local server, at `fetch`, at a directly invoked handler. */
export type ObservedVia = 'server' | 'fetch' | 'lambda';

type Json = Record<string, unknown>;

const DOCUMENT_ID = 'urn:dcc:openapi';
const COMPONENT_REF = '#/components/schemas/';

/** The committed document, the one clients are given. */
export function committedDocument(): Json {
  return JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as Json;
}

/** `#/components/schemas/X` -> the same component in the schema ajv holds the components under. */
function rebased(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebased);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof inner === 'string' && inner.startsWith(COMPONENT_REF) ? `${DOCUMENT_ID}#/$defs/${inner.slice(COMPONENT_REF.length)}` : rebased(inner);
  }
  return out;
}

const isJsonMediaType = (essence: string) => essence === 'application/json' || essence.endsWith('+json');

/** Checks responses against one OpenAPI document; each check answers the problems it found. */
export class OpenApiContract {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: Json) {
    this.ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
    // ajv-formats is CommonJS; under ESM its default export is the module object or the function.
    const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;
    addFormats(this.ajv);
    const components = (document['components'] as { schemas: Json }).schemas;
    this.ajv.addSchema({ $id: DOCUMENT_ID, $defs: rebased(components) as Json });
  }

  /** The problems of `response` (none: it keeps the contract). */
  check(response: ObservedResponse): string[] {
    const operation = this.operationOf(response);
    if (Array.isArray(operation)) return operation;
    const documented = (operation.responses as Record<string, Json | undefined>)[String(response.status)];
    if (!documented) return [`status ${response.status} is not documented for ${operation.operationId as string}`];
    const content = (documented['content'] ?? {}) as Record<string, { schema?: Json } | undefined>;
    if (response.body.length === 0 && Object.keys(content).length === 0) return [];
    const essence = (response.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const media = content[essence];
    if (!media) return [`content type ${response.contentType ?? '(none)'} is not documented for ${operation.operationId as string} ${response.status} (documented: ${Object.keys(content).join(', ')})`];
    const schema = media.schema ?? {};
    let value: unknown;
    if (isJsonMediaType(essence)) {
      try {
        value = JSON.parse(response.body.toString('utf8'));
      } catch {
        return [`the ${essence} body is not JSON`];
      }
    } else if (schema['type'] === 'string') {
      value = response.body.toString('utf8');
    } else {
      return [];
    }
    const validate = this.validatorOf(`${operation.operationId as string} ${response.status} ${essence}`, schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `body${e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`);
  }

  /**
   * The documented operation of a response: routed as API Gateway routes (the routes table),
   * then looked up in the document by its OpenAPI path and method. An array is the problems of
   * a response no operation answers (empty: a refusal by the gateway that keeps its contract).
   */
  private operationOf(response: ObservedResponse): Json | string[] {
    let handler = response.handler;
    if (!handler) {
      const match = matchRoute(routes, response.method, response.path);
      if (match.kind !== 'matched') return this.gatewayRefusal(response, match.kind);
      handler = match.route.handler;
    }
    const route = routeNamed(handler);
    const operation = (this.document['paths'] as Record<string, Record<string, Json> | undefined>)[openApiPath(route)]?.[route.method.toLowerCase()];
    if (!operation) return [`${route.method} ${route.path} (${handler}) is not in the document`];
    if (operation['operationId'] !== handler) return [`${route.method} ${route.path} is documented as ${String(operation['operationId'])}, not ${handler}`];
    return operation;
  }

  /**
   * A request no route serves is refused by the gateway itself: 404 for a path no route has, 405
   * for a method the path is not served with. No operation can document those, so they are held
   * to the problem document of their one code instead.
   */
  private gatewayRefusal(response: ObservedResponse, kind: 'not-found' | 'method-not-allowed'): string[] {
    const status = kind === 'not-found' ? 404 : 405;
    const schema = { allOf: [{ $ref: `${COMPONENT_REF}Problem` }, { properties: { status: { const: status }, code: { const: kind } } }] };
    const validate = this.validatorOf(`gateway ${kind}`, schema);
    let body: unknown;
    try {
      body = JSON.parse(response.body.toString('utf8'));
    } catch {
      body = undefined;
    }
    if (response.status === status && response.contentType?.startsWith('application/problem+json') && validate(body)) return [];
    return [`${response.method} ${response.path} matches no route of the document, and ${response.status} is not the gateway's ${status} ${kind}`];
  }

  private validatorOf(key: string, schema: Json): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebased(schema) as Json);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/**
 * The check of one test file: the contract, what it counted and what it found wrong. A refusal
 * by the gateway counts as validated too (its body is checked); the health check does not.
 */
export class ContractRecorder {
  readonly counts: Record<ObservedVia, number> = { server: 0, fetch: 0, lambda: 0 };
  readonly violations: string[] = [];
  /** Request ids (`apigw-requestid`) of responses checked at the server, so `fetch` skips them. */
  readonly seenRequestIds = new Set<string>();
  private active = false;

  constructor(private readonly contract: OpenApiContract) {}

  /** Starts checking (the set-up file does, for the suites that talk to the service). */
  activate(): void {
    this.active = true;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Checks one response; a problem is kept for the running test to fail on. */
  observe(via: ObservedVia, response: ObservedResponse): void {
    if (!this.active) return;
    if (response.method === HEALTH_ROUTE.method && response.path === HEALTH_ROUTE.path && !response.handler) return;
    this.counts[via]++;
    for (const problem of this.contract.check(response)) {
      this.violations.push(`${response.method} ${response.path} -> ${response.status} (${via}): ${problem}`);
    }
  }

  /** The problems found since the last call, and forgets them. */
  takeViolations(): string[] {
    return this.violations.splice(0);
  }
}

let recorder: ContractRecorder | undefined;

/** This test file's recorder, made on first use from the committed document. */
export function contractRecorder(): ContractRecorder {
  recorder ??= new ContractRecorder(new OpenApiContract(committedDocument()));
  return recorder;
}
