import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { DriverInput } from './instruction-driver.ts';
import { benchCertificate, benchSigner } from './offline-certificates.ts';
import { round } from './support.ts';

/** One function's share of the batch path's instructions beyond raw verification, per token. */
export interface InstructionShare {
  /** The function: a JavaScript function (`JS`), a regular expression, a V8 builtin or a native function. */
  name: string;
  perToken: number;
}

/**
 * Instructions executed per token, counted by valgrind: the same for the same program and input
 * whatever else the machine runs, where every time figure here moves by tens of per cent. A
 * diagnostic beside the timed batch figures, not a goal: the goal is time.
 */
export interface InstructionResults {
  /** `crypto.verify` over the tokens' signing inputs and signatures. */
  rawPerToken: number;
  /** `verifyBatch` as `dcc verify <folder>` calls it (verdicts only), on one thread. */
  batchPerToken: number;
  /** rawPerToken / batchPerToken: the batch ratio counted in instructions instead of time. */
  ratio: number;
  /**
   * `ratio` with the batch's count less the overhead's share of V8's compilers ({@link KINDS}):
   * a compile that falls inside the counted window is warm-up that came late, not work a token
   * costs in a long run, and whether one falls there differs from run to run.
   */
  ratioWithoutCompilers: number;
  /** The steps no verification can skip and nothing else (`essentialSteps`, bench/raw-verify.ts). */
  essentialPerToken: number;
  /** rawPerToken / essentialPerToken: the most a batch could reach in instructions with every check at no cost. */
  essentialRatio: number;
  overheadPerToken: number;
  /** The overhead by kind of code ({@link KINDS}), largest first: they add up to `overheadPerToken`. */
  byKind: InstructionShare[];
  /** The functions whose count per token grew most from raw to batch, largest first; `elsewhere` is the rest of the overhead. */
  overhead: InstructionShare[];
  elsewhere: number;
  /** Tokens verified before the counted ones (the JIT compiles the hot path), and counted. */
  tokens: { warmUp: number; counted: number };
  method: string;
}

/** Why the count was not taken (no valgrind on this machine). */
export interface InstructionsUnavailable {
  unavailable: string;
}

export interface InstructionOptions {
  warmUp: number;
  counted: number;
  /** Distinct tokens the runs cycle through. */
  distinct: number;
  log: (line: string) => void;
}

const run = promisify(execFile);

/** The kind that holds V8's compilers' own work. */
const COMPILERS = 'JIT compilers';

/**
 * The kinds of code the overhead is summed by, each a test on the function's name, the first that
 * matches deciding: JSON.parse is V8's JSON parser with the strings it makes, the JIT's own work
 * and the collector's are V8's compiler and heap, and what is left of V8 and libc is native.
 */
const KINDS: readonly { kind: string; test: RegExp }[] = [
  { kind: 'JSON.parse (V8 JsonParser, its strings)', test: /JsonParser|InternalizeString|StringTable::LookupKey|Utf8Decoder/ },
  { kind: 'JavaScript, compiled', test: /\(JS\)$|^\(unnamed code\)$/ },
  { kind: 'regular expressions', test: /RegExp/ },
  { kind: 'V8 builtins', test: /^builtin / },
  { kind: COMPILERS, test: /v8::internal::(compiler|maglev|baseline|interpreter)::|turboshaft/ },
  { kind: 'garbage collection', test: /v8::internal::.*(Heap|Scaveng|Mark|Sweep|Evacuat|Remembered|MemoryAllocator|MemoryChunk|Page)/ },
  { kind: 'OpenSSL', test: /nistz256|sha256|^BN_|^bn_|^EVP_|^OPENSSL|^ossl|^ec_|^EC_|ECDSA|^CRYPTO_|^ERR_/ },
  { kind: 'libc (allocation, copies)', test: /^_?_?(int_)?(malloc|free|realloc|calloc|mem\w+)|^_int_|^__mem|^__str|^str/ },
];

/** How many functions the overhead lists by name. */
const LISTED = 12;

const METHOD =
  'valgrind --tool=callgrind (all threads: the GC helpers count too) around node --no-concurrent-recompilation (the optimizing ' +
  'compiler on the main thread) running a one-file bundle of ' +
  'bench/instruction-driver.ts, per way (raw crypto.verify; verifyBatch as dcc verify <folder> calls it, one thread, in batches of ' +
  '1024 one after the other; the steps no verification can skip, essentialSteps of bench/raw-verify.ts) twice: warmUp tokens, then warmUp + counted; the longer run repeats the shorter one exactly before ' +
  'going on, so per token = the difference over counted, start-up, loading and the JIT\'s warm-up cancelling. ' +
  'Functions are named from callgrind_annotate and, for compiled JavaScript, from node --perf-basic-prof.';

/** Why instructions cannot be counted here (a tool not found), or null when they can. */
export async function instructionCountsUnavailable(): Promise<string | null> {
  // Missing means not found: callgrind_annotate answers even --version with exit status 255.
  const missing = await Promise.all(
    ['valgrind', 'callgrind_annotate'].map((tool) =>
      run(tool, ['--version']).then(
        () => null,
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? tool : null),
      ),
    ),
  );
  const absent = missing.filter((tool) => tool !== null);
  return absent.length > 0 ? `${absent.join(' and ')} not found` : null;
}

