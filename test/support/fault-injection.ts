import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { sdkClientOptions } from '#shared/app/sdk-options.ts';
import { FakeKmsKey } from './fake-kms-key.ts';

/**
 * Fault injection for the AWS dependencies, at the wire, so that the SDK's own retry strategy,
 * timeouts and error deserialisation run exactly as in production:
 *
 * - {@link FakeKmsServer} is a loopback HTTP server speaking the KMS JSON protocol. It signs for
 *   real (a P-256 key in KMS DIGEST mode) and answers with scripted faults: throttling, internal
 *   errors, dependency timeouts, or silence beyond the client's request timeout.
 * - {@link faultyDynamoDbClient} wraps the request handler of a real DynamoDB client (pointed at
 *   DynamoDB Local): a scripted fault either answers in DynamoDB's place (the request never
 *   reaches the table) or lets the request reach the table and then fails the response, which is
 *   a timeout after the write landed.
 */

const CREDENTIALS = { accessKeyId: 'AKIDFAULTINJECTION', secretAccessKey: 'secret' };

/** A KMS fault, as the service (or the network) produces it. */
export type KmsFault =
  | 'ThrottlingException'
  | 'KMSInternalException'
  | 'DependencyTimeoutException'
  | 'KeyUnavailableException'
  /** The server accepts the request and answers only after `ms` (beyond the client timeout). */
  | { slowMs: number };

const KMS_FAULT_STATUS: Record<Exclude<KmsFault, { slowMs: number }>, number> = {
  ThrottlingException: 400,
  KMSInternalException: 500,
  DependencyTimeoutException: 503,
  KeyUnavailableException: 500,
};

/** The KMS operations the service calls. */
export type KmsOperation = 'Sign' | 'GetPublicKey';

/** A loopback KMS with one real key and a script of faults per operation. */
export class FakeKmsServer {
  /** Requests received per operation, faulted or not. */
  readonly calls: Record<KmsOperation, number> = { Sign: 0, GetPublicKey: 0 };
  private readonly script: Record<KmsOperation, KmsFault[]> = { Sign: [], GetPublicKey: [] };
  private readonly pending = new Set<ServerResponse>();

