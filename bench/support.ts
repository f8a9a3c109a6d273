import { spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { buildHttpApiEvent, createLambdaContext } from '#local/api-gateway-event.ts';
import type { IssueRequest } from '#shared/domain/schemas/issue-request.ts';
import { Scopes } from '#shared/http/routes.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { type AppOptions, buildApp } from '#shared/app/app.ts';
import { loadConfig } from '#shared/app/config.ts';
import { type AppRouteName, endpoints } from '#shared/http/endpoints/table.ts';
import { issueRequestAt } from '../test/support/issue-requests.ts';

/** A Lambda handler as `functions/<name>.ts` exports it (an endpoint on an app). */
export type FunctionHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** The machine the figures were measured on; they mean little without it. */
export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  platform: string;
  arch: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverageAtStart: number;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cpus: cores.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The exchange the benchmark issues for (registered in the table before any count starts). */
export const BENCH_EXCHANGE = { id: 'bench-exchange', name: 'Benchmark Data Exchange' } as const;

/**
 * A valid issue request for `transactionRef`, with times placed relative to `now` so that the
 * compliance rules accept it on any day the benchmark runs (the tests' own builder).
 */
export function issueRequest(transactionRef: string, now: Date = new Date()): IssueRequest {
  return issueRequestAt(now, { transactionRef });
}

/** Who calls: the claims API Gateway's JWT authorizer would hand the function. */
export type Caller = 'public' | 'exchange' | 'admin';

const CLAIMS: Record<Exclude<Caller, 'public'>, { claims: Record<string, string>; scopes: string[] }> = {
  exchange: { claims: { client_id: BENCH_EXCHANGE.id, sub: BENCH_EXCHANGE.id, scope: Scopes.issue }, scopes: [Scopes.issue] },
  admin: { claims: { client_id: 'admin.bench', sub: 'admin.bench', scope: `${Scopes.revoke} ${Scopes.read}` }, scopes: [Scopes.revoke, Scopes.read] },
};

/** Options of {@link apiEvent}. */
export interface ApiEventOptions {
  method: 'GET' | 'POST';
  /** The request target, e.g. `/v1/certificates`. */
  target: string;
  /** API Gateway route key, e.g. `POST /v1/certificates`. */
  routeKey: string;
  pathParameters?: Record<string, string>;
  body?: unknown;
  caller: Caller;
}

/** The payload format 2.0 event API Gateway would send, built by the same code as local mode's. */
export function apiEvent(options: ApiEventOptions): APIGatewayProxyEventV2WithJWTAuthorizer {
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(options.body), 'utf8');
  const rawHeaders = ['host', 'api.bench.localhost', 'user-agent', 'dcc-bench'];
  if (body.length > 0) rawHeaders.push('content-type', 'application/json');
  return buildHttpApiEvent(
    { method: options.method, target: options.target, rawHeaders, body, sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', localPort: 443 },
    {
      routeKey: options.routeKey,
      pathParameters: options.pathParameters ?? {},
      requestId: 'bench-request',
      now: new Date(),
      ...(options.caller === 'public' ? {} : { authorizer: CLAIMS[options.caller] }),
    },
  );
}

/** A Lambda context for `functionName`. */
export function lambdaContext(functionName: string): Context {
  return createLambdaContext({ functionName, timeoutMs: 10_000 });
}

/**
 * The configuration every handler runs with (`shared/app/config.ts`), for the KMS signer, as the
 * environment of a function: the cold-start measurement hands it to bundles in child processes,
 * the in-process measurements build their apps from it. Metrics are switched off: their EMF
 * lines would land on the benchmark's stdout (the handler figures switch them on and send the
 * lines to the null device).
 */
export function functionEnvironment(options: { tableName: string; dynamoDbEndpoint?: string; keyId: string }): Record<string, string> {
  return {
    AWS_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    DCC_SIGNER: 'kms',
    DCC_KMS_KEY_ID: options.keyId,
    DCC_TABLE_NAME: options.tableName,
    DCC_ISSUER: 'https://issuer.dcc.example.gov.cn',
    DCC_PUBLIC_BASE_URL: 'https://api.dcc.example.gov.cn',
    DCC_LOG_ORIGIN: 'issuer.dcc.example.gov.cn/log',
    ...(options.dynamoDbEndpoint ? { DCC_DYNAMODB_ENDPOINT: options.dynamoDbEndpoint } : {}),
    POWERTOOLS_SERVICE_NAME: 'dcc-bench',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
}

/**
 * One Lambda container of route `name`: a fresh app built from `environment` with the given SDK
 * clients (instrumented or mocked), and the route's endpoint on it, as `functions/<name>.ts`
 * makes it at cold start.
 */
export function openFunction(name: AppRouteName, environment: Record<string, string>, clients: Pick<AppOptions, 'kms' | 'dynamodb'>): FunctionHandler {
  return endpoints[name](buildApp(loadConfig(environment), clients));
}

/** Parses a handler's JSON body, failing loudly on a status other than `expected`. */
export function expectStatus(result: APIGatewayProxyStructuredResultV2, expected: number | readonly number[], what: string): unknown {
  const allowed = typeof expected === 'number' ? [expected] : expected;
  const body = typeof result.body === 'string' && result.body.length > 0 ? result.body : 'null';
  if (!allowed.includes(result.statusCode ?? 0)) {
    throw new Error(`${what}: expected ${allowed.join(' or ')}, got ${result.statusCode}: ${body.slice(0, 500)}`);
  }
  const type = String(result.headers?.['content-type'] ?? '');
  return type.includes('json') ? (JSON.parse(body) as unknown) : body;
}

/** Median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Rounds to `digits` decimals, for results that people read. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}


/**
 * Runs `body` against a local service in a fresh temporary data directory, quiet except for its
 * errors, and always stops it and removes the directory afterwards.
 */
export async function withLocalService<T>(
  prefix: string,
  log: (line: string) => void,
  body: (service: LocalService) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  try {
    const service = await startLocalService({
      dataDir,
      port: 0,
      accessLog: false,
      log: { info: () => undefined, error: (message, error) => log(`local service: ${message} ${String(error ?? '')}`) },
    });
    try {
      return await body(service);
    } finally {
      await service.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Runs a measuring child process and parses the last line of its standard output as JSON.
 * Rejects, with the start of its standard error, when it exits non-zero or prints no JSON.
 */
export function runJsonChild<T>(command: string, args: readonly string[], options: { what: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${options.what} exited ${code}: ${err.slice(0, 2000)}`));
      try {
        resolvePromise(JSON.parse(out.trim().split('\n').at(-1) ?? '') as T);
      } catch {
        reject(new Error(`${options.what} printed no result: ${out.slice(0, 500)} ${err.slice(0, 500)}`));
      }
    });
  });
}
