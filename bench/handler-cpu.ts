import { sign, verify } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Bench, type Task } from 'tinybench';
import { clientItem } from '#shared/adapters/dynamodb/marshalling.ts';
import { parseCompactJwsStrict } from '#shared/crypto/compact-jws.ts';
import { InProcessKmsKey } from './kms-key.ts';
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

/** One handler against the raw cryptographic operation it cannot avoid. */
export interface HandlerCpuFigure {
  /** Median wall time of one request through the handler, I/O answered in-process (µs). */
  perOpUs: number;
  /** Median wall time of the raw P-256 operation on the same bytes (µs). */
  rawUs: number;
  ratio: number;
  samples: number;
  /**
   * Process CPU time (user + system, every thread: the WebCrypto thread pool and GC included)
   * per request, over `cpuOps` requests; the wall figure above also counts the main thread
   * waiting idle for a thread-pool job, this one does not.
   */
  cpuUs: number;
  /** The same for the raw operation. */
  rawCpuUs: number;
  cpuRatio: number;
  cpuOps: number;
  /**
   * The route's floor, process CPU per request: what the route cannot avoid doing. Issue: one
   * raw sign, one raw verify, and `JSON.parse` / `JSON.stringify` of the same request and
   * response bodies; verify: one raw verify and the same JSON work.
   */
  floorCpuUs: number;
  /** `cpuUs` (for issue: without the KMS stand-in, which runs in KMS in AWS) over `floorCpuUs`. */
  floorRatio: number;
}

export interface HandlerCpuResults {
  issue: HandlerCpuFigure & {
    /** The in-process KMS stand-in's own median per signature (part of `perOpUs`; in AWS it runs in KMS). */
    kmsStandInUs: number;
    /** `perOpUs` without the stand-in: the CPU an issue costs the function itself in AWS. */
    withoutKmsUs: number;
  };
  verify: HandlerCpuFigure;
}

export interface HandlerCpuOptions {
  /** Time per task (ms). */
  timeMs: number;
  log: (line: string) => void;
}

/**
 * Handler CPU per request: the real issue and verify handlers with KMS and the DynamoDB
 * document client answered by aws-sdk-client-mock (real signatures; realistic items: the
 * registered client, the status counter, the stored certificate), against raw `crypto.sign` /
 * `crypto.verify` of the same signing input. tinybench medians.
 */
