import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { inject } from 'vitest';
import { createTableInput } from '#shared/adapters/dynamodb/table.ts';
import { buildHttpApiEvent, createLambdaContext } from '#local/api-gateway-event.ts';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '#local/dynamodb-local/dynamodb-local.ts';
import { type App, buildApp } from '#shared/app/app.ts';
import { loadConfig } from '#shared/app/config.ts';
import { handler as verificationPage } from '#functions/verification-page.ts';
import { endpoints, isAppRoute } from '#shared/http/endpoints/table.ts';
import type { ApiHandler } from '#shared/http/handler.ts';
import { type RouteHandlerName, routeKey, routes } from '#shared/http/routes.ts';
import { contractRecorder } from '../../support/openapi-contract.ts';

/**
 * Runs the real Lambda handlers in this process, against DynamoDB Local, on an app built with SDK
 * clients that can be faulted, and invokes them with API Gateway v2 events as the JWT authorizer
 * would pass them. One DynamoDB Local per test file: reliability files do not
 * depend on the integration run's shared instance.
 */

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A running DynamoDB Local: its endpoint and how to let go of it. */
export interface Engine {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * The run's shared DynamoDB Local when the global setup started one (a run that includes the
 * integration tests, as CI's does; every file uses its own tables), else an in-memory one for
 * this file alone.
 */
export async function startEngine(): Promise<Engine> {
  const shared = inject('dynamoDbEndpoint');
  if (shared) return { endpoint: shared, stop: async () => undefined };
  const own: DynamoDbLocalHandle = await startDynamoDbLocal({ inMemory: true, startTimeoutMs: 180_000, log: () => undefined });
  return own;
}

/** A plain client for DynamoDB Local (no faults), for set-up and for reading the table. */
export function plainDynamoDb(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 3 });
}

/** Creates the service's table (as the stack and local mode define it) under a fresh name. */
export async function createServiceTable(client: DynamoDBClient, name = `dcc-rel-${Math.random().toString(36).slice(2)}`): Promise<string> {
  await client.send(new CreateTableCommand(createTableInput(name)));
  for (let i = 0; i < 50; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return name;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`table ${name} did not become active`);
}

