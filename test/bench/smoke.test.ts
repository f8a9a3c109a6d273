import { execFile } from 'node:child_process';
import { createHash, verify } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BenchPlan, type BenchResults, runBench, writeResults } from '../../bench/bench.ts';
import { InProcessKmsKey } from '../../bench/kms-key.ts';
import { renderReport } from '../../bench/report.ts';
import { BATCH_CONCURRENCY } from '../../cli/verification.ts';

/** Whether valgrind can be started here (the instruction counts need it). */
function hasValgrind(): Promise<boolean> {
  return new Promise((resolve) => execFile('valgrind', ['--version'], (error) => resolve(error === null)));
}

const scratch = await mkdtemp(join(tmpdir(), 'dcc-bench-smoke-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('the KMS stand-in of the benchmark', () => {
  it('signs a digest as KMS DIGEST mode does: DER that verifies over the original bytes', () => {
    const key = new InProcessKmsKey();
    const data = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJoZWxsbyI6IndvcmxkIn0');
    const der = key.signDigest(createHash('sha256').update(data).digest());
    expect(der[0]).toBe(0x30);
    expect(verify('sha256', data, { key: key.publicKey, dsaEncoding: 'der' }, der)).toBe(true);
    expect(verify('sha256', Buffer.from('other bytes'), { key: key.publicKey, dsaEncoding: 'der' }, der)).toBe(false);
  });
});

