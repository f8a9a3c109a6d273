import { createPublicKey } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { handler as verificationPage } from '../functions/verification-page.ts';
import { type App, type AppOptions, buildApp } from '../shared/app/app.ts';
import { type Config, type ConfigInput, loadConfig } from '../shared/app/config.ts';
import { endpoints, isAppRoute } from '../shared/http/endpoints/table.ts';
import { requestLocale } from '../shared/http/handler.ts';
import { problemResponse } from '../shared/http/problems.ts';
import { problemDetail } from '../shared/i18n/messages/problems.ts';
import { type RouteDefinition, routeKey, routes } from '../shared/http/routes.ts';
import { createTableInput } from '../shared/adapters/dynamodb/table.ts';
import type { LambdaHandler, LocalRoute } from './api-gateway-event.ts';
import { startDynamoDbLocal } from './dynamodb-local/dynamodb-local.ts';
import { type IntegratorLoop, startIntegratorLoop } from './integrator-loop.ts';
import { LOG_KEY_FILE } from '../shared/adapters/key-file/note-signer.ts';
import { ACCESS_TOKEN_AUDIENCE } from '../shared/domain/oauth.ts';
import { DevClients, SERVICE_URL_FILE, registerDevClients } from './dev-clients.ts';
import {
  type LocalLog,
  type LocalRouteBinding,
  type StartedHttpServer,
  createRequestListener,
  sendProblem,
  startHttpServer,
} from './http-adapter.ts';
import { createJwtAuthorizer } from './jwt-authorizer.ts';
import { ensureDirectory, errorCode, readIfExists, writeFileAtomic } from '../shared/adapters/key-file/files.ts';

/**
 * The whole API on one machine: DynamoDB Local, the local signing key, the local token endpoint with its dev clients,
 * and the real endpoints behind the local HTTP adapter. `npm start` runs it; integration tests
 * start it in-process on a free port.
 *
 * Each service builds its own configuration and its own app, exactly as a Lambda container
 * does from its environment, and binds every route's endpoint to that app. Nothing is kept in
 * the process environment or in module state, so several services can run in one process (on
 * different data directories).
 */

/** The certificate signing key in the data directory (not the access-token key). */
export const SIGNING_KEY_FILE = 'signing-key.pem';
/** The access-token key (RSA), local mode's stand-in for the KMS `RSA_2048` key. */
export const ACCESS_TOKEN_KEY_FILE = 'access-token-key.pem';
/** Local access tokens live 12 hours (a walkthrough's worth) unless the settings say otherwise. */
const LOCAL_ACCESS_TOKEN_TTL_SECONDS = '43200';
/** The SM2 certificate signing key (`DCC_SIGNATURE_SUITE=sm2`): its own file, so switching suites never misreads a key. */
export const SM2_SIGNING_KEY_FILE = 'signing-key-sm2.pem';
/** DynamoDB Local keeps its database files here, under the data directory. */
export const DYNAMODB_DIR = 'dynamodb';
/** The table local mode uses unless told otherwise. */
export const DEFAULT_LOCAL_TABLE_NAME = 'dcc-local';
/** The transparency log's origin (and note key name) unless the settings' `DCC_LOG_ORIGIN` says otherwise. */
export const DEFAULT_LOCAL_LOG_ORIGIN = 'dcc.localhost/log';
/** Holds the process id of the service using the data directory. */
export const SERVICE_LOCK_FILE = 'service.pid';
/**
 * The certificates' `issuer` unless the settings' `DCC_ISSUER` says otherwise: stable across
 * ports and restarts, and under `.localhost` (RFC 6761) so it can never name a real authority.
 */
export const DEFAULT_LOCAL_ISSUER = 'https://issuer.dcc.localhost';

/** The local-only health route: 200 once DynamoDB Local answers. */
export const HEALTH_ROUTE: LocalRoute = { handler: 'healthz', method: 'GET', path: '/healthz', auth: 'public' };

