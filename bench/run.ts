import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { benchPlan, runBench, writeResults } from './bench.ts';
import { renderReport } from './report.ts';

/**
 * `npm run bench [-- --quick] [-- --out <file>]`: every measurement in one run, printed as a
 * table and written as JSON (default `bench/results.json`).
 */
async function main(): Promise<void> {
  const values = new Command('npm run bench --')
    .description('Every measurement in one run, printed as a table and written as JSON.')
    .option('--quick', 'a short run with fewer samples')
    .option('--out <file>', 'where the JSON results go (default bench/results.json)')
    .parse(process.argv.slice(2), { from: 'user' })
    .opts<{ quick?: boolean; out?: string }>();
  const plan = benchPlan(values.quick ? 'quick' : 'full');
  const out = values.out ? resolve(values.out) : fileURLToPath(new URL('./results.json', import.meta.url));
  const results = await runBench(plan, (line) => process.stderr.write(`[bench] ${line}\n`));
  await writeResults(out, results);
  process.stdout.write(`${renderReport(results)}\n\nResults written to ${out}\n`);
}

main().then(
  // DynamoDB Local and the local server are stopped; nothing else should keep the process alive.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