describe('npm run bench, every piece at tiny counts', () => {
  const plan: BenchPlan = {
    mode: 'smoke',
    roundTripIssues: 3,
    coldStartFunctions: ['get-jwks'],
    coldStartRuns: 1,
    cpuTimeMs: 50,
    batchTokens: 5,
    batchTimeMs: 100,
    instructionTokens: { warmUp: 8, counted: 8 },
    httpConnections: 2,
    httpSeconds: 1,
    proofIssues: 2,
    proofRevokes: 1,
    integratorEntries: 120,
    cliStartupRuns: 1,
    archiveRuns: 1,
  };
  let results: BenchResults;

  it('runs every measurement and writes the results file', { timeout: 240_000 }, async () => {
    // node's V8 log (written beside the instruction counts' code maps) stays out of the caller's folder.
    const v8Logs = async () => (await readdir(process.cwd())).filter((name) => /^isolate-.*\.log$/.test(name));
    const logsBefore = await v8Logs();
    results = await runBench(plan, () => undefined);
    expect(await v8Logs()).toEqual(logsBefore);
    const out = join(scratch, 'results.json');
    await writeResults(out, results);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(JSON.parse(JSON.stringify(results)));
  });

  it('counted the calls of every operation', () => {
    const rt = results.roundTrips;
    expect(rt.issue.ops).toBe(3);
    expect(rt.issue.calls['kms:Sign']).toBe(3);
    expect(rt.issue.calls['dynamodb:TransactWriteItemsCommand']).toBe(3);
    expect(rt.verify.calls['dynamodb:GetItemCommand']).toBe(3);
    expect(rt.verify.calls['kms:Sign']).toBeUndefined();
    expect(rt.revoke.ops).toBe(1);
    expect(rt.jwks.dynamodb).toBe(0);
  });

  it('bundled the function both ways and timed it against the floor', async () => {
    expect(results.coldStart.map((r) => r.sdk).sort()).toEqual(['bundled', 'external']);
    // Counted in instructions where valgrind is installed: the bundled SDK's import only.
    const valgrind = await hasValgrind();
    expect(results.coldStartSummary.instructionsUnavailable === undefined).toBe(valgrind);
    for (const row of results.coldStart) {
      if (row.sdk === 'external' || !valgrind) {
        expect(row.importInstructions).toBeUndefined();
        continue;
      }
      // The function builds what the floor builds, and more.
      expect(row.floorImportInstructions).toBeGreaterThan(0);
      expect(row.importInstructions).toBeGreaterThan(row.floorImportInstructions as number);
      expect(row.instructionRatio).toBeCloseTo((row.importInstructions as number) / (row.floorImportInstructions as number), 2);
    }
    for (const row of results.coldStart) {
      expect(row.function).toBe('get-jwks');
      expect(row.bytes).toBeGreaterThan(row.sdk === 'bundled' ? row.floorBytes : 0);
      // The entry at least, and with the SDK inside, the floor's chunks too.
      expect(row.modules).toBeGreaterThanOrEqual(row.sdk === 'bundled' ? row.floorModules : 1);
      expect(row.initMs).toBeGreaterThan(0);
      expect(row.floorInitMs).toBeGreaterThan(0);
    }
  });

  it('measured handlers, HTTP and batch verification, and renders the table', () => {
    expect(results.handlerCpu.issue.perOpUs).toBeGreaterThan(0);
    expect(results.handlerCpu.verify.rawUs).toBeGreaterThan(0);
    for (const figure of [results.handlerCpu.issue, results.handlerCpu.verify]) {
      expect(figure.cpuUs).toBeGreaterThan(0);
      expect(figure.rawCpuUs).toBeGreaterThan(0);
      expect(Math.abs(figure.cpuRatio - figure.cpuUs / figure.rawCpuUs) / figure.cpuRatio).toBeLessThan(0.01);
    }
    expect(results.http.issue.requests).toBeGreaterThan(0);
    expect(results.http.issue.non2xx).toBe(0);
    expect(results.http.verify.non2xx).toBe(0);
    expect(results.batchVerify.perSecond).toBeGreaterThan(0);
    expect(results.batchVerify.serialPerSecond).toBeGreaterThan(0);
    expect(results.batchVerify.essentialPerSecond).toBeGreaterThan(0);
    expect(results.batchVerify.essentialRatio).toBeCloseTo(results.batchVerify.essentialPerSecond / results.batchVerify.rawPerSecond, 2);
    expect(renderReport(results)).toContain('the unskippable steps alone');
    expect(results.batchVerify.concurrency).toBe(BATCH_CONCURRENCY);
    expect(typeof results.batchVerify.pinnedToOneCore).toBe('boolean');
    // The installed dcc on a folder: every file verified (the run checks the summary), the ratio against raw × cores.
    const archive = results.batchVerify.archive;
    expect(archive.files).toBe(250);
    expect(archive.perSecond).toBeGreaterThan(0);
    expect(archive.ratio).toBeCloseTo(archive.perSecond / (results.batchVerify.rawPerSecond * results.batchVerify.allCores.cpus), 2);
    // The whole process's peak, worker threads included: more than a bare node's, less than the machine.
    expect(archive.peakRssMiB).toBeGreaterThan(30);
    expect(archive.peakRssMiB).toBeLessThan(2048);
    expect(renderReport(results)).toContain(`peak memory ${archive.peakRssMiB} MiB`);
    expect(results.goals.map((g) => g.goal.split(/[:(≤≥]/)[0]!.trim())).toEqual([
      'issue',
      'verify',
      'batch verification',
      'installable dcc',
      'batch verification on all cores',
      'cold start of every function',
      'issue handler CPU',
      'verify handler CPU',
      'SM2 suite',
    ]);
    for (const figure of [results.handlerCpu.issue, results.handlerCpu.verify]) {
      expect(figure.floorCpuUs).toBeGreaterThan(0);
      expect(figure.floorRatio).toBeGreaterThan(0);
      // The same endpoint without middy and Powertools, with middy only, and with both (= cpuUs).
      expect(figure.layers.bareUs).toBeGreaterThan(0);
      expect(figure.layers.middyUs).toBeGreaterThan(0);
      expect(figure.layers.powertoolsUs).toBe(figure.cpuUs);
    }
    expect(results.handlerCpu.verify.floorRatio).toBeCloseTo(results.handlerCpu.verify.cpuUs / results.handlerCpu.verify.floorCpuUs, 1);
    const table = renderReport(results);
    expect(table).toContain('get-jwks');
    expect(table).toContain('Powertools adds');
    expect(table).toContain('verifyCertificate one at a time');
    expect(table).toContain('dcc verify batch');
    expect(table).toContain('LogIntegrator.drain()');
    expect(table).toContain('dcc --version (installable bundle)');
  });

  it('counted the batch path and raw verification in instructions, where valgrind is installed', async () => {
    const counted = results.instructions;
    const valgrind = await hasValgrind();
    expect('unavailable' in counted).toBe(!valgrind);
    if ('unavailable' in counted) return;
    expect(counted.rawPerToken).toBeGreaterThan(0);
    // A handful of tokens is all warm-up: the batch path costs more than its signature check.
    expect(counted.batchPerToken).toBeGreaterThan(counted.rawPerToken);
    expect(counted.ratio).toBeCloseTo(counted.rawPerToken / counted.batchPerToken, 2);
    const compilers = counted.byKind.find((share) => share.name === 'JIT compilers')?.perToken ?? 0;
    expect(counted.ratioWithoutCompilers).toBeCloseTo(counted.rawPerToken / (counted.batchPerToken - compilers), 2);
    expect(counted.overheadPerToken).toBe(counted.batchPerToken - counted.rawPerToken);
    // The unskippable steps cost more than the signature check alone and less than the whole batch path.
    expect(counted.essentialPerToken).toBeGreaterThan(counted.rawPerToken);
    expect(counted.essentialPerToken).toBeLessThan(counted.batchPerToken);
    expect(counted.essentialRatio).toBeCloseTo(counted.rawPerToken / counted.essentialPerToken, 2);
    // The kinds of code share the whole overhead out (each rounded).
    const kinds = counted.byKind.reduce((sum, share) => sum + share.perToken, 0);
    expect(Math.abs(kinds - counted.overheadPerToken)).toBeLessThanOrEqual(counted.byKind.length);
    const shares = counted.overhead.map((share) => share.perToken);
    expect(shares.length).toBeGreaterThan(0);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    // Names without the addresses, argument lists or source positions of one run.
    for (const { name } of counted.overhead) expect(name).not.toMatch(/0x[0-9a-f]|file:|\w\(/);
    expect(renderReport(results)).toContain('Batch verification in instructions');
  });

  it('timed the installable dcc against a bare node', () => {
    const { floorMs, rows, bundleBytes } = results.cliStartup;
    expect(floorMs).toBeGreaterThan(0);
    expect(bundleBytes).toBeGreaterThan(0);
    expect(rows.map((row) => row.command)).toEqual([
      'dcc --version (installable bundle)',
      'dcc verify, one certificate offline (installable bundle)',
      'dcc --version (repository, through tsx)',
    ]);
    for (const row of rows) expect(row.ratio).toBeCloseTo(row.medianMs / floorMs, 1);
  });

  it('timed proofs of issues and revocations, and drained a backlog past one batch', () => {
    const { proofLatency, integrator } = results.transparencyLog;
    expect(proofLatency.issued.n).toBe(2);
    expect(proofLatency.revoked.n).toBe(1);
    expect(proofLatency.all.n).toBe(3);
    expect(proofLatency.all.medianMs).toBeGreaterThan(0);
    expect(proofLatency.all.p99Ms).toBeGreaterThanOrEqual(proofLatency.all.medianMs);
    // The floor is one integrator pass over one change, measured in the integrator phase.
    expect(integrator.singleEntryPasses).toBe(15);
    expect(integrator.singleEntryPassMs).toBeGreaterThan(0);
    expect(proofLatency.floorMs).toBe(integrator.singleEntryPassMs);
    expect(integrator.entries).toBe(120);
    // 88 events per batch: 120 take two.
    expect(integrator.batches).toBe(2);
    expect(integrator.entriesPerSecond).toBeGreaterThan(0);
    expect(integrator.inMemoryEntriesPerSecond).toBeGreaterThan(0);
  });
});