/** Options of {@link startLocalService}. */
export interface LocalServiceOptions {
  /** Where the database, keys and registrations live; created if missing. */
  dataDir: string;
  /** HTTP port; 0 picks any free port. */
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  log: LocalLog;
  /** @default DEFAULT_LOCAL_TABLE_NAME */
  tableName?: string;
  /**
   * Configuration over local mode's defaults (see {@link localConfiguration}), e.g. the issuer,
   * the log origin, the exchange cache or the log level; `npm start` takes them from its
   * environment ({@link settingsFromEnvironment}). What the service itself decides (signer, key
   * files, table, endpoints, public URL) cannot be overridden.
   */
  settings?: LocalSettings;
  /** What the app is built with besides its configuration (a clock, instrumented clients). */
  appOptions?: AppOptions;
  /** One log line per request. @default true */
  accessLog?: boolean;
  /**
   * How often the transparency log's integrator looks for changes on its own; an issue or a
   * revocation through this service runs a pass at once anyway. @default 200
   */
  logIntervalMs?: number;
}

/** A running local service. */
export interface LocalService {
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  port: number;
  dataDir: string;
  tableName: string;
  /** DynamoDB Local's endpoint and the process id of its Java process. */
  dynamoDb: { endpoint: string; pid: number };
  /** The dev clients (demo exchange, auditor, admin): tokens from this service's token endpoint. */
  devClients: DevClients;
  /** The access-token key file (RSA, PKCS#8 PEM). */
  accessTokenKeyFile: string;
  /** The configuration the app was built from, as the environment variables of a function would carry it. */
  environment: Readonly<Record<string, string>>;
  /** The app behind the routes (its stores reach this service's DynamoDB Local). */
  app: App;
  /** Stops the HTTP server, then DynamoDB Local. Idempotent. */
  stop(): Promise<void>;
}

/** The configuration variables a caller may set for a local service. */
const LOCAL_SETTINGS = [
  'DCC_ISSUER',
  'DCC_SIGNATURE_SUITE',
  'DCC_LOG_ORIGIN',
  'DCC_LOG_SIGNATURE',
  'DCC_CLOCK_SKEW_SECONDS',
  'DCC_MAX_VALIDITY_DAYS',
  'DCC_EXCHANGE_CACHE_SECONDS',
  'DCC_STATUS_LIST_TTL_SECONDS',
  'DCC_ACCESS_TOKEN_TTL_SECONDS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_DISABLED',
  'AWS_REGION',
] as const satisfies readonly (keyof ConfigInput)[];

/** Values of {@link LOCAL_SETTINGS}. */
export type LocalSettings = { readonly [K in (typeof LOCAL_SETTINGS)[number]]?: string };

/** The {@link LOCAL_SETTINGS} that `env` sets (how `npm start` passes its environment on). */
export function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): LocalSettings {
  const settings: Record<string, string> = {};
  for (const name of LOCAL_SETTINGS) {
    const value = env[name];
    if (value !== undefined) settings[name] = value;
  }
  return settings;
}

/**
 * Local mode's configuration: a key file instead of KMS (in the data directory, like the log's
 * key), DynamoDB Local, metrics off (their blobs on stdout help no one locally), logs from warnings
 * up, and the local issuer and log origin, each unless `settings` says otherwise.
 */