/**
 * Instructions executed by `node args` from start to exit, every thread counted, under
 * callgrind, without {@link RANDOM_WORK}; `env` is the whole environment (nothing of this
 * process's is passed on). The same for the same program and input to a fraction of a per cent.
 */
export async function instructionsOf(args: readonly string[], env: Record<string, string>): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'dcc-callgrind-'));
  try {
    return (await counted(join(dir, 'callgrind.out'), args, env)).total;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `node args` run under callgrind into `out`, and its counts. With `--perf-basic-prof` among
 * `args`, compiled JavaScript is named from the map node writes (then removed).
 */
async function counted(out: string, args: readonly string[], env: Record<string, string>): Promise<Counted> {
  // Run in the output's own folder: with `--perf-basic-prof`, node also writes a V8 log
  // (isolate-*.log) into its working directory, which would otherwise be the caller's.
  await run('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...args], { env, cwd: dirname(out), maxBuffer: 16 * 1024 * 1024 });
  const { stdout } = await run('callgrind_annotate', ['--threshold=100', out], { maxBuffer: 64 * 1024 * 1024 });
  if (!args.includes('--perf-basic-prof')) return parseAnnotation(stdout, []);
  const pid = /\(PID (\d+)/.exec(stdout)?.[1];
  if (pid === undefined) throw new Error(`callgrind_annotate named no process for node ${args.join(' ')}`);
  const mapFile = join(tmpdir(), `perf-${pid}.map`);
  const code = await readCodeMap(mapFile);
  await rm(mapFile, { force: true });
  return parseAnnotation(stdout, code);
}

/**
 * Instructions per token of the batch path and of raw verification, and where the difference
 * goes by function. Needs valgrind (with `callgrind_annotate`); without it, says so.
 */
export async function measureInstructions(options: InstructionOptions): Promise<InstructionResults | InstructionsUnavailable> {
  const unavailable = await instructionCountsUnavailable();
  if (unavailable !== null) return { unavailable };

  const dir = await mkdtemp(join(tmpdir(), 'dcc-bench-instructions-'));
  try {
    const { signer, jwk } = benchSigner();
    const at = new Date();
    const tokens: string[] = [];
    for (let i = 0; i < options.distinct; i++) tokens.push(await benchCertificate(signer, i, at));
    const input = join(dir, 'tokens.json');
    await writeFile(input, JSON.stringify({ tokens, jwk, at: at.toISOString() } satisfies DriverInput));
    const driver = join(dir, 'driver.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./instruction-driver.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: driver,
      // The packages that still call require() get Node's.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    options.log(`instructions: ${options.warmUp} + ${options.counted} tokens per way under callgrind`);
    const total = options.warmUp + options.counted;
    const count = (mode: Way, tokensToVerify: number) => callgrind(dir, driver, mode, tokensToVerify, input);
    // Two at a time: one per core of the machines this runs on.
    const [rawShort, rawLong] = await Promise.all([count('raw', options.warmUp), count('raw', total)]);
    const [batchShort, batchLong] = await Promise.all([count('batch', options.warmUp), count('batch', total)]);
    const [essentialShort, essentialLong] = await Promise.all([count('essential', options.warmUp), count('essential', total)]);
    const perToken = (short: Counted, long: Counted) => (long.total - short.total) / options.counted;
    const rawPerToken = perToken(rawShort, rawLong);
    const batchPerToken = perToken(batchShort, batchLong);
    const essentialPerToken = perToken(essentialShort, essentialLong);
    const grown = new Map<string, number>();
    const add = (counted: Counted, sign: number) => {
      for (const [name, instructions] of counted.byFunction) grown.set(name, (grown.get(name) ?? 0) + (sign * instructions) / options.counted);
    };
    add(batchLong, 1);
    add(batchShort, -1);
    add(rawLong, -1);
    add(rawShort, 1);
    // The overhead is the difference of the figures reported, so that the three agree to the unit.
    const overheadPerToken = Math.round(batchPerToken) - Math.round(rawPerToken);
    const kinds = new Map<string, number>();
    for (const [name, perTokenGrowth] of grown) {
      const kind = KINDS.find(({ test }) => test.test(name))?.kind ?? 'other native code';
      kinds.set(kind, (kinds.get(kind) ?? 0) + perTokenGrowth);
    }
    const compilers = kinds.get(COMPILERS) ?? 0;
    const byKind = [...kinds]
      .sort((a, b) => b[1] - a[1])
      .map(([name, perTokenGrowth]) => ({ name, perToken: Math.round(perTokenGrowth) }));
    const overhead = [...grown]
      .filter(([, perTokenGrowth]) => perTokenGrowth > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, LISTED)
      .map(([name, perTokenGrowth]) => ({ name, perToken: Math.round(perTokenGrowth) }));
    return {
      rawPerToken: Math.round(rawPerToken),
      batchPerToken: Math.round(batchPerToken),
      ratio: round(rawPerToken / batchPerToken, 3),
      ratioWithoutCompilers: round(rawPerToken / (batchPerToken - compilers), 3),
      essentialPerToken: Math.round(essentialPerToken),
      essentialRatio: round(rawPerToken / essentialPerToken, 3),
      overheadPerToken,
      byKind,
      overhead,
      elsewhere: Math.round(overheadPerToken - overhead.reduce((sum, share) => sum + share.perToken, 0)),
      tokens: { warmUp: options.warmUp, counted: options.counted },
      method: METHOD,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One callgrind run: the program's total and each function's own instructions. */
interface Counted {
  total: number;
  byFunction: Map<string, number>;
}

/** What the driver runs (bench/instruction-driver.ts). */
type Way = 'raw' | 'batch' | 'essential';

async function callgrind(dir: string, driver: string, mode: Way, tokens: number, input: string): Promise<Counted> {
  // A bare environment: nothing of this shell's (NODE_OPTIONS, extra CA certificates) is counted.
  // The optimizing compiler on the main thread: valgrind runs one thread at a time, so a background
  // compile that started in the warm-up could end among the counted tokens; on the main thread
  // each compile is done where its function turned hot. The code it makes is the same.
  const flags = ['--perf-basic-prof', '--no-concurrent-recompilation'];
  return counted(join(dir, `${mode}-${tokens}.callgrind`), [...flags, driver, mode, String(tokens), input], { PATH: process.env['PATH'] ?? '' });
}

/** A code region that node --perf-basic-prof named: start address, length, name. */
export type CodeMap = { start: number; end: number; name: string }[];

async function readCodeMap(file: string): Promise<CodeMap> {
  return codeMapOf(await readFile(file, 'utf8').catch(() => ''));
}

/** The regions of a `perf-<pid>.map` text, by start address. */
export function codeMapOf(text: string): CodeMap {
  const regions: CodeMap = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (!match) continue;
    const start = Number.parseInt(match[1] as string, 16);
    regions.push({ start, end: start + Number.parseInt(match[2] as string, 16), name: match[3] as string });
  }
  return regions.sort((a, b) => a.start - b.start);
}

/** The region holding `address` (binary search), or undefined. */
function regionOf(code: CodeMap, address: number): string | undefined {
  let low = 0;
  let high = code.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const region = code[middle] as CodeMap[number];
    if (address < region.start) high = middle - 1;
    else if (address >= region.end) low = middle + 1;
    else return region.name;
  }
  return undefined;
}

/**
 * Work that varies from run to run of the same program, left out of every count: V8 tests random
 * candidates for primes when it seeds its string hashing (`HashSeed::InitializeRoots`, in each
 * isolate), a few million instructions one run and twice that the next.
 */
const RANDOM_WORK = new Set(['detail::sprp']);

/**
 * The totals of a `callgrind_annotate` report: `PROGRAM TOTALS`, and per function its own count
 * (`<count> (<share>) <file>:<function> [<object>]`), JIT addresses named from `code`; both
 * without {@link RANDOM_WORK}.
 */
export function parseAnnotation(report: string, code: CodeMap): Counted {
  let total = 0;
  let random = 0;
  const byFunction = new Map<string, number>();
  for (const line of report.split('\n')) {
    const match = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    if (!match) continue;
    const instructions = Number((match[1] as string).replaceAll(',', ''));
    const what = match[2] as string;
    if (what.startsWith('PROGRAM TOTALS')) {
      total = instructions;
      continue;
    }
    const name = functionName(what.replace(/ \[[^\]]*\]$/, ''), code);
    if (RANDOM_WORK.has(name)) random += instructions;
    else byFunction.set(name, (byFunction.get(name) ?? 0) + instructions);
  }
  if (total === 0) throw new Error('callgrind_annotate reported no total');
  return { total: total - random, byFunction };
}

/** A readable, run-independent name: no addresses, no argument lists, no source positions. */
function functionName(raw: string, code: CodeMap): string {
  const fn = raw.replace(/^[^:]*:(?=[^:])/, '');
  const address = /^0x([0-9a-f]+)$/.exec(fn);
  if (address) {
    const named = regionOf(code, Number.parseInt(address[1] as string, 16));
    if (named === undefined) return '(unnamed code)';
    // "JS:*name file:///…:12:3" (the mark is the tier), "RegExp:^…$", "Builtin:Name".
    const js = /^JS:[*~^+-]?(\S*)/.exec(named);
    if (js) return `${js[1] || '(anonymous)'} (JS)`;
    return named.replace(/^Builtin:/, 'builtin ');
  }
  if (fn.startsWith('Builtins_')) return `builtin ${fn.slice('Builtins_'.length)}`;
  // C++: drop the argument list (and any template arguments it holds).
  const cpp = fn.replaceAll('(anonymous namespace)', '{anonymous}');
  const open = cpp.indexOf('(');
  return open > 0 ? cpp.slice(0, open) : cpp;
}