/** Every item of the table (tests only: the service itself never scans). */
export async function scanTable(client: DynamoDBClient, tableName: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Options of {@link loadApp}. */
export interface AppOptions {
  endpoint: string;
  tableName: string;
  /** `kms`: sign through `kms` (a fake KMS server's client). `local`: a key file. */
  signer: { kind: 'kms'; client: KMSClient; keyId: string } | { kind: 'local' };
  /** The DynamoDB client the app uses (e.g. a faulty one); default a plain one. */
  dynamodb?: DynamoDBClient;
  publicBaseUrl?: string;
}

/** The handlers of every route, built on one fresh app (one Lambda container's worth). */
export interface LoadedApp {
  container: App;
  handlers: Record<RouteHandlerName, ApiHandler>;
  /** Removes the key directory. */
  dispose(): Promise<void>;
}

/** DynamoDB Local, a fresh service table on it and the handlers over it, locally signed. */
export interface LocalSignedService {
  engine: Engine;
  /** A client without faults, to look at the table itself. */
  plain: DynamoDBClient;
  tableName: string;
  app: LoadedApp;
}

/**
 * Starts what most reliability suites stand on: DynamoDB Local, a fresh service table, the
 * handlers over it signing with a local key, and `exchange` registered as an active exchange
 * whose client id is its id. Stop it with {@link stopLocalSignedService}.
 */
export async function startLocalSignedService(exchange: { id: string; name: string }): Promise<LocalSignedService> {
  const engine = await startEngine();
  const plain = plainDynamoDb(engine.endpoint);
  const tableName = await createServiceTable(plain);
  const app = await loadApp({ endpoint: engine.endpoint, tableName, signer: { kind: 'local' } });
  await app.container.stores.exchanges.putExchange({ id: exchange.id, name: exchange.name, clientIds: [exchange.id], status: 'active' });
  return { engine, plain, tableName, app };
}

/** Disposes the handlers, then stops DynamoDB Local; either may be missing (a failed start). */
export async function stopLocalSignedService(service: Partial<Pick<LocalSignedService, 'engine' | 'app'>>): Promise<void> {
  await service.app?.dispose();
  await service.engine?.stop();
}

/**
 * Builds a fresh app over the table with the given clients (what a cold Lambda container makes
 * from its environment) and every route's handler on it.
 */
export async function loadApp(options: AppOptions): Promise<LoadedApp> {
  const scratch = await mkdtemp(join(tmpdir(), 'dcc-reliability-'));
  const config = loadConfig({
    DCC_TABLE_NAME: options.tableName,
    DCC_SIGNER: options.signer.kind,
    ...(options.signer.kind === 'kms'
      ? { DCC_KMS_KEY_ID: options.signer.keyId }
      : { DCC_LOCAL_KEY_FILE: join(scratch, 'signing-key.pem'), DCC_ACCESS_TOKEN_KEY_FILE: join(scratch, 'access-token-key.pem') }),
    DCC_ISSUER: 'https://issuer.dcc.localhost',
    DCC_PUBLIC_BASE_URL: options.publicBaseUrl ?? 'https://dcc.localhost',
    DCC_DYNAMODB_ENDPOINT: options.endpoint,
    DCC_EXCHANGE_CACHE_SECONDS: '0',
    DCC_LOG_ORIGIN: 'dcc.localhost/log',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env['DCC_TEST_LOG_LEVEL'] ?? 'SILENT',
    AWS_REGION: 'us-east-1',
  });
  const container = buildApp(config, {
    dynamodb: options.dynamodb ?? plainDynamoDb(options.endpoint),
    ...(options.signer.kind === 'kms' ? { kms: options.signer.client } : {}),
  });
  const handlers = {} as Record<RouteHandlerName, ApiHandler>;
  for (const route of routes) {
    handlers[route.handler] = isAppRoute(route.handler) ? endpoints[route.handler](container) : verificationPage;
  }
  return {
    container,
    handlers,
    async dispose() {
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** Who calls: the claims API Gateway's JWT authorizer would hand the function, or nobody. */
export type Identity =
  | { kind: 'none' }
  | { kind: 'exchange'; clientId: string }
  | { kind: 'auditor' }
  | { kind: 'admin' };

/** The claims of an identity, as the authorizer passes them (all strings, scopes from `scope`). */
export function claimsOf(identity: Identity): { claims: Record<string, string>; scopes: null } | undefined {
  const scope = { none: '', exchange: 'dcc/issue', auditor: 'dcc/read', admin: 'dcc/read dcc/revoke' }[identity.kind];
  const clientId = identity.kind === 'exchange' ? identity.clientId : identity.kind === 'none' ? '' : `${identity.kind}.local`;
  if (identity.kind === 'none') return undefined;
  const iat = String(Math.floor(Date.now() / 1000));
  return {
    claims: { client_id: clientId, sub: clientId, scope, token_use: 'access', iss: 'urn:dcc:local-token-issuer', iat, exp: String(Number(iat) + 3600) },
    scopes: null,
  };
}

/** A request to a route, as a client would send it. */
export interface Call {
  handler: RouteHandlerName;
  pathParameters?: Record<string, string>;
  query?: string;
  /** A JSON value (serialised) or raw bytes. */
  body?: unknown;
  rawBody?: Buffer;
  /** Extra headers as sent, in order (name, value, name, value, …). */
  rawHeaders?: string[];
  /** @default content-type application/json when there is a body */
  contentType?: string | null;
  identity?: Identity;
}

/** The response, with the body parsed when it is JSON. */
export interface CallResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  raw: string;
}

/** Invokes a loaded handler with the event API Gateway would build for `call`. */
export async function invoke(app: LoadedApp, call: Call): Promise<CallResult> {
  const route = routes.find((r) => r.handler === call.handler);
  if (!route) throw new Error(`no route ${call.handler}`);
  const params = call.pathParameters ?? {};
  // Percent-encoded from UTF-8 bytes as a client would (a lone surrogate becomes U+FFFD on the wire).
  const encode = (v: string) => [...Buffer.from(v, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  const path = route.path.replace(/\{(\w+)\+?\}/g, (_m, name: string) => (route.path.includes(`{${name}+}`) ? (params[name] ?? '').split('/').map(encode).join('/') : encode(params[name] ?? '')));
  const rawBody = call.rawBody ?? (call.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(call.body), 'utf8'));
  const headers: string[] = ['host', 'dcc.localhost'];
  const contentType = call.contentType === undefined ? (rawBody.length > 0 ? 'application/json' : null) : call.contentType;
  if (contentType !== null) headers.push('content-type', contentType);
  headers.push(...(call.rawHeaders ?? []));
  const authorizer = claimsOf(call.identity ?? { kind: 'none' });
  const event = buildHttpApiEvent(
    {
      method: route.method,
      target: call.query ? `${path}?${call.query}` : path,
      rawHeaders: headers,
      body: rawBody,
      sourceIp: '127.0.0.1',
      protocol: 'HTTP/1.1',
      localPort: 443,
    },
    {
      routeKey: routeKey(route),
      pathParameters: params,
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      now: new Date(),
      ...(route.auth !== 'public' && authorizer ? { authorizer } : {}),
    },
  );
  const context = createLambdaContext({ functionName: `dcc-${route.handler}`, timeoutMs: 10_000 });
  const result = (await app.handlers[call.handler](event, context)) as APIGatewayProxyStructuredResultV2;
  const raw = typeof result.body === 'string' ? result.body : '';
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) out[k.toLowerCase()] = String(v);
  let body: unknown = raw;
  if ((out['content-type'] ?? '').includes('json') && raw.length > 0) body = JSON.parse(raw);
  // Held against the API description like every response of the HTTP suites.
  contractRecorder().observe('lambda', {
    method: route.method,
    path,
    status: result.statusCode ?? 200,
    contentType: out['content-type'],
    body: Buffer.from(raw, result.isBase64Encoded ? 'base64' : 'utf8'),
    handler: call.handler,
  });
  return { status: result.statusCode ?? 200, headers: out, body, raw };
}

/** The fixture request with times around the real clock (the handlers judge by the real clock). */
export function liveIssueRequest<T extends { transactionRef: string; tradedAt: string; usage: { validFrom: string; validUntil: string }; compliance: { assessedAt: string } }>(
  base: T,
  transactionRef: string,
  options: { validFromOffsetDays?: number } = {},
): T {
  const day = 86_400_000;
  const now = Date.now();
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const request = structuredClone(base);
  request.transactionRef = transactionRef;
  request.tradedAt = iso(now - 3_600_000);
  request.compliance.assessedAt = iso(now - 2 * day);
  request.usage.validFrom = iso(now + (options.validFromOffsetDays ?? -1) * day);
  request.usage.validUntil = iso(now + 300 * day);
  return request;
}