export function localConfiguration(options: {
  dataDir: string;
  tableName: string;
  dynamoDbEndpoint: string;
  publicBaseUrl: string;
  settings?: LocalSettings;
}): Record<string, string> {
  const defaults: LocalSettings = {
    DCC_ISSUER: DEFAULT_LOCAL_ISSUER,
    DCC_LOG_ORIGIN: DEFAULT_LOCAL_LOG_ORIGIN,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    DCC_ACCESS_TOKEN_TTL_SECONDS: LOCAL_ACCESS_TOKEN_TTL_SECONDS,
  };
  const owned = {
    DCC_SIGNER: 'local',
    DCC_LOCAL_KEY_FILE: join(options.dataDir, options.settings?.DCC_SIGNATURE_SUITE === 'sm2' ? SM2_SIGNING_KEY_FILE : SIGNING_KEY_FILE),
    DCC_DYNAMODB_ENDPOINT: options.dynamoDbEndpoint,
    DCC_TABLE_NAME: options.tableName,
    DCC_PUBLIC_BASE_URL: options.publicBaseUrl,
    DCC_LOG_KEY_FILE: join(options.dataDir, LOG_KEY_FILE),
    DCC_ACCESS_TOKEN_KEY_FILE: join(options.dataDir, ACCESS_TOKEN_KEY_FILE),
  } satisfies ConfigInput;
  const merged: Record<string, string | undefined> = { ...defaults, ...options.settings, ...owned };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Data directories a service of this process holds (the lock file cannot tell them apart: same pid). */
const heldDataDirs = new Set<string>();

/** Starts the local service. Progress goes to `options.log.info`, one line per step. */
export async function startLocalService(options: LocalServiceOptions): Promise<LocalService> {
  const log = options.log;
  const dataDir = resolve(options.dataDir);
  const tableName = options.tableName ?? DEFAULT_LOCAL_TABLE_NAME;
  // Stopping closes the HTTP server first (running requests still reach the database), then
  // undoes the other steps in reverse: the log integrator, clients, DynamoDB Local, the directory lock.
  let closeHttp: (() => Promise<void>) | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    const steps = [...(closeHttp ? [closeHttp] : []), ...cleanups.reverse()];
    closeHttp = undefined;
    cleanups.length = 0;
    for (const step of steps) {
      await step().catch((error: unknown) => log.error('stopping the local service', error));
    }
  };

  try {
    await ensureDirectory(dataDir);
    // Two DynamoDB Local processes on one database folder would corrupt it.
    cleanups.push(await lockDataDirectory(dataDir));
    log.info(`data directory ${dataDir}`);

    // Bound first: a taken port fails in milliseconds, before DynamoDB Local is started for nothing.
    let listener: (req: IncomingMessage, res: ServerResponse) => void = (req, res) =>
      sendProblem(req, res, 'service-unavailable', problemDetail('detail.local-starting'), { 'retry-after': '1' });
    const http: StartedHttpServer = await startHttpServer({
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
      listener: (req, res) => listener(req, res),
    });
    closeHttp = () => http.close();

    log.info('starting DynamoDB Local…');
    const dynamo = await startDynamoDbLocal({
      dataDir: join(dataDir, DYNAMODB_DIR),
      // The launcher's progress and the engine's errors; its start-up banner is noise here.
      log: (line, source) => {
        if (source !== 'stdout') log.info(`dynamodb-local: ${line}`);
      },
    });
    cleanups.push(() => dynamo.stop());
    log.info(`DynamoDB Local on ${dynamo.endpoint} (pid ${dynamo.pid}, data in ${join(dataDir, DYNAMODB_DIR)})`);

    const environment = localConfiguration({
      dataDir,
      tableName,
      dynamoDbEndpoint: dynamo.endpoint,
      publicBaseUrl: http.url,
      ...(options.settings ? { settings: options.settings } : {}),
    });
    const config: Config = loadConfig(environment);

    const admin = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: config.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
    });
    cleanups.push(async () => admin.destroy());
    const created = await ensureTable(admin, tableName);
    log.info(`table ${tableName} ${created ? 'created' : 'present'}`);

    const app = buildApp(config, options.appOptions);
    const signer = await app.signer();
    log.info(`signing key ${config.DCC_LOCAL_KEY_FILE} (kid ${(await signer.publicJwk()).kid})`);

    const tokenKey = await (await app.authorizationServer.signer()).publicJwk();
    log.info(`access-token key ${config.DCC_ACCESS_TOKEN_KEY_FILE} (kid ${tokenKey.kid})`);
    await registerDevClients(app.stores.clients, dataDir, app.clock());
    log.info('dev clients registered: demo-exchange, auditor.local, admin.local');

    // The transparency log's integrator, in process; stopped before DynamoDB Local is.
    const integrator = await app.log.integrator();
    const logLoop = startIntegratorLoop({
      run: () => integrator.drain(),
      ...(options.logIntervalMs === undefined ? {} : { intervalMs: options.logIntervalMs }),
      onError: (error) => log.error('log integrator pass failed; will retry', error),
    });
    cleanups.push(() => logLoop.stop());
    log.info(`transparency log ${config.DCC_LOG_ORIGIN} (key ${config.DCC_LOG_KEY_FILE})`);

    const bindings: LocalRouteBinding[] = [];
    for (const route of routes) {
      const handler = isAppRoute(route.handler) ? endpoints[route.handler](app) : verificationPage;
      bindings.push({ route, handler: changesCertificates(route) ? nudgingAfterSuccess(handler, logLoop) : handler });
    }
    bindings.push({ route: HEALTH_ROUTE, handler: healthHandler(admin, tableName) });
    log.info(`${routes.length} routes loaded: ${routes.map((r) => routeKey(r)).join(', ')}`);

    // What API Gateway's authorizer is configured with in AWS: the one issuer, its JWKS, the one audience.
    const authorize = createJwtAuthorizer({
      issuer: app.authorizationServer.issuer,
      keys: [{ kid: tokenKey.kid, key: createPublicKey({ key: { ...tokenKey }, format: 'jwk' }) }],
      audience: () => new Set([ACCESS_TOKEN_AUDIENCE]),
      algorithms: ['RS256'],
    });
    listener = createRequestListener({ bindings, authorize, log, accessLog: options.accessLog ?? true });
    const urlFile = join(dataDir, SERVICE_URL_FILE);
    await writeFileAtomic(urlFile, `${http.url}\n`);
    cleanups.push(() => unlink(urlFile).catch(() => undefined));

    let stopping: Promise<void> | undefined;
    return {
      url: http.url,
      port: http.port,
      dataDir,
      tableName,
      dynamoDb: { endpoint: dynamo.endpoint, pid: dynamo.pid },
      devClients: new DevClients(http.url, dataDir),
      accessTokenKeyFile: config.DCC_ACCESS_TOKEN_KEY_FILE as string,
      environment,
      app,
      stop() {
        stopping ??= cleanup();
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Issue and revoke: their transaction puts the audit event in the log's outbox. */
function changesCertificates(route: RouteDefinition): boolean {
  return route.method === 'POST' && route.needs.table === 'read-write' && route.path.startsWith('/v1/certificates');
}

/**
 * Runs the integrator's next pass as soon as `handler` has made a change, instead of at the
 * loop's next tick, so a proof is served about one pass after the change. The change does not
 * wait for it: the response goes out at once.
 */
function nudgingAfterSuccess(handler: LambdaHandler, loop: IntegratorLoop): LambdaHandler {
  return async (event, context) => {
    const result = await handler(event, context);
    const status = result.statusCode ?? 200;
    if (status >= 200 && status < 300) loop.nudge();
    return result;
  };
}

/** Creates the table when missing; true when it did. */
async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    // Another process created it in between: as good as ours.
    if (!(error instanceof ResourceInUseException)) throw error;
    return false;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE`);
}

/** `GET /healthz`: 200 when DynamoDB Local answers for the table, else 503. */
function healthHandler(client: DynamoDBClient, tableName: string): LambdaHandler {
  return async (event) => {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus !== 'ACTIVE') throw new Error(`table status ${Table?.TableStatus}`);
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: JSON.stringify({ status: 'ok', dynamodb: 'ok', table: tableName }),
      };
    } catch {
      return problemResponse('service-unavailable', problemDetail('detail.dynamodb-local-down'), [], { 'retry-after': '1' }, requestLocale(event));
    }
  };
}

/**
 * Marks `dataDir` as in use by this process (`<dataDir>/service.pid`); a second service on the
 * same directory, in this process or another, fails with a message naming the first. A file left
 * by a process that no longer runs is taken over. Returns the release.
 */
async function lockDataDirectory(dataDir: string): Promise<() => Promise<void>> {
  if (heldDataDirs.has(dataDir)) {
    throw new Error(`Another local service (pid ${process.pid}, this process) uses ${dataDir}; stop it or choose another DCC_DATA_DIR.`);
  }
  heldDataDirs.add(dataDir);
  const path = join(dataDir, SERVICE_LOCK_FILE);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        return async () => {
          await unlink(path).catch(() => undefined);
          heldDataDirs.delete(dataDir);
        };
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      const holder = Number.parseInt((await readIfExists(path)) ?? '', 10);
      // Our own pid without our own claim is a file left by an earlier process that had it.
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(`Another local service (pid ${holder}) uses ${dataDir}; stop it or choose another DCC_DATA_DIR.`);
      }
      await unlink(path).catch(() => undefined);
    }
    throw new Error(`Could not take ${path}`);
  } catch (error) {
    heldDataDirs.delete(dataDir);
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

