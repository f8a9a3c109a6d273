import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { type LocalService, type LocalServiceOptions, startLocalService } from '#local/local-service.ts';

/**
 * A small HTTP client for integration tests against a running API: one call per request, the
 * raw text kept (byte-for-byte comparisons of replays), JSON parsed on demand.
 */

/** One answer of the API. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The body exactly as received. */
  text: string;
  /** The body parsed as JSON; throws when it is not JSON. */
  json<T = unknown>(): T;
}

/** Options of one request. */
export interface ApiRequestOptions {
  /** Bearer token; sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** A JSON body (serialised, with `Content-Type: application/json` unless `headers` set one). */
  json?: unknown;
  /** A raw body, sent as is. */
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/** Talks to one base URL, e.g. `http://127.0.0.1:41234`. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  /** Sends one request and reads the whole answer. */
  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: ApiRequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    let body: string | Buffer | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      body = options.body;
    }
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    Object.assign(headers, options.headers);
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : new Uint8Array(body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      json<T>(): T {
        return JSON.parse(text) as T;
      },
    };
  }

  get(path: string, options?: ApiRequestOptions): Promise<ApiResponse> {
    return this.request('GET', path, options);
  }

  post(path: string, options?: ApiRequestOptions): Promise<ApiResponse> {
    return this.request('POST', path, options);
  }
}

/**
 * One local service for one integration test file: a temporary data directory, a free port,
 * exchange look-ups uncached (so a suspension shows on the next request), and the errors the
 * service logs kept for the test to inspect.
 */
export interface LocalApi {
  service: LocalService;
  api: ApiClient;
  /** A client of the service's own DynamoDB Local, to look at the table directly. */
  dynamodb: DynamoDBClient;
  /** What the service logged as errors (5xx causes are logged, never sent). */
  errors: string[];
  /** Stops the service and removes its data directory. */
  stop(): Promise<void>;
}

/** Starts the service; call {@link LocalApi.stop} in `afterAll`. */
export async function startLocalApi(
  prefix: string,
  options: Pick<LocalServiceOptions, 'logIntervalMs'> & { settings?: LocalServiceOptions['settings'] } = {},
): Promise<LocalApi> {
  const dataDir = await mkdtemp(join(tmpdir(), `dcc-${prefix}-`));
  const errors: string[] = [];
  const log = { info: () => undefined, error: (message: string, error?: unknown) => errors.push(`${message}: ${String(error)}`) };
  let service: LocalService;
  try {
    // With no exchange cache every request looks its exchange up afresh.
    const { settings, ...rest } = options;
    service = await startLocalService({ dataDir, port: 0, log, accessLog: false, settings: { DCC_EXCHANGE_CACHE_SECONDS: '0', ...settings }, ...rest });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const dynamodb = new DynamoDBClient({
    endpoint: service.dynamoDb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    service,
    api: new ApiClient(service.url),
    dynamodb,
    errors,
    async stop() {
      dynamodb.destroy();
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Every certificate item in the table (sort key `CERT`), read with a full scan: the service
 * itself never scans, so this is an independent count of what was written.
 */
export async function scanCertificates(client: DynamoDBClient, tableName: string): Promise<{ id: string; status: string }[]> {
  const found: { id: string; status: string }[] = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page: ScanCommandOutput = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'sk = :cert',
        ExpressionAttributeValues: { ':cert': { S: 'CERT' } },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      found.push({ id: item['id']?.S ?? String(item['pk']?.S), status: item['status']?.S ?? '?' });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}
