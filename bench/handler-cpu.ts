import { Console } from 'node:console';
import { createHash, sign } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { devNull } from 'node:os';
import { Writable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Bench, type Task } from 'tinybench';
import { clientItem } from '#shared/adapters/dynamodb/marshalling.ts';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type App, buildApp } from '#shared/app/app.ts';
import { loadConfig } from '#shared/app/config.ts';
import { endpoints } from '#shared/http/endpoints/table.ts';
import type { RouteLayers } from '#shared/http/handler.ts';
import { InProcessKmsKey } from './kms-key.ts';
import { rawInputOf, rawVerify as rawVerifyDer } from './raw-verify.ts';
import {
  BENCH_EXCHANGE,
  type FunctionHandler,
  apiEvent,
  expectStatus,
  functionEnvironment,
  issueRequest,
  lambdaContext,
  median,
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
   * per request: the median of rounds that share out `cpuOps` requests; the wall figure above
   * also counts the main thread waiting idle for a thread-pool job, this one does not.
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
  /**
   * Process CPU per request of the same endpoint opened three ways (for issue, each includes the
   * KMS stand-in): `bareUs` without middy and Powertools (one plain function doing the same
   * work), `middyUs` with the middy chain but no Powertools logger or metrics, `powertoolsUs`
   * with both, as production runs it (= `cpuUs`; each request's EMF line is made and written, to
   * the null device: see `writeEmfToNull`). Each layer's cost is the difference to the one before,
   * measured with the three endpoints taking turns request by request (see `layerCosts`).
   */
  layers: { bareUs: number; middyUs: number; powertoolsUs: number };
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
 * document client answered in-process (real signatures; realistic items: the
 * registered client, the status counter, the stored certificate), against raw `crypto.sign` /
 * `crypto.verify` of the same signing input. tinybench medians.
 */
/** The issue and verify handlers of one warm container each, with their I/O answered in-process. */
export interface HandlerBench {
  issuer: FunctionHandler;
  verifier: FunctionHandler;
  /** The same two endpoints opened with fewer layers (`full` is `issuer` / `verifier`). */
  layered: Record<Exclude<RouteLayers, 'full'>, { issuer: FunctionHandler; verifier: FunctionHandler }>;
  /** Opens one more issue or verify endpoint on the same app, with `change` applied to its dependencies. */
  open: (name: 'issue-certificate' | 'verify-certificate', change: (app: App) => App) => FunctionHandler;
  /** A fresh issue request for a new transaction, and its Lambda context: what API Gateway and Lambda build. */
  issueEvent: () => Invocation;
  /** A verification request of the one certificate issued at the start. */
  verifyEvent: () => Invocation;
  key: InProcessKmsKey;
  token: string;
  /** The bodies the first issue and verification took and gave: what the floors parse and write. */
  bodies: { issueRequest: string; issueResponse: unknown; verifyRequest: string; verifyResponse: unknown };
  /** Puts the SDK clients' own `send` back. */
  close: () => void;
}

/** An event and its context, made outside the measured part. */
export interface Invocation {
  event: Parameters<FunctionHandler>[0];
  context: Parameters<FunctionHandler>[1];
}

/**
 * Opens the issue and verify functions as `functions/*.ts` make them, with KMS and the DynamoDB
 * document client answered in-process (real signatures; realistic items: the registered client,
 * the status counter, the stored certificate), issues and verifies one certificate, and checks
 * both answers. Call `close` when done.
 */
export async function openHandlerBench(): Promise<HandlerBench> {
  const key = new InProcessKmsKey();
  // Metrics on, as in a function: each request's EMF line is made and written (see writeEmfToNull).
  const environment = { ...functionEnvironment({ tableName: 'dcc-bench-cpu', keyId: key.keyId }), POWERTOOLS_METRICS_DISABLED: 'false' };
  const kmsClient = new KMSClient({ region: 'cn-north-1' });
  const undoKms = new InProcessAnswers()
    .on(SignCommand, async (input) => key.signOutput(input))
    .on(GetPublicKeyCommand, async () => key.getPublicKeyOutput())
    .install(kmsClient);
  const exchange = { id: BENCH_EXCHANGE.id, name: BENCH_EXCHANGE.name, clientIds: [BENCH_EXCHANGE.id], status: 'active' as const };
  const certificates = new Map<string, Record<string, unknown>>();
  let counter = 0;
  // Every document client (the app makes its own around the client below) answers in-process.
  const undoDynamoDb = new InProcessAnswers()
    .on(GetCommand, async (input) => {
      const pk = String(input.Key?.['pk']);
      if (pk.startsWith('CLIENT#')) return { Item: clientItem(BENCH_EXCHANGE.id, exchange) };
      return { Item: certificates.get(pk) };
    })
    .on(UpdateCommand, async (input) => {
      const by: unknown = input.ExpressionAttributeValues?.[':by'];
      if (typeof by === 'number') counter += by;
      return { Attributes: { next: counter } };
    })
    .on(QueryCommand, async () => ({ Items: [] }))
    .on(TransactWriteCommand, async (input) => {
      // Keep the first certificate's item, the one every verification reads back exactly as it
      // was written. Only that one: keeping every issued item would grow the heap by one
      // certificate per request, and the collector's copying of them would be charged to the
      // handler, a cost that a real table does not put on the function.
      if (certificates.size > 0) return {};
      for (const item of input.TransactItems ?? []) {
        const put: Record<string, unknown> | undefined = item.Put?.Item;
        if (put && put['sk'] === 'CERT' && typeof put['pk'] === 'string') certificates.set(put['pk'], put);
      }
      return {};
    })
    .install(DynamoDBDocumentClient.prototype);
  let emf: EmfSink | undefined;
  const close = (): void => {
    undoKms();
    undoDynamoDb();
    emf?.close();
  };
  try {
    // Only what the app's document client wraps: every send is answered above.
    const ddbClient = new DynamoDBClient({ region: 'cn-north-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    // One app, as `functions/*.ts` build it at cold start; every endpoint below shares it.
    const app = buildApp(loadConfig(environment), { kms: kmsClient, dynamodb: ddbClient });
    emf = writeEmfToNull(app.metrics);
    const noMetrics = new NoMetrics({ namespace: 'dcc-bench', serviceName: 'dcc-bench' });
    const open = (name: 'issue-certificate' | 'verify-certificate', layers: RouteLayers = 'full'): FunctionHandler =>
      endpoints[name](layers === 'full' ? app : { ...app, layers, metrics: noMetrics });
    const issuer = open('issue-certificate');
    const verifier = open('verify-certificate');
    const layered = {
      bare: { issuer: open('issue-certificate', 'bare'), verifier: open('verify-certificate', 'bare') },
      middy: { issuer: open('issue-certificate', 'middy'), verifier: open('verify-certificate', 'middy') },
    };

    let sequence = 0;
    // A context per invocation, as Lambda gives: its deadline counts down from the invocation.
    const issueEvent = (): Invocation => ({
      event: apiEvent({
        method: 'POST',
        target: '/v1/certificates',
        routeKey: 'POST /v1/certificates',
        body: issueRequest(`BENCH-CPU-${++sequence}`),
        caller: 'exchange',
      }),
      context: lambdaContext('issue-certificate'),
    });
    const firstIssue = issueEvent();
    // Read before the handler runs: the chain replaces the event's body with the parsed value.
    const issueRequestText = firstIssue.event.body ?? '';
    const firstIssued = await issuer(firstIssue.event, firstIssue.context);
    const token = (expectStatus(firstIssued, 201, 'issue') as { token: string }).token;
    const verifyEvent = (): Invocation => ({
      event: apiEvent({ method: 'POST', target: '/v1/verify', routeKey: 'POST /v1/verify', body: { token }, caller: 'public' }),
      context: lambdaContext('verify-certificate'),
    });
    const firstVerify = verifyEvent();
    const verifyRequestText = firstVerify.event.body ?? '';
    const firstVerified = await verifier(firstVerify.event, firstVerify.context);
    const checked = expectStatus(firstVerified, 200, 'verify') as { checks: { ok: boolean }[] };
    if (!checked.checks.every((c) => c.ok)) throw new Error(`the benchmark certificate does not verify: ${JSON.stringify(checked)}`);
    // One metric each, so one EMF line each: fewer would mean the figures leave out work a function does.
    if (emf.lines() !== 2) throw new Error(`the first issue and verification wrote ${emf.lines()} EMF lines, not 2`);
    return {
      issuer,
      verifier,
      layered,
      open: (name, change) => endpoints[name](change(app)),
      issueEvent,
      verifyEvent,
      key,
      token,
      // The very bodies the handlers took and gave.
      bodies: {
        issueRequest: issueRequestText,
        issueResponse: JSON.parse(String(firstIssued.body)) as unknown,
        verifyRequest: verifyRequestText,
        verifyResponse: JSON.parse(String(firstVerified.body)) as unknown,
      },
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * The raw operations a handler is compared with, on the bytes of the certificate the bench issued
 * first: each call does one of them and returns a number that depends on its work (so none can
 * be left out). The routes' floors (see `HandlerCpuFigure`), and the KMS stand-in's signature.
 */
interface RouteFloors {
  rawSign: () => number;
  rawVerify: () => number;
  /** What the KMS stand-in does for one Sign (in AWS, KMS's work, not the function's). */
  standIn: () => number;
  /** One raw sign, one raw verify and the JSON of the issue route's bodies. */
  issueFloor: () => number;
  /** One raw verify and the JSON of the verify route's bodies. */
  verifyFloor: () => number;
}

/** The floors of `bench`'s routes, on the certificate it issued first. */
function routeFloors({ key, token, bodies }: HandlerBench): RouteFloors {
  const raw = rawInputOf(token);
  const digest = createHash('sha256').update(raw.data).digest();
  // Both in node:crypto's cheapest form, the key as itself and DER (see bench/raw-verify.ts).
  const rawSign = () => sign('sha256', raw.data, key.privateKey).length;
  const rawVerify = () => {
    if (!rawVerifyDer(key.publicKey, raw)) throw new Error('raw verify failed');
    return 1;
  };
  return {
    rawSign,
    rawVerify,
    standIn: () => key.signDigest(digest).length,
    issueFloor: () => ((JSON.parse(bodies.issueRequest) as object) ? 1 : 0) + rawSign() + rawVerify() + JSON.stringify(bodies.issueResponse).length,
    verifyFloor: () => ((JSON.parse(bodies.verifyRequest) as object) ? 1 : 0) + rawVerify() + JSON.stringify(bodies.verifyResponse).length,
  };
}

/**
 * Handler CPU per request: the real issue and verify handlers of {@link openHandlerBench}
 * against raw `crypto.sign` / `crypto.verify` of the same signing input (tinybench medians), and
 * process CPU against the route's floor.
 */
export async function measureHandlerCpu(options: HandlerCpuOptions): Promise<HandlerCpuResults> {
  const opened = await openHandlerBench();
  const { issuer, verifier, layered, issueEvent, verifyEvent, close } = opened;
  try {
    const floors = routeFloors(opened);

    const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(500, options.timeMs / 4), iterations: 50 });
    let pendingIssue = issueEvent();
    let pendingVerify = verifyEvent();
    bench
      .add(
        'issue handler',
        async () => {
          const result = await issuer(pendingIssue.event, pendingIssue.context);
          if (result.statusCode !== 201) throw new Error(`issue answered ${result.statusCode}: ${result.body}`);
        },
        // Events are built outside the timed part: API Gateway builds them, not the function.
        {
          beforeEach: () => {
            pendingIssue = issueEvent();
          },
        },
      )
      .add('raw crypto.sign', floors.rawSign)
      .add('KMS stand-in sign', floors.standIn)
      .add(
        'verify handler',
        async () => {
          const result = await verifier(pendingVerify.event, pendingVerify.context);
          if (result.statusCode !== 200) throw new Error(`verify answered ${result.statusCode}: ${result.body}`);
        },
        {
          beforeEach: () => {
            pendingVerify = verifyEvent();
          },
        },
      )
      .add('raw crypto.verify', floors.rawVerify);
    options.log(`handler CPU: ${bench.tasks.length} tasks, ${options.timeMs} ms each`);
    await bench.run();

    // Then process CPU time, the loops taking turns in rounds so load elsewhere falls on all; each
    // figure is the median of its rounds, so that a round another process (or a GC owed by the
    // loop before) inflated does not move it, as it would a sum.
    const rounds = 15;
    const perRound = Math.max(5, Math.round(options.timeMs / 75));
    const loops = ['issue', 'sign', 'verify', 'rawVerify', 'standIn', 'issueFloor', 'verifyFloor'] as const;
    const perOps = Object.fromEntries(loops.map((loop) => [loop, [] as number[]])) as Record<(typeof loops)[number], number[]>;
    // Events are built before the clock starts: API Gateway builds them, not the function.
    const requests = (handler: FunctionHandler, make: () => Invocation, expected: number) => {
      const invocations = Array.from({ length: perRound }, make);
      return cpuOf(async () => {
        for (const { event, context } of invocations) {
          const result = await handler(event, context);
          if (result.statusCode !== expected) throw new Error(`${handler.name} answered ${result.statusCode}: ${result.body}`);
        }
      });
    };
    // The layered endpoints are not in the tinybench tasks above: warm them up as those were.
    for (const handlers of [layered.bare, layered.middy]) {
      await requests(handlers.issuer, issueEvent, 201);
      await requests(handlers.verifier, verifyEvent, 200);
    }
    let sink = 0;
    const loop = (work: () => number) =>
      cpuOf(() => {
        for (let i = 0; i < perRound; i++) sink += work();
      });
    for (let round = 0; round < rounds; round++) {
      perOps.issue.push(await requests(issuer, issueEvent, 201));
      perOps.sign.push(await loop(floors.rawSign));
      perOps.verify.push(await requests(verifier, verifyEvent, 200));
      perOps.rawVerify.push(await loop(floors.rawVerify));
      perOps.standIn.push(await loop(floors.standIn));
      perOps.issueFloor.push(await loop(floors.issueFloor));
      perOps.verifyFloor.push(await loop(floors.verifyFloor));
    }
    if (sink === 0) throw new Error('the floors did no JSON work');
    // Twice the requests of each loop above: each layer's cost is a few µs in a request of hundreds.
    const layerRequests = 2 * rounds * perRound;
    const issueLayers = await layerCosts({ full: issuer, bare: layered.bare.issuer, middy: layered.middy.issuer }, issueEvent, 201, layerRequests);
    const verifyLayers = await layerCosts({ full: verifier, bare: layered.bare.verifier, middy: layered.middy.verifier }, verifyEvent, 200, layerRequests);
    const cpuOps = rounds * perRound;
    // Per request: the median round's CPU over the requests of a round.
    const cpu = Object.fromEntries(loops.map((loop) => [loop, median(perOps[loop]) / perRound])) as Record<(typeof loops)[number], number>;

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
        cpuUs: round(cpu.issue, 1),
        rawCpuUs: round(cpu.sign, 1),
        cpuRatio: round(cpu.issue / cpu.sign, 2),
        cpuOps,
        floorCpuUs: round(cpu.issueFloor, 1),
        floorRatio: round((cpu.issue - cpu.standIn) / cpu.issueFloor, 2),
        layers: layerFigures(cpu.issue, issueLayers),
      },
      verify: {
        perOpUs: round(ver.us, 1),
        rawUs: round(rawVerify.us, 1),
        ratio: round(ver.us / rawVerify.us, 2),
        samples: ver.samples,
        cpuUs: round(cpu.verify, 1),
        rawCpuUs: round(cpu.rawVerify, 1),
        cpuRatio: round(cpu.verify / cpu.rawVerify, 2),
        cpuOps,
        floorCpuUs: round(cpu.verifyFloor, 1),
        floorRatio: round(cpu.verify / cpu.verifyFloor, 2),
        layers: layerFigures(cpu.verify, verifyLayers),
      },
    };
  } finally {
    close();
  }
}

/** A command class of the AWS SDK: its instances carry the input they were made with. */
type CommandClass<I> = abstract new (input: I) => { readonly input: I };

/**
 * In-process answers to an SDK client's `send`, chosen by the command's class. This is what
 * aws-sdk-client-mock does, but without sinon's argument matching on every call: production has
 * none of that, and it was 13-17% of the handlers' CPU profile.
 */
class InProcessAnswers {
  readonly #answers = new Map<unknown, (input: never) => Promise<unknown>>();

  on<I>(command: CommandClass<I>, answer: (input: I) => Promise<unknown>): this {
    this.#answers.set(command, answer);
    return this;
  }

  /** Puts the answers in place of `send` on `target` (a client, or a client class's prototype); returns the undo. */
  install(target: object): () => void {
    const answers = this.#answers;
    const own = Object.getOwnPropertyDescriptor(target, 'send');
    const send = async (command: { input: unknown }): Promise<unknown> => {
      const answer = answers.get(command.constructor) as ((input: unknown) => Promise<unknown>) | undefined;
      if (!answer) throw new Error(`the benchmark has no answer for ${command.constructor.name}`);
      return answer(command.input);
    };
    Object.defineProperty(target, 'send', { value: send, configurable: true, writable: true });
    return () => {
      if (own) Object.defineProperty(target, 'send', own);
      else Reflect.deleteProperty(target, 'send');
    };
  }
}

/** Where {@link writeEmfToNull} sends a metrics instance's EMF lines. */
interface EmfSink {
  /** The lines written so far. */
  lines: () => number;
  close: () => void;
}

/**
 * Sends `metrics`' EMF output to the null device, one synchronous write per line as a function's
 * stdout (a pipe) takes it: the line is serialised and written as in production, and none lands
 * on the benchmark's own output. Powertools writes through a `Console` it makes at construction
 * (a member TypeScript calls private); the count of lines lets the caller prove the lines go
 * here, so that a Powertools that wrote some other way would stop the benchmark rather than
 * leave the work out of its figures.
 */
function writeEmfToNull(metrics: Metrics): EmfSink {
  const fd = openSync(devNull, 'w');
  let lines = 0;
  const sink = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      if (typeof chunk === 'string') writeSync(fd, chunk);
      else writeSync(fd, chunk);
      lines += 1;
      done();
    },
  });
  (metrics as unknown as { console: Console }).console = new Console({ stdout: sink, stderr: sink });
  return { lines: () => lines, close: () => closeSync(fd) };
}

