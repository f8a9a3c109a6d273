import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { sdkClientOptions } from '#shared/app/sdk-options.ts';
import type { AppRouteName } from '#shared/http/endpoints/table.ts';
import { DynamoDbExchangeStore } from '#shared/adapters/dynamodb/exchange-store.ts';
import { createTableInput } from '#shared/adapters/dynamodb/table.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local/dynamodb-local.ts';
import { InProcessKmsKey, InProcessSm2KmsKey } from './kms-key.ts';
import { CallCounter, countSends } from './sdk-counter.ts';
import {
  BENCH_EXCHANGE,
  type FunctionHandler,
  apiEvent,
  expectStatus,
  functionEnvironment,
  issueRequest,
  lambdaContext,
  openFunction,
  round,
} from './support.ts';

/** Calls of one operation, averaged over every operation of the phase (cold start included). */
export interface RoundTripFigure {
  /** KMS requests per operation. */
  kms: number;
  /** DynamoDB requests per operation (every attempt counts). */
  dynamodb: number;
  /** How many operations the averages are over. */
  ops: number;
  /** What the first operation of a fresh container cost: the part that amortises. */
  firstOp: { kms: number; dynamodb: number };
  /** Per operation after the first: what a warm container pays. */
  steadyState: { kms: number; dynamodb: number };
  /** Mean wall time of one operation, one after another (DynamoDB Local on this machine). */
  meanMs: number;
  /** Every call of the phase, by command. */
  calls: Record<string, number>;
}

export interface RoundTripResults {
  issue: RoundTripFigure;
  issueReplay: RoundTripFigure;
  verify: RoundTripFigure;
  revoke: RoundTripFigure;
  jwks: RoundTripFigure;
  statusList: RoundTripFigure;
}

/** Options of {@link measureRoundTrips}. */
export interface RoundTripOptions {
  /** Certificates issued (and verified); revocations and replays are a third of it. */
  issues: number;
  log: (line: string) => void;
  /** The signature suite of the functions (`DCC_SIGNATURE_SUITE`), and so of the KMS key. @default 'es256' */
  suite?: 'es256' | 'sm2';
}

/** One Lambda container of a function, with its own clients and counters. */
interface Container {
  handler: FunctionHandler;
  name: string;
  kmsCalls: () => Record<string, number>;
  dynamodb: CallCounter;
  restore: () => void;
}

/**
 * Runs the real handlers in-process, each in its own container (a fresh app with its own
 * clients), with KMS answered by aws-sdk-client-mock (real P-256 or SM2 signatures in DER, by `suite`)
 * and DynamoDB by a DynamoDB Local. KMS calls are the mock's call history (the mock replaces
 * `send`, so no middleware would see them; it never fails, so there are no retries to miss);
 * DynamoDB calls are counted on the wire by middleware, retries included.
 */