  private constructor(
    readonly key: FakeKmsKey,
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeKmsServer> {
    const key = await FakeKmsKey.create();
    let self: FakeKmsServer | undefined;
    const server = createServer((req, res) => {
      void self?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new FakeKmsServer(key, server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** The next `faults.length` requests of `operation` fail in this order; later ones succeed. */
  fail(operation: KmsOperation, ...faults: KmsFault[]): void {
    this.script[operation].push(...faults);
  }

  /** Forgets the remaining script and the call counts. */
  reset(): void {
    this.script.Sign.length = 0;
    this.script.GetPublicKey.length = 0;
    this.calls.Sign = 0;
    this.calls.GetPublicKey = 0;
  }

  /** A KMS client for this server with the production retry and timeout settings. */
  client(): KMSClient {
    return new KMSClient({ ...sdkClientOptions('kms'), endpoint: this.url, region: 'cn-north-1', credentials: CREDENTIALS });
  }

  async stop(): Promise<void> {
    for (const res of this.pending) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.key.dispose();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.pending.add(res);
    res.on('close', () => this.pending.delete(res));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.replace(/^TrentService\./, '') as KmsOperation;
    if (operation !== 'Sign' && operation !== 'GetPublicKey') {
      return this.answer(res, 400, { __type: 'UnsupportedOperationException', message: `fake KMS does not do ${target}` });
    }
    this.calls[operation] += 1;
    const fault = this.script[operation].shift();
    if (fault !== undefined) {
      if (typeof fault === 'object') {
        await new Promise((resolve) => setTimeout(resolve, fault.slowMs));
        if (res.destroyed) return;
      } else {
        return this.answer(res, KMS_FAULT_STATUS[fault], { __type: fault, message: `injected ${fault}` });
      }
    }
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    try {
      if (operation === 'GetPublicKey') {
        const out = this.key.getPublicKeyOutput();
        return this.answer(res, 200, { ...out, PublicKey: Buffer.from(out.PublicKey as Uint8Array).toString('base64') });
      }
      const signed = await this.key.sign({
        KeyId: String(input['KeyId']),
        Message: Buffer.from(String(input['Message']), 'base64'),
        MessageType: input['MessageType'] as 'DIGEST',
        SigningAlgorithm: input['SigningAlgorithm'] as 'ECDSA_SHA_256',
      });
      return this.answer(res, 200, { ...signed, Signature: Buffer.from(signed.Signature).toString('base64') });
    } catch (error) {
      const name = (error as Error).name;
      return this.answer(res, 400, { __type: name, message: (error as Error).message });
    }
  }

  private answer(res: ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  }
}

/** The DynamoDB operations the service calls (the `X-Amz-Target` suffix). */
export type DynamoDbOperation = 'GetItem' | 'Query' | 'UpdateItem' | 'PutItem' | 'TransactWriteItems';

/** A DynamoDB fault. */
export type DynamoDbFault =
  /** Answered in DynamoDB's place: the request never reaches the table. */
  | { respond: 'ProvisionedThroughputExceededException' | 'ThrottlingException' | 'InternalServerError' | 'RequestLimitExceeded' }
  /** A cancelled transaction with these reason codes (the request never reaches the table). */
  | { cancel: readonly ('None' | 'TransactionConflict' | 'ThrottlingError' | 'ConditionalCheckFailed')[] }
  /** The request reaches the table and commits; the client then sees a timeout instead of the answer. */
  | 'timeout-after-write';

interface ScriptedDynamoDbFault {
  operation: DynamoDbOperation;
  fault: DynamoDbFault;
  /** Only requests whose body contains this text (e.g. a status-list key). */
  bodyContains?: string;
}

/** Handle on the faults of one {@link faultyDynamoDbClient}. */
export interface DynamoDbFaults {
  /** Appends a fault for the next matching request; returns this for chaining. */
  fail(operation: DynamoDbOperation, fault: DynamoDbFault, options?: { bodyContains?: string }): DynamoDbFaults;
  /** Requests that reached the real table, per operation. */
  readonly delivered: Record<string, number>;
  /** Faults injected so far, in order. */
  readonly injected: { operation: string; fault: DynamoDbFault }[];
  /** Faults still waiting for their request. */
  remaining(): number;
  reset(): void;
}

const DYNAMODB_STATUS: Record<string, number> = {
  ProvisionedThroughputExceededException: 400,
  ThrottlingException: 400,
  RequestLimitExceeded: 400,
  InternalServerError: 500,
};

interface WireRequest {
  headers: Record<string, string>;
  body?: unknown;
}
interface WireHandler {
  handle(request: WireRequest, options?: unknown): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: unknown } }>;
}

/**
 * A DynamoDB client for `endpoint` (DynamoDB Local) with the production retry and timeout
 * settings, whose requests pass through a script of faults. The faults sit below the SDK's
 * retry strategy, so a retryable fault is retried by the SDK exactly as in production.
 */
export function faultyDynamoDbClient(endpoint: string): { client: DynamoDBClient; faults: DynamoDbFaults } {
  const client = new DynamoDBClient({ ...sdkClientOptions('dynamodb'), endpoint, region: 'us-east-1', credentials: CREDENTIALS });
  const script: ScriptedDynamoDbFault[] = [];
  const delivered: Record<string, number> = {};
  const injected: { operation: string; fault: DynamoDbFault }[] = [];
  const config = client.config as unknown as { requestHandler: WireHandler };
  const inner = config.requestHandler;

  const wrapper: WireHandler = {
    async handle(request, options) {
      const operation = String(request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'] ?? '').split('.').pop() ?? '';
      const body = typeof request.body === 'string' ? request.body : request.body instanceof Uint8Array ? Buffer.from(request.body).toString('utf8') : '';
      const at = script.findIndex((s) => s.operation === operation && (!s.bodyContains || body.includes(s.bodyContains)));
      const scripted = at >= 0 ? script.splice(at, 1)[0] : undefined;
      if (!scripted) {
        delivered[operation] = (delivered[operation] ?? 0) + 1;
        return inner.handle(request, options);
      }
      injected.push({ operation, fault: scripted.fault });
      const fault = scripted.fault;
      if (fault === 'timeout-after-write') {
        delivered[operation] = (delivered[operation] ?? 0) + 1;
        const out = await inner.handle(request, options);
        // The whole answer arrived, so the write is in the table; the caller never learns it.
        for await (const _chunk of out.response.body as AsyncIterable<unknown>) {
          // drain
        }
        throw Object.assign(new Error('injected: the response timed out after the request was sent'), {
          name: 'TimeoutError',
          code: 'ETIMEDOUT',
        });
      }
      if ('cancel' in fault) {
        return jsonResponse(400, {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${fault.cancel.join(', ')}]`,
          CancellationReasons: fault.cancel.map((Code) => (Code === 'None' ? { Code } : { Code, Message: `injected ${Code}` })),
        });
      }
      return jsonResponse(DYNAMODB_STATUS[fault.respond] ?? 400, {
        __type: `com.amazonaws.dynamodb.v20120810#${fault.respond}`,
        message: `injected ${fault.respond}`,
      });
    },
  };
  config.requestHandler = Object.assign(Object.create(inner as object) as WireHandler, { handle: wrapper.handle });

  const faults: DynamoDbFaults = {
    fail(operation, fault, options = {}) {
      script.push({ operation, fault, ...(options.bodyContains ? { bodyContains: options.bodyContains } : {}) });
      return faults;
    },
    delivered,
    injected,
    remaining: () => script.length,
    reset() {
      script.length = 0;
      injected.length = 0;
      for (const k of Object.keys(delivered)) delete delivered[k];
    },
  };
  return { client, faults };
}

function jsonResponse(statusCode: number, body: unknown) {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  return Promise.resolve({
    response: {
      statusCode,
      reason: statusCode === 200 ? 'OK' : 'Error',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': String(bytes.length),
        'x-amzn-requestid': `FAULT${Date.now()}`,
      },
      body: Readable.from([bytes]),
    },
  });
}