/** Metrics that record nothing: what the `bare` and `middy` endpoints take, so no Powertools code runs per request. */
class NoMetrics extends Metrics {
  override addMetric(): this {
    return this;
  }
  override hasStoredMetrics(): boolean {
    return false;
  }
}

/**
 * What each layer adds per request (µs of process CPU): `full` − `middy` is Powertools,
 * `middy` − `bare` is middy. The three endpoints take turns request by request (in a rotating
 * order), each request timed alone, and each layer's cost is the mean of the middle half of the
 * `requests` paired differences (one per turn of the three): a request that a GC, a background
 * compilation or a neighbour's cache traffic slowed falls in a tail and drops out, whichever
 * endpoint it hit, where it moved a sum of a round by tens of µs. GC is counted only as far as
 * it falls evenly: the layers allocate 2-3 KB per request of the endpoint's 40-140 KB, so their
 * share of it is under 1 µs. Measured as medians of rounds' sums, Powertools' share swung
 * between 60 and 200 µs under load; as whole loops one after the other, each layer's few µs
 * drowned in differences of ±50 µs between loops of hundreds.
 */
async function layerCosts(
  handlers: Record<'full' | 'middy' | 'bare', FunctionHandler>,
  make: () => Invocation,
  expected: number,
  requests: number,
): Promise<{ powertoolsUs: number; middyUs: number }> {
  const order = ['full', 'middy', 'bare'] as const;
  const powertools: number[] = [];
  const middyLayer: number[] = [];
  // Events are built before the clock starts, a batch at a time: API Gateway builds them.
  const batch = 50;
  for (let done = 0; done < requests; done += batch) {
    const invocations = Array.from({ length: batch * order.length }, make);
    for (let i = 0; i < batch; i++) {
      const spent = { full: 0, middy: 0, bare: 0 };
      for (let turn = 0; turn < order.length; turn++) {
        const layer = order[(i + turn) % order.length] as (typeof order)[number];
        const { event, context } = invocations[i * order.length + turn] as Invocation;
        const before = process.cpuUsage();
        const result = await handlers[layer](event, context);
        const used = process.cpuUsage(before);
        spent[layer] = used.user + used.system;
        if (result.statusCode !== expected) throw new Error(`${layer} answered ${result.statusCode}: ${result.body}`);
      }
      powertools.push(spent.full - spent.middy);
      middyLayer.push(spent.middy - spent.bare);
    }
  }
  return { powertoolsUs: middleHalfMean(powertools), middyUs: middleHalfMean(middyLayer) };
}

/** The mean of the middle half of `values` (between the quartiles): robust to both tails, finer than a median of whole µs. */
function middleHalfMean(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.slice(Math.floor(sorted.length / 4), Math.ceil((sorted.length * 3) / 4));
  return middle.reduce((sum, v) => sum + v, 0) / middle.length;
}

/** The layer figures: the whole endpoint's CPU as measured, less what each layer adds. */
function layerFigures(fullUs: number, costs: { powertoolsUs: number; middyUs: number }): HandlerCpuFigure['layers'] {
  const middyUs = fullUs - costs.powertoolsUs;
  return { bareUs: round(middyUs - costs.middyUs, 1), middyUs: round(middyUs, 1), powertoolsUs: round(fullUs, 1) };
}

/** Process CPU time (user + system, all threads) that `work` takes, in µs. */
async function cpuOf(work: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const spent = process.cpuUsage(before);
  return spent.user + spent.system;
}
