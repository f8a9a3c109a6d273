import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type BatchVerifyResults, measureBatchVerify } from './batch-verify.ts';
import { type CliStartupResults, measureCliStartup } from './cli-startup.ts';
import { type ColdStartResults, type ColdStartRow, measureColdStarts } from './cold-start.ts';
import { type HandlerCpuResults, measureHandlerCpu } from './handler-cpu.ts';
import { type HttpResults, measureHttp } from './http-load.ts';
import { type InstructionResults, type InstructionsUnavailable, measureInstructions } from './instructions.ts';
import { InProcessKmsKey } from './kms-key.ts';
import { type RoundTripResults, measureRoundTrips } from './round-trips.ts';
import { functionEnvironment, machineInfo, type MachineInfo } from './support.ts';
import { type TransparencyLogResults, measureTransparencyLog } from './transparency-log.ts';

/** How much of each measurement one run does. */
export interface BenchPlan {
  mode: 'full' | 'quick' | 'smoke';
  /** Certificates issued in the round-trip phase (verifications too; a third is replayed and revoked). */
  roundTripIssues: number;
  coldStartFunctions: readonly string[];
  coldStartRuns: number;
  /** tinybench time per task (ms). */
  cpuTimeMs: number;
  batchTokens: number;
  batchTimeMs: number;
  /**
   * Tokens per way under callgrind: verified before the count, and counted. The JIT settles
   * between 13,000 and 14,500 tokens (the last re-optimizations follow V8's switch to allocating
   * the batch's kept results in the old generation); a shorter warm-up counts compiles as tokens.
   */
  instructionTokens: { warmUp: number; counted: number };
  httpConnections: number;
  httpSeconds: number;
  /** Certificates issued through the local service and polled for their log proofs. */
  proofIssues: number;
  /** Of those, revoked and polled again. */
  proofRevokes: number;
  /** Audit events in the backlog the log integrator drains. */
  integratorEntries: number;
  /** Rounds of the installable `dcc`'s start-up against `node -e 0`. */
  cliStartupRuns: number;
  /** Runs of the installed `dcc verify <folder>` on an archive. */
  archiveRuns: number;
}

/** Every Lambda entry point in `functions/`: the cold-start goal is for each of them. */
const ALL_FUNCTIONS: readonly string[] = readdirSync(fileURLToPath(new URL('../functions/', import.meta.url)))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

/** The plan of `npm run bench` (`full`) and `npm run bench -- --quick`. */
export function benchPlan(mode: 'full' | 'quick'): BenchPlan {
  return mode === 'full'
    ? {
        mode,
        roundTripIssues: 300,
        coldStartFunctions: ALL_FUNCTIONS,
        coldStartRuns: 21,
        cpuTimeMs: 3000,
        batchTokens: 1000,
        batchTimeMs: 5000,
        instructionTokens: { warmUp: 16384, counted: 2048 },
        httpConnections: 8,
        httpSeconds: 10,
        proofIssues: 100,
        proofRevokes: 30,
        integratorEntries: 2000,
        cliStartupRuns: 15,
        archiveRuns: 3,
      }
    : {
        mode,
        roundTripIssues: 60,
        coldStartFunctions: ['issue-certificate', 'verify-certificate'],
        coldStartRuns: 4,
        cpuTimeMs: 500,
        batchTokens: 200,
        batchTimeMs: 1000,
        instructionTokens: { warmUp: 2048, counted: 1024 },
        httpConnections: 8,
        httpSeconds: 2,
        proofIssues: 15,
        proofRevokes: 5,
        integratorEntries: 300,
        cliStartupRuns: 5,
        archiveRuns: 1,
      };
}

/** One performance goal (round trips per operation, batch verification speed), beside what was measured. */
export interface GoalCheck {
  goal: string;
  measured: string;
  met: boolean;
}

/** Everything `bench/results.json` holds. */
export interface BenchResults {
  machine: MachineInfo;
  date: string;
  mode: BenchPlan['mode'];
  durationSeconds: number;
  roundTrips: RoundTripResults;
  /** The same phases with `DCC_SIGNATURE_SUITE=sm2` (a KMS `SM2` key, SM2DSA over a DIGEST). */
  roundTripsSm2: RoundTripResults;
  coldStart: ColdStartRow[];
  coldStartSummary: Omit<ColdStartResults, 'rows'>;
  handlerCpu: HandlerCpuResults;
  http: HttpResults;
  batchVerify: BatchVerifyResults;
  /** The batch path and raw verification counted in instructions (valgrind): a figure that load on the machine does not move. */
  instructions: InstructionResults | InstructionsUnavailable;
  transparencyLog: TransparencyLogResults;
  cliStartup: CliStartupResults;
  goals: GoalCheck[];
  notes: string[];
}

