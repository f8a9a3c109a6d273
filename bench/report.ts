import type { BenchResults } from './bench.ts';

/** Renders rows as a fixed-width text table with a header line. */
export function textTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(cells[0] as string[]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Every figure beside its floor, as text for the terminal. */
export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  out.push(`Data Compliance Certificates — benchmark (${r.mode}), ${r.date}`);
  out.push(`${r.machine.cpuModel}, ${r.machine.cpus} CPUs, Node ${r.machine.node}, load ${r.machine.loadAverageAtStart} at start, ${r.durationSeconds} s`);
  out.push('');
  out.push('Round trips per operation (averaged over the phase, cold start included)');
  const rt = r.roundTrips;
  out.push(
    textTable(
      ['operation', 'ops', 'KMS', 'DynamoDB', 'warm KMS', 'warm DynamoDB', 'first op', 'mean ms'],
      (Object.entries(rt) as [string, (typeof rt)['issue']][]).map(([name, f]) => [
        name,
        f.ops,
        f.kms,
        f.dynamodb,
        f.steadyState.kms,
        f.steadyState.dynamodb,
        `${f.firstOp.kms} KMS + ${f.firstOp.dynamodb} DDB`,
        f.meanMs,
      ]),
    ),
  );
  out.push('');
  out.push(`Cold start: bundle import in a fresh node process, against the floor (SDK clients only); faster: SDK ${r.coldStartSummary.faster}`);
  out.push(
    textTable(
      ['function', 'SDK', 'bytes', 'modules', 'gzip', 'init ms', 'floor ms', 'floor bytes', 'floor modules', 'ratio', 'instructions', 'ratio in instructions'],
      r.coldStart.map((c) => [
        c.function,
        c.sdk,
        c.bytes,
        c.modules,
        c.gzipBytes,
        c.initMs,
        c.floorInitMs,
        c.floorBytes,
        c.floorModules,
        c.ratio,
        c.importInstructions ?? '',
        c.instructionRatio ?? '',
      ]),
    ),
  );
  if (r.coldStartSummary.instructionsUnavailable) out.push(`(imports not counted in instructions: ${r.coldStartSummary.instructionsUnavailable})`);
  out.push('');
  out.push("Handler CPU per request (I/O answered in-process), against raw P-256 on the same bytes: wall medians (tinybench) and process CPU time (all threads); the route's floor adds the JSON of its bodies (issue: a sign and a verify)");
  const cpu = r.handlerCpu;
  out.push(
    textTable(
      ['handler', 'wall µs', 'raw µs', 'ratio', 'CPU µs', 'raw CPU µs', 'CPU ratio', 'floor CPU µs', 'vs floor', 'note'],
      [
        ['issue', cpu.issue.perOpUs, cpu.issue.rawUs, cpu.issue.ratio, cpu.issue.cpuUs, cpu.issue.rawCpuUs, cpu.issue.cpuRatio, cpu.issue.floorCpuUs, cpu.issue.floorRatio, `KMS stand-in ${cpu.issue.kmsStandInUs} µs wall; without it ${cpu.issue.withoutKmsUs} µs`],
        ['verify', cpu.verify.perOpUs, cpu.verify.rawUs, cpu.verify.ratio, cpu.verify.cpuUs, cpu.verify.rawCpuUs, cpu.verify.cpuRatio, cpu.verify.floorCpuUs, cpu.verify.floorRatio, ''],
      ],
    ),
  );
  out.push('');
  out.push('What each layer costs: the same endpoint as one plain function, in the middy chain, and with Powertools (logger context and keys, metrics), process CPU µs per request in the same rounds');
  out.push(
    textTable(
      ['handler', 'bare µs', 'middy µs', 'middy + Powertools µs', 'middy adds', 'Powertools adds'],
      (['issue', 'verify'] as const).map((k) => {
        const l = cpu[k].layers;
        return [k, l.bareUs, l.middyUs, l.powertoolsUs, Math.round((l.middyUs - l.bareUs) * 10) / 10, Math.round((l.powertoolsUs - l.middyUs) * 10) / 10];
      }),
    ),
  );
  out.push('');
  out.push(`End to end through the local server: ${r.http.connections} connections, ${r.http.durationSeconds} s each`);
  out.push(
    textTable(
      ['route', 'p50 ms', 'p99 ms', 'rps', 'requests', 'non-2xx', 'errors'],
      (['issue', 'verify'] as const).map((k) => [k, r.http[k].p50Ms, r.http[k].p99Ms, r.http[k].rps, r.http[k].requests, r.http[k].non2xx, r.http[k].errors]),
    ),
  );
  out.push('');
  const b = r.batchVerify;
  out.push(`Offline batch verification ${b.pinnedToOneCore ? 'on one core (taskset)' : 'NOT pinned to one core (no taskset)'}, against raw crypto.verify (the key as itself, a DER signature)`);
  out.push(
    textTable(
      ['', 'per second', 'raw per second', 'ratio'],
      [
        [`dcc verify batch (${b.concurrency} in flight)`, b.perSecond, b.rawPerSecond, b.ratio],
        ['the unskippable steps alone (split, base64url, signature, UTF-8, JSON.parse)', b.essentialPerSecond, b.rawPerSecond, b.essentialRatio],
        ['verifyCertificate one at a time', b.serialPerSecond, b.rawPerSecond, b.serialRatio],
        ['jose compactVerify alone, one at a time', b.joseCompactVerifyPerSecond, b.rawPerSecond, b.joseRatio],
        ["raw crypto.verify as { key, dsaEncoding: 'ieee-p1363' }", b.rawIeeeP1363PerSecond, b.rawPerSecond, Math.round((b.rawIeeeP1363PerSecond / b.rawPerSecond) * 1000) / 1000],
      ],
    ),
  );
  out.push(
    `With all ${b.allCores.cpus} cores (a batch of ${b.allCores.batchSize}): the batch ${b.allCores.perSecond}/s, ` +
      `${(b.allCores.ratio * 100).toFixed(1)}% of raw × ${b.allCores.cpus}; one at a time ${b.allCores.serialPerSecond}/s; ` +
      `raw crypto.verify on every core at once ${b.allCores.rawPerSecond}/s (the batch ${(b.allCores.rawRatio * 100).toFixed(1)}% of it).`,
  );
  out.push(
    `The installed dcc verify <folder> on ${b.archive.files} files, spawn to exit: ${b.archive.perSecond}/s (${b.archive.medianMs} ms, median of ${b.archive.runs}), ` +
      `${(b.archive.ratio * 100).toFixed(1)}% of raw × ${b.allCores.cpus}; peak memory ${b.archive.peakRssMiB} MiB.`,
  );
  out.push('');
  const ins = r.instructions;
  if ('unavailable' in ins) out.push(`Batch verification in instructions: not counted (${ins.unavailable}).`);
  else {
    out.push(
      `Batch verification in instructions (callgrind, ${ins.tokens.counted} tokens after ${ins.tokens.warmUp}): ` +
        `${ins.batchPerToken} per token against raw ${ins.rawPerToken}, ratio ${ins.ratio} (${ins.ratioWithoutCompilers} without the compilers' work in the window; the unskippable steps alone ${ins.essentialPerToken}, ratio ${ins.essentialRatio}); ` +
        `the ${ins.overheadPerToken} more per token go to`,
    );
    out.push(textTable(['kind of code', 'per token'], ins.byKind.map((share) => [share.name, share.perToken])));
    out.push(textTable(['function', 'per token'], [...ins.overhead.map((share) => [share.name, share.perToken]), ['elsewhere', ins.elsewhere]]));
  }
  out.push('');
  const pl = r.transparencyLog.proofLatency;
  out.push(`Transparency log: change → proof served (local service, polled every ${pl.pollIntervalMs} ms), against one integrator pass over one change (${pl.floorMs} ms)`);
  out.push(
    textTable(
      ['event', 'n', 'median ms', 'p99 ms', 'max ms', 'floor ms'],
      (['issued', 'revoked', 'all'] as const).map((k) => [k, pl[k].n, pl[k].medianMs, pl[k].p99Ms, pl[k].maxMs, pl.floorMs]),
    ),
  );
  out.push('');
  const li = r.transparencyLog.integrator;
  out.push(`Transparency log: integrator draining a backlog of ${li.entries} entries (${li.batches} batches, DynamoDB Local), against hashing them in memory`);
  out.push(
    textTable(
      ['', 'entries/s', 'in-memory entries/s', 'ratio', 'ms'],
      [
        ['LogIntegrator.drain()', li.entriesPerSecond, li.inMemoryEntriesPerSecond, li.ratio, li.drainMs],
        ['Merkle root in memory', li.inMemoryEntriesPerSecond, li.inMemoryEntriesPerSecond, 1, li.inMemoryMs],
      ],
    ),
  );
  out.push(`Then one change at a time: a drain() that logs one entry takes ${li.singleEntryPassMs} ms (median of ${li.singleEntryPasses}).`);
  out.push('');
  const cs = r.cliStartup;
  out.push(`dcc start-up, spawn to exit (medians of ${cs.runs}), against node -e 0 (${cs.floorMs} ms); the installable bundle is ${cs.bundleBytes} bytes`);
  out.push(textTable(['command', 'median ms', 'ratio'], cs.rows.map((row) => [row.command, row.medianMs, row.ratio])));
  out.push('');
  out.push('Goals');
  out.push(textTable(['goal', 'measured', 'met'], r.goals.map((g) => [g.goal, g.measured, g.met ? 'yes' : 'NO'])));
  return out.join('\n');
}