export async function measureHandlerCpu(options: HandlerCpuOptions): Promise<HandlerCpuResults> {
  const key = new InProcessKmsKey();
  const environment = functionEnvironment({ tableName: 'dcc-bench-cpu', keyId: key.keyId });
  const kmsClient = new KMSClient({ region: 'cn-north-1' });
  const kms = mockClient(kmsClient);
  key.install(kms);
  const ddb = mockClient(DynamoDBDocumentClient);
  try {
    const exchange = { id: BENCH_EXCHANGE.id, name: BENCH_EXCHANGE.name, clientIds: [BENCH_EXCHANGE.id], status: 'active' as const };
    const certificates = new Map<string, Record<string, unknown>>();
    let counter = 0;
    ddb.on(GetCommand).callsFake(async (input: { Key: { pk: string } }) => {
      if (input.Key.pk.startsWith('CLIENT#')) return { Item: clientItem(BENCH_EXCHANGE.id, exchange) };
      return { Item: certificates.get(input.Key.pk) };
    });
    ddb.on(UpdateCommand).callsFake(async (input: { ExpressionAttributeValues?: Record<string, unknown> }) => {
      const by = input.ExpressionAttributeValues?.[':by'];
      if (typeof by === 'number') counter += by;
      return { Attributes: { next: counter } };
    });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteCommand).callsFake(async (input: { TransactItems?: { Put?: { Item?: Record<string, unknown> } }[] }) => {
      // Keep the certificate item, so a verification reads back exactly what was written.
      for (const item of input.TransactItems ?? []) {
        const put = item.Put?.Item;
        if (put && put['sk'] === 'CERT' && typeof put['pk'] === 'string') certificates.set(put['pk'], put);
      }
      return {};
    });

    // The document client is mocked for every instance; this one is only what it wraps.
    const ddbClient = new DynamoDBClient({ region: 'cn-north-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const open = (name: 'issue-certificate' | 'verify-certificate'): FunctionHandler =>
      openFunction(name, environment, { kms: kmsClient, dynamodb: ddbClient });
    const issuer = open('issue-certificate');
    const verifier = open('verify-certificate');

    let sequence = 0;
    const issueEvent = () =>
      apiEvent({
        method: 'POST',
        target: '/v1/certificates',
        routeKey: 'POST /v1/certificates',
        body: issueRequest(`BENCH-CPU-${++sequence}`),
        caller: 'exchange',
      });
    const firstIssue = issueEvent();
    // Read before the handler runs: its body parser replaces the event's body with the parsed value.
    const issueRequestText = firstIssue.body ?? '';
    const firstIssued = await issuer(firstIssue, lambdaContext('issue-certificate'));
    const first = expectStatus(firstIssued, 201, 'issue') as { token: string };
    const token = first.token;
    const verifyEvent = () => apiEvent({ method: 'POST', target: '/v1/verify', routeKey: 'POST /v1/verify', body: { token }, caller: 'public' });
    const firstVerify = verifyEvent();
    const verifyRequestText = firstVerify.body ?? '';
    const firstVerified = await verifier(firstVerify, lambdaContext('verify-certificate'));
    const checked = expectStatus(firstVerified, 200, 'verify') as { checks: { ok: boolean }[] };
    if (!checked.checks.every((c) => c.ok)) throw new Error(`the benchmark certificate does not verify: ${JSON.stringify(checked)}`);
    // The bodies the floors parse and write: the very ones the handlers took and gave.
    const bodies = {
      issueRequest: issueRequestText,
      issueResponse: JSON.parse(String(firstIssued.body)) as unknown,
      verifyRequest: verifyRequestText,
      verifyResponse: JSON.parse(String(firstVerified.body)) as unknown,
    };

    const parsed = parseCompactJwsStrict(token);
    const signingInput = Buffer.from(parsed.signingInput);
    const signature = Buffer.from(parsed.signature);
    const digest = (await import('node:crypto')).createHash('sha256').update(signingInput).digest();

    const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(500, options.timeMs / 4), iterations: 50 });
    let pendingIssue = issueEvent();
    let pendingVerify = verifyEvent();
    // A context per invocation, as Lambda gives: its deadline counts down from the invocation.
    let issueContext = lambdaContext('issue-certificate');
    let verifyContext = lambdaContext('verify-certificate');
    bench
      .add(
        'issue handler',
        async () => {
          const result = await issuer(pendingIssue, issueContext);
          if (result.statusCode !== 201) throw new Error(`issue answered ${result.statusCode}: ${result.body}`);
        },
        // Events are built outside the timed part: API Gateway builds them, not the function.
        {
          beforeEach: () => {
            pendingIssue = issueEvent();
            issueContext = lambdaContext('issue-certificate');
          },
        },
      )
      .add('raw crypto.sign', () => sign('sha256', signingInput, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }))
      .add('KMS stand-in sign', () => key.signDigest(digest))
      .add(
        'verify handler',
        async () => {
          const result = await verifier(pendingVerify, verifyContext);
          if (result.statusCode !== 200) throw new Error(`verify answered ${result.statusCode}: ${result.body}`);
        },
        {
          beforeEach: () => {
            pendingVerify = verifyEvent();
            verifyContext = lambdaContext('verify-certificate');
          },
        },
      )
      .add('raw crypto.verify', () => {
        if (!verify('sha256', signingInput, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('raw verify failed');
      });
    options.log(`handler CPU: ${bench.tasks.length} tasks, ${options.timeMs} ms each`);
    await bench.run();

    // Then process CPU time, the four loops taking turns in rounds so load elsewhere falls on all.
    const rounds = 8;
    const perRound = Math.max(5, Math.round(options.timeMs / 40));
    const cpu = { issue: 0, sign: 0, verify: 0, rawVerify: 0, standIn: 0, issueFloor: 0, verifyFloor: 0 };
    const rawSignOnce = () => sign('sha256', signingInput, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    const rawVerifyOnce = () => {
      if (!verify('sha256', signingInput, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('raw verify failed');
    };
    let sink = 0;
    for (let round = 0; round < rounds; round++) {
      const issueEvents = Array.from({ length: perRound }, issueEvent);
      const verifyEvents = Array.from({ length: perRound }, verifyEvent);
      cpu.issue += await cpuOf(async () => {
        for (const event of issueEvents) {
          const result = await issuer(event, lambdaContext('issue-certificate'));
          if (result.statusCode !== 201) throw new Error(`issue answered ${result.statusCode}: ${result.body}`);
        }
      });
      cpu.sign += await cpuOf(() => {
        for (let i = 0; i < perRound; i++) sign('sha256', signingInput, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
      });
      cpu.verify += await cpuOf(async () => {
        for (const event of verifyEvents) {
          const result = await verifier(event, lambdaContext('verify-certificate'));
          if (result.statusCode !== 200) throw new Error(`verify answered ${result.statusCode}: ${result.body}`);
        }
      });
      cpu.rawVerify += await cpuOf(() => {
        for (let i = 0; i < perRound; i++) rawVerifyOnce();
      });
      cpu.standIn += await cpuOf(() => {
        for (let i = 0; i < perRound; i++) key.signDigest(digest);
      });
      cpu.issueFloor += await cpuOf(() => {
        for (let i = 0; i < perRound; i++) {
          sink += (JSON.parse(bodies.issueRequest) as object) ? 1 : 0;
          rawSignOnce();
          rawVerifyOnce();
          sink += JSON.stringify(bodies.issueResponse).length;
        }
      });
      cpu.verifyFloor += await cpuOf(() => {
        for (let i = 0; i < perRound; i++) {
          sink += (JSON.parse(bodies.verifyRequest) as object) ? 1 : 0;
          rawVerifyOnce();
          sink += JSON.stringify(bodies.verifyResponse).length;
        }
      });
    }
    if (sink === 0) throw new Error('the floors did no JSON work');
    const cpuOps = rounds * perRound;
    const perOp = (total: number): number => total / cpuOps;

    const p50 = (name: string): { us: number; samples: number } => {
      const task = bench.getTask(name) as Task;
      const result = task.result;
      if (!result || result.error) throw new Error(`${name} failed: ${String(result?.error ?? 'no result')}`);
      return { us: (result.latency.p50 ?? Number.NaN) * 1000, samples: result.latency.samples.length };
    };
    const issue = p50('issue handler');
    const rawSign = p50('raw crypto.sign');
    const standIn = p50('KMS stand-in sign');
    const ver = p50('verify handler');
    const rawVerify = p50('raw crypto.verify');
    return {
      issue: {
        perOpUs: round(issue.us, 1),
        rawUs: round(rawSign.us, 1),
        ratio: round(issue.us / rawSign.us, 2),
        samples: issue.samples,
        kmsStandInUs: round(standIn.us, 1),
        withoutKmsUs: round(issue.us - standIn.us, 1),
        cpuUs: round(perOp(cpu.issue), 1),
        rawCpuUs: round(perOp(cpu.sign), 1),
        cpuRatio: round(cpu.issue / cpu.sign, 2),
        cpuOps,
        floorCpuUs: round(perOp(cpu.issueFloor), 1),
        floorRatio: round((cpu.issue - cpu.standIn) / cpu.issueFloor, 2),
      },
      verify: {
        perOpUs: round(ver.us, 1),
        rawUs: round(rawVerify.us, 1),
        ratio: round(ver.us / rawVerify.us, 2),
        samples: ver.samples,
        cpuUs: round(perOp(cpu.verify), 1),
        rawCpuUs: round(perOp(cpu.rawVerify), 1),
        cpuRatio: round(cpu.verify / cpu.rawVerify, 2),
        cpuOps,
        floorCpuUs: round(perOp(cpu.verifyFloor), 1),
        floorRatio: round(cpu.verify / cpu.verifyFloor, 2),
      },
    };
  } finally {
    kms.restore();
    ddb.restore();
  }
}

/** Process CPU time (user + system, all threads) that `work` takes, in µs. */
async function cpuOf(work: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const spent = process.cpuUsage(before);
  return spent.user + spent.system;
}