/** Runs every measurement of `plan` in one process, one after another. */
export async function runBench(plan: BenchPlan, log: (line: string) => void): Promise<BenchResults> {
  const started = performance.now();
  const machine = machineInfo();
  const date = new Date().toISOString();

  const roundTrips = await measureRoundTrips({ issues: plan.roundTripIssues, log });
  const roundTripsSm2 = await measureRoundTrips({ issues: plan.roundTripIssues, log, suite: 'sm2' });
  const cold = await measureColdStarts({
    functions: plan.coldStartFunctions,
    runs: plan.coldStartRuns,
    env: functionEnvironment({ tableName: 'dcc-bench', keyId: new InProcessKmsKey().keyId }),
    instructions: true,
    log,
  });
  const handlerCpu = await measureHandlerCpu({ timeMs: plan.cpuTimeMs, log });
  const batchVerify = await measureBatchVerify({ tokens: plan.batchTokens, timeMs: plan.batchTimeMs, archiveRuns: plan.archiveRuns, log });
  const instructions = await measureInstructions({ ...plan.instructionTokens, distinct: plan.batchTokens, log });
  const http = await measureHttp({ connections: plan.httpConnections, durationSeconds: plan.httpSeconds, log });
  const transparencyLog = await measureTransparencyLog({
    proofIssues: plan.proofIssues,
    proofRevokes: plan.proofRevokes,
    integratorEntries: plan.integratorEntries,
    log,
  });
  const cliStartup = await measureCliStartup({ runs: plan.cliStartupRuns, log });

  const { rows, ...coldStartSummary } = cold;
  return {
    machine,
    date,
    mode: plan.mode,
    durationSeconds: Math.round((performance.now() - started) / 1000),
    roundTrips,
    roundTripsSm2,
    coldStart: rows,
    coldStartSummary,
    handlerCpu,
    http,
    batchVerify,
    instructions,
    transparencyLog,
    cliStartup,
    goals: [...goals(roundTrips, batchVerify, cliStartup), ...speedGoals(rows, handlerCpu, batchVerify), sm2Goal(roundTrips, roundTripsSm2)],
    notes: [
      'roundTrips: per-operation averages over every operation of the phase, each function in its own container (cold start included); steadyState excludes the first operation.',
      'roundTripsSm2: the SM2 suite (one SM2DSA Sign over e = SM3(Z_A || M) per signature); dual signing (an ES256 and an SM2 signature in a JWS JSON serialization, not built) would need two Sign calls per issue and per status list, one per key: 3 calls per warm issue instead of 2.',
      'roundTrips: KMS calls are the aws-sdk-client-mock call history (the mock replaces send); DynamoDB calls are counted by middleware inside the retry loop (every attempt).',
      'handlerCpu: KMS is answered in-process by textbook ECDSA over the digest (native k·G); kmsStandInUs is its own cost, withoutKmsUs what the function itself spends.',
      'handlerCpu: KMS and DynamoDB are answered by replacing the clients\' send (no aws-sdk-client-mock: its sinon argument matching was 13-17% of the handlers\' profile); layers: the same endpoint without middy and Powertools (bareUs), with middy only (middyUs), with both (powertoolsUs = cpuUs).',
      'http: autocannon in a separate process on the same machine as the server and DynamoDB Local (local mode, persistent data directory).',
      'Metrics (EMF) are disabled in every phase but handlerCpu, whose production endpoints make and write each request\'s EMF line, to the null device; logs at ERROR.',
      `transparencyLog.proofLatency: through the local service, one change at a time; from the issue/revoke response to the first 200 of GET /v1/certificates/{id}/proof?event=…, polled every ${transparencyLog.proofLatency.pollIntervalMs} ms; floor: one integrator pass over a single change, ${transparencyLog.proofLatency.floorMs} ms median (the local service runs a pass right after each issue or revocation; on AWS the integrator runs on its own trigger, not measured here).`,
      'cliStartup: wall time from spawn to exit of each command, medians; the installable dcc is built (scripts/build-dcc.ts) right before; the commands take turns in each round.',
      'transparencyLog.integrator: LogIntegrator.drain() of a backlog already in the outbox, DynamoDB Local in memory (a JVM on this machine, not the service); floor: the same entries encoded, leaf-hashed and reduced to a root in memory (best of 5).',
    ],
  };
}