export async function measureRoundTrips(options: RoundTripOptions): Promise<RoundTripResults> {
  const { log } = options;
  log(`round trips (${options.suite ?? 'es256'}): starting DynamoDB Local`);
  const dynamo = await startDynamoDbLocal({ inMemory: true, startTimeoutMs: 180_000 });
  const suite = options.suite ?? 'es256';
  const key = suite === 'sm2' ? new InProcessSm2KmsKey() : new InProcessKmsKey();
  const tableName = `dcc-bench-${randomUUID()}`;
  const environment = {
    ...functionEnvironment({ tableName, dynamoDbEndpoint: dynamo.endpoint, keyId: key.keyId }),
    DCC_SIGNATURE_SUITE: suite,
  };
  const clientConfig = {
    ...sdkClientOptions('dynamodb'),
    endpoint: dynamo.endpoint,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const admin = new DynamoDBClient(clientConfig);
  const containers: Container[] = [];
  try {
    await admin.send(new CreateTableCommand(createTableInput(tableName)));
    const setupStore = new DynamoDbExchangeStore({
      client: DynamoDBDocumentClient.from(admin, { marshallOptions: { removeUndefinedValues: true } }),
      tableName,
    });
    await setupStore.putExchange({ id: BENCH_EXCHANGE.id, name: BENCH_EXCHANGE.name, clientIds: [BENCH_EXCHANGE.id], status: 'active' });

    const open = async (name: AppRouteName): Promise<Container> => {
      const dynamodb = new CallCounter();
      const ddbClient = new DynamoDBClient(clientConfig);
      countSends(ddbClient, dynamodb);
      const kmsClient = new KMSClient({ ...sdkClientOptions('kms'), region: 'cn-north-1' });
      const kms = mockClient(kmsClient);
      key.install(kms);
      const handler = openFunction(name, environment, { kms: kmsClient, dynamodb: ddbClient });
      const container: Container = {
        handler,
        name,
        dynamodb,
        kmsCalls: () => {
          const sign = kms.commandCalls(SignCommand).length;
          const getPublicKey = kms.commandCalls(GetPublicKeyCommand).length;
          return { ...(sign ? { Sign: sign } : {}), ...(getPublicKey ? { GetPublicKey: getPublicKey } : {}) };
        },
        restore: () => {
          kms.restore();
          ddbClient.destroy();
        },
      };
      containers.push(container);
      return container;
    };

    /** Runs `ops` operations on `container` and averages the calls they made. */
    const phase = async (container: Container, ops: number, op: (i: number) => Promise<void>): Promise<RoundTripFigure> => {
      const before = { kms: sum(container.kmsCalls()), ddb: container.dynamodb.snapshot(), kmsByCommand: container.kmsCalls() };
      let first = { kms: 0, dynamodb: 0 };
      const started = performance.now();
      for (let i = 0; i < ops; i++) {
        await op(i);
        if (i === 0) first = { kms: sum(container.kmsCalls()) - before.kms, dynamodb: sum(diff(container.dynamodb.snapshot(), before.ddb)) };
      }
      const meanMs = round((performance.now() - started) / ops, 2);
      const ddbCalls = diff(container.dynamodb.snapshot(), before.ddb);
      const kmsCalls = diff(container.kmsCalls(), before.kmsByCommand);
      return {
        kms: round(sum(kmsCalls) / ops, 3),
        dynamodb: round(sum(ddbCalls) / ops, 3),
        ops,
        firstOp: first,
        steadyState: {
          kms: ops > 1 ? round((sum(kmsCalls) - first.kms) / (ops - 1), 3) : first.kms,
          dynamodb: ops > 1 ? round((sum(ddbCalls) - first.dynamodb) / (ops - 1), 3) : first.dynamodb,
        },
        meanMs,
        calls: { ...prefix('kms:', kmsCalls), ...prefix('dynamodb:', ddbCalls) },
      };
    };

    const n = options.issues;
    const refs = Array.from({ length: n }, (_, i) => `BENCH-RT-${Date.now()}-${i}`);
    const requests = refs.map((ref) => issueRequest(ref));
    const issued: { id: string; token: string }[] = [];

    log(`round trips: ${n} issues`);
    const issuer = await open('issue-certificate');
    const issueOnce = async (i: number, expected: number) => {
      const result = await issuer.handler(
        apiEvent({ method: 'POST', target: '/v1/certificates', routeKey: 'POST /v1/certificates', body: requests[i], caller: 'exchange' }),
        lambdaContext('issue-certificate'),
      );
      return expectStatus(result, expected, `issue ${i}`) as { id: string; token: string };
    };
    const issue = await phase(issuer, n, async (i) => {
      const record = await issueOnce(i, 201);
      issued.push({ id: record.id, token: record.token });
    });

    const replays = Math.max(1, Math.floor(n / 3));
    log(`round trips: ${replays} replays`);
    const issueReplay = await phase(issuer, replays, async (i) => {
      const record = await issueOnce(i, 200);
      if (record.token !== issued[i]?.token) throw new Error(`replay ${i} returned another certificate`);
    });

    log(`round trips: ${n} verifications`);
    const verifier = await open('verify-certificate');
    const verify = await phase(verifier, n, async (i) => {
      const result = await verifier.handler(
        apiEvent({ method: 'POST', target: '/v1/verify', routeKey: 'POST /v1/verify', body: { token: issued[i]?.token }, caller: 'public' }),
        lambdaContext('verify-certificate'),
      );
      const body = expectStatus(result, 200, `verify ${i}`) as { verified: boolean; status: string };
      if (!body.verified) throw new Error(`verify ${i}: status ${body.status}`);
    });

    const revocations = Math.max(1, Math.floor(n / 3));
    log(`round trips: ${revocations} revocations`);
    const revoker = await open('revoke-certificate');
    const revoke = await phase(revoker, revocations, async (i) => {
      const id = issued[i]?.id as string;
      const result = await revoker.handler(
        apiEvent({
          method: 'POST',
          target: `/v1/certificates/${id}/revoke`,
          routeKey: 'POST /v1/certificates/{id}/revoke',
          pathParameters: { id },
          body: { reason: 'issued-in-error' },
          caller: 'admin',
        }),
        lambdaContext('revoke-certificate'),
      );
      expectStatus(result, 200, `revoke ${i}`);
    });

    log(`round trips: ${n} status list reads`);
    const lists = await open('get-status-list');
    const statusList = await phase(lists, n, async (i) => {
      const result = await lists.handler(
        apiEvent({ method: 'GET', target: '/v1/status-lists/0', routeKey: 'GET /v1/status-lists/{listId}', pathParameters: { listId: '0' }, caller: 'public' }),
        lambdaContext('get-status-list'),
      );
      expectStatus(result, 200, `status list ${i}`);
    });

    log(`round trips: ${n} JWKS reads`);
    const keys = await open('get-jwks');
    const jwks = await phase(keys, n, async (i) => {
      const result = await keys.handler(
        apiEvent({ method: 'GET', target: '/.well-known/jwks.json', routeKey: 'GET /.well-known/jwks.json', caller: 'public' }),
        lambdaContext('get-jwks'),
      );
      expectStatus(result, 200, `jwks ${i}`);
    });

    return { issue, issueReplay, verify, revoke, jwks, statusList };
  } finally {
    for (const c of containers) c.restore();
    admin.destroy();
    await dynamo.stop();
  }
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(after)) {
    const d = n - (before[name] ?? 0);
    if (d !== 0) out[name] = d;
  }
  return out;
}

function prefix(p: string, counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [`${p}${k}`, v]));
}