function goals(rt: RoundTripResults, batch: BatchVerifyResults, cli: CliStartupResults): GoalCheck[] {
  const installable = cli.rows.filter((row) => row.command.includes('installable'));
  const issueWarm = rt.issue.steadyState.kms + rt.issue.steadyState.dynamodb;
  const issueAll = rt.issue.kms + rt.issue.dynamodb;
  return [
    {
      goal: 'issue: ≤ 2 calls amortised (one Sign, one write)',
      measured: `${issueAll.toFixed(3)} over ${rt.issue.ops} issues (warm: ${rt.issue.steadyState.kms} KMS + ${rt.issue.steadyState.dynamodb} DynamoDB)`,
      // The status counter costs one write per block of positions: 1/256 per issue, forever.
      met: rt.issue.steadyState.kms <= 1 && issueWarm <= 2 + 1 / 128,
    },
    {
      goal: 'verify: ≤ 1 DynamoDB call, no KMS call per request',
      measured: `${rt.verify.steadyState.dynamodb} DynamoDB, ${rt.verify.steadyState.kms} KMS per warm request (${rt.verify.firstOp.kms} GetPublicKey per cold start)`,
      met: rt.verify.steadyState.dynamodb <= 1 && rt.verify.steadyState.kms === 0,
    },
    {
      goal: 'batch verification ≥ 80% of raw crypto.verify',
      measured: `${(batch.ratio * 100).toFixed(1)}% (${batch.perSecond}/s against ${batch.rawPerSecond}/s); the unskippable steps alone, no check: ${(batch.essentialRatio * 100).toFixed(1)}%`,
      met: batch.ratio >= 0.8,
    },
    {
      goal: 'installable dcc: --version and a one-certificate offline verify ≤ 2× node -e 0',
      measured: installable.map((row) => `${row.command.replace(/ \(installable bundle\)$/, '')}: ${row.ratio}×`).join('; ') + ` (node -e 0: ${cli.floorMs} ms)`,
      met: installable.length > 0 && installable.every((row) => row.ratio <= 2),
    },
  ];
}

/** The start-up and CPU goals: each function's cold start, each handler's CPU, the batch on every core. */
function speedGoals(cold: readonly ColdStartRow[], cpu: HandlerCpuResults, batch: BatchVerifyResults): GoalCheck[] {
  // The bundled-SDK bundles, each against the floor measured in the same rounds.
  const bundled = cold.filter((row) => row.sdk === 'bundled');
  const worst = bundled.reduce<ColdStartRow | undefined>((a, b) => (a === undefined || b.ratio > a.ratio ? b : a), undefined);
  return [
    {
      goal: 'batch verification on all cores ≥ 80% of raw crypto.verify × cores',
      measured:
        `${(batch.allCores.ratio * 100).toFixed(1)}% (${batch.allCores.perSecond}/s on ${batch.allCores.cpus} cores against ${batch.rawPerSecond}/s × ${batch.allCores.cpus}); ` +
        `the installed dcc verify <folder> of ${batch.archive.files} files, spawn to exit: ${(batch.archive.ratio * 100).toFixed(1)}% (${batch.archive.perSecond}/s)`,
      met: batch.allCores.ratio >= 0.8,
    },
    {
      goal: 'cold start of every function (bundled SDK) ≤ 1.3× a bundle that only builds the clients',
      measured: worst
        ? `worst ${worst.function} ${worst.ratio}×; ${bundled.map((row) => `${row.function} ${row.ratio}×`).join(', ')}`
        : 'no function measured',
      met: bundled.length > 0 && bundled.every((row) => row.ratio <= 1.3),
    },
    {
      goal: "issue handler CPU ≤ 2× the route's floor (raw sign + raw verify + the JSON of its bodies)",
      measured: `${cpu.issue.floorRatio}× (the handler without the KMS stand-in, against a floor of ${cpu.issue.floorCpuUs} µs)`,
      met: cpu.issue.floorRatio <= 2,
    },
    {
      goal: "verify handler CPU ≤ 2× the route's floor (raw verify + the JSON of its bodies)",
      measured: `${cpu.verify.floorRatio}× (${cpu.verify.cpuUs} µs, floor ${cpu.verify.floorCpuUs} µs)`,
      met: cpu.verify.floorRatio <= 2,
    },
  ];
}

/** Writes `results` as pretty JSON to `path`. */
export async function writeResults(path: string, results: BenchResults): Promise<void> {
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
}

/** The SM2 suite costs what ES256 costs: one Sign and one write per warm issue, no KMS call per verify. */
function sm2Goal(es256: RoundTripResults, sm2: RoundTripResults): GoalCheck {
  const warm = (r: RoundTripResults) => r.issue.steadyState.kms + r.issue.steadyState.dynamodb;
  return {
    goal: 'SM2 suite: the same round trips per issue and per verify as ES256',
    measured: `issue ${sm2.issue.kms + sm2.issue.dynamodb} (ES256 ${es256.issue.kms + es256.issue.dynamodb}), warm ${warm(sm2)} (ES256 ${warm(es256)}); verify ${sm2.verify.steadyState.dynamodb} DynamoDB + ${sm2.verify.steadyState.kms} KMS warm`,
    met: warm(sm2) === warm(es256) && sm2.verify.steadyState.kms === 0 && sm2.verify.steadyState.dynamodb === es256.verify.steadyState.dynamodb,
  };
}
