import { createHash } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { boundedFetch, fetchLimits, runLimits, SourceError, type SourceKind } from '../bounded-fetch.ts';
import { contextOf, ExitCode, setExitCode, UsageError, type CliIo } from '../context.ts';
import { parseCheckpoint, type Checkpoint } from '#shared/transparency/checkpoint.ts';
import { type LogEntry, decodeEntry } from '#shared/transparency/entry.ts';
import { RootBuilder } from '#shared/transparency/compact-range.ts';
import { consistencyProof, leafHash, verifyConsistency, equalHashes } from '#shared/transparency/merkle.ts';
import { type NoteVerifierKey, openNote, parseVerifierKey } from '#shared/transparency/note.ts';
import { verifyProof } from '#shared/transparency/proof.ts';
import { tileHasher } from '#shared/transparency/tile-hasher.ts';
import { TILE_WIDTH, type TileId, decodeEntryBundle, decodeTile, tilePath } from '#shared/transparency/tiles.ts';
import { shown } from '../terminal-text.ts';

/**
 * `dcc log`: audit the transparency log without trusting the service.
 *
 * - `verify-proof <file> --key <vkey>`: offline. Checks the checkpoint's signature by the log
 *   key, its origin, and the inclusion of the entry the proof carries.
 * - `monitor --api <url> --state <file> --key <vkey>`: fetches the checkpoint and checks its
 *   signature; checks it is consistent with the last one seen (kept in the state file: a smaller
 *   size, a different root at the same size or a failed consistency proof is a rollback or a
 *   fork); re-derives the root from the entry bundles and compares it; checks every entry is a
 *   canonical v1 entry and that the log tells a coherent story per certificate (issued once,
 *   revoked at most once and only after its issue, the same number, token hash and status index
 *   in every entry); and, for entries new since the last run, that the API's public proof route
 *   serves each change at the index the log holds it. What an outsider cannot check without
 *   credentials: the certificates themselves (their tokens are not public); a holder of a token
 *   checks it with `dcc log verify-proof` and the token's SHA-256 against `tokenSha256`.
 *
 * Exit codes: 0 all checks passed, 1 a problem was found, 2 usage.
 */

interface MonitorState {
  origin: string;
  size: number;
  rootHash: string;
  checkpoint: string;
}

/** Result of one monitor run. */
export interface MonitorReport {
  checkpoint: Checkpoint | null;
  /** Every problem found; empty when the log checks out. */
  problems: string[];
  entries: number;
}

/** Parses `--key`: a verifier key string, or `@<file>` holding one. @throws {UsageError} */
export async function loadVerifierKey(value: string): Promise<NoteVerifierKey> {
  const text = value.startsWith('@') ? await readFile(value.slice(1), 'utf8').catch(() => {
    throw new UsageError(`cannot read ${value.slice(1)}`);
  }) : value;
  try {
    return parseVerifierKey(text.trim());
  } catch (error) {
    throw new UsageError(`--key is not a note verifier key: ${(error as Error).message}`);
  }
}

async function get(io: CliIo, url: string, kind: SourceKind, what: string): Promise<{ status: number; body: Uint8Array }> {
  const response = await boundedFetch(io, url, { headers: { 'accept-encoding': 'gzip, identity' } }, fetchLimits(io, kind), what);
  return { status: response.status, body: response.body };
}

/**
 * The most problems one run lists: a hostile log can make every entry a problem, and the verdict
 * is the same after the first.
 */
const MAX_LISTED_PROBLEMS = 100;

/** The problems of a run, the first {@link MAX_LISTED_PROBLEMS} listed and the rest counted. */
class Problems {
  readonly listed: string[] = [];
  private omitted = 0;
  add(problem: string): void {
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(problem);
    else this.omitted++;
  }
  get found(): boolean {
    return this.listed.length > 0;
  }
  all(): string[] {
    return this.omitted > 0 ? [...this.listed, `… and ${this.omitted} more problems`] : [...this.listed];
  }
}

/**
 * One monitor pass; never throws for a misbehaving log's content (that is a problem in the
 * report). It works in bounded memory: the root is re-derived from the entry bundles one bundle
 * at a time through a compact range (O(log n) hashes), the consistency proof reads only the
 * tiles it needs, and the story check keeps one small record per certificate.
 * @throws {UsageError} when the checkpoint claims a tree larger than `--max-tree-size`.
 * @throws {SourceError} when the log is unreachable, too slow, too big or redirects.
 */
export async function monitorLog(options: { api: string; key: NoteVerifierKey; statePath: string; io: CliIo }): Promise<MonitorReport> {
  const { io, key } = options;
  const api = options.api.replace(/\/+$/, '');
  const problems = new Problems();
  const report = (checkpoint: Checkpoint | null, entries: number): MonitorReport => ({ checkpoint, problems: problems.all(), entries });
  const checkpointResponse = await get(io, `${api}/v1/log/checkpoint`, 'checkpoint', 'the checkpoint');
  if (checkpointResponse.status !== 200) {
    problems.add(`GET /v1/log/checkpoint answered ${checkpointResponse.status}`);
    return report(null, 0);
  }
  const note = Buffer.from(checkpointResponse.body).toString('utf8');
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(openNote(note, key));
  } catch (error) {
    problems.add(`the checkpoint does not verify: ${(error as Error).message}`);
    return report(null, 0);
  }
  if (checkpoint.origin !== key.name) problems.add(`the checkpoint's origin ${checkpoint.origin} is not the key's ${key.name}`);
  // A signed checkpoint can claim any size: refuse before fetching what the size would demand.
  const { maxTreeSize } = runLimits(io);
  if (checkpoint.size > maxTreeSize) {
    throw new UsageError(
      `the checkpoint of ${api} claims ${checkpoint.size} entries, more than the ${maxTreeSize} dcc log monitor accepts (--max-tree-size or DCC_MAX_TREE_SIZE)`,
    );
  }

  const readHashTile = async (id: TileId): Promise<Uint8Array[]> => {
    const path = tilePath(id);
    const r = await get(io, `${api}/v1/log/${path}`, 'tile', `the tile ${path}`);
    if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}`);
    return decodeTile(r.body);
  };

  const previous = await readState(options.statePath);
  if (previous) {
    const root1 = new Uint8Array(Buffer.from(previous.rootHash, 'base64'));
    if (previous.origin !== checkpoint.origin) problems.add(`the origin changed from ${previous.origin} to ${checkpoint.origin}`);
    if (checkpoint.size < previous.size) {
      problems.add(`the tree shrank from ${previous.size} to ${checkpoint.size} entries (rollback)`);
    } else if (checkpoint.size === previous.size) {
      if (!equalHashes(root1, checkpoint.rootHash)) problems.add(`two different roots for size ${checkpoint.size} (fork)`);
    } else {
      try {
        // Only the tiles on the proof's paths are read: O(log n) of them.
        const proof = await consistencyProof(previous.size, checkpoint.size, tileHasher(checkpoint.size, readHashTile));
        verifyConsistency(previous.size, checkpoint.size, proof, root1, checkpoint.rootHash);
      } catch (error) {
        if (error instanceof SourceError) throw error;
        problems.add(`checkpoint ${checkpoint.size} is not consistent with ${previous.size} seen before: ${(error as Error).message}`);
      }
    }
  }

  // Re-derive the whole tree from the entry bundles, one bundle at a time.
  const root = new RootBuilder();
  const story = new StoryCheck();
  const from = previous && previous.size <= checkpoint.size ? previous.size : 0;
  let entries = 0;
  try {
    for (let n = 0; n * TILE_WIDTH < checkpoint.size; n++) {
      const width = Math.min(TILE_WIDTH, checkpoint.size - n * TILE_WIDTH);
      const path = tilePath({ level: 'entries', index: n, width });
      const r = await get(io, `${api}/v1/log/${path}`, 'bundle', `the entry bundle ${path}`);
      if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}`);
      const bundle = decodeEntryBundle(r.body);
      if (bundle.length !== width) throw new Error(`bundle ${n} holds ${bundle.length} entries, not ${width}`);
      for (const [k, bytes] of bundle.entries()) {
        const i = n * TILE_WIDTH + k;
        root.add(leafHash(bytes));
        let entry: LogEntry;
        try {
          entry = decodeEntry(bytes);
        } catch (error) {
          problems.add(`entry ${i}: ${(error as Error).message}`);
          continue;
        }
        entries++;
        const incoherent = story.add(entry, i);
        if (incoherent) problems.add(incoherent);
        // Once something is wrong the run fails anyway: no request per entry for a hostile log.
        if (i >= from && !problems.found) await checkProofRoute(io, api, entry, i, problems);
      }
    }
    if (!equalHashes(root.root(), checkpoint.rootHash)) {
      problems.add(`the entry bundles do not hash to the checkpoint's root (size ${checkpoint.size})`);
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    problems.add(`the entries could not be read: ${(error as Error).message}`);
  }

  if (!problems.found) {
    const state: MonitorState = {
      origin: checkpoint.origin,
      size: checkpoint.size,
      rootHash: Buffer.from(checkpoint.rootHash).toString('base64'),
      checkpoint: note,
    };
    await writeFile(`${options.statePath}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    await rename(`${options.statePath}.tmp`, options.statePath);
  }
  return report(checkpoint, entries);
}

/** Whether the API's public proof route serves entry `i` at the index the log holds it. */
async function checkProofRoute(io: CliIo, api: string, e: LogEntry, i: number, problems: Problems): Promise<void> {
  const event = e.event === 'issued' ? 'issued' : 'revoked';
  const r = await get(io, `${api}/v1/certificates/${encodeURIComponent(e.id)}/proof?event=${event}`, 'proof', `the ${event} proof of ${e.id}`);
  if (r.status !== 200) {
    problems.add(`entry ${i}: the API serves no ${event} proof for ${e.id} (${r.status})`);
    return;
  }
  const index = /\nindex (\d+)\n/.exec(`\n${Buffer.from(r.body).toString('utf8')}`)?.[1];
  if (Number(index) !== i) problems.add(`entry ${i}: the API proves the ${event} event of ${e.id} at index ${index ?? '?'}`);
}

/**
 * A hash table from 64-bit keys to numbers below 2^53, in two typed arrays with linear probing:
 * 16 bytes a slot, at most half the slots used, so 32 to 64 bytes a key (a `Map` of strings
 * takes about 110). The keys are digests, uniformly spread, so the low bits index the slots.
 */
class DigestTable {
  private keys = new Uint32Array(2 * 1024);
  /** `value + 1`, so that 0 marks an empty slot. */
  private values = new Float64Array(1024);
  private count = 0;

  private slot(hi: number, lo: number): number {
    const mask = this.values.length - 1;
    let i = lo & mask;
    while (this.values[i] !== 0 && (this.keys[2 * i] !== hi || this.keys[2 * i + 1] !== lo)) i = (i + 1) & mask;
    return i;
  }

  get(hi: number, lo: number): number | undefined {
    const stored = this.values[this.slot(hi, lo)] as number;
    return stored === 0 ? undefined : stored - 1;
  }

  set(hi: number, lo: number, value: number): void {
    const i = this.slot(hi, lo);
    if (this.values[i] === 0) {
      if (2 * (this.count + 1) > this.values.length) {
        this.grow();
        this.set(hi, lo, value);
        return;
      }
      this.count++;
      this.keys[2 * i] = hi;
      this.keys[2 * i + 1] = lo;
    }
    this.values[i] = value + 1;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.values = new Float64Array(values.length * 2);
    for (let i = 0; i < values.length; i++) {
      if (values[i] === 0) continue;
      const j = this.slot(keys[2 * i] as number, keys[2 * i + 1] as number);
      this.keys[2 * j] = keys[2 * i] as number;
      this.keys[2 * j + 1] = keys[2 * i + 1] as number;
      this.values[j] = values[i] as number;
    }
  }
}

/**
 * Per-certificate coherence of the logged changes, checked entry by entry in log order: issued
 * once, revoked at most once and only after its issue, the same number, token hash and status
 * index in every entry. It keeps one record of 32 to 64 bytes per certificate, not the entries:
 * a 64-bit digest of the id, and one number holding a 52-bit digest of the fields that must not
 * change and whether the certificate was revoked. (A log forging a digest collision could only
 * make itself look incoherent, or would need a 2^52 second preimage to hide a changed field.)
 */
export class StoryCheck {
  private readonly seen = new DigestTable();

  /** Checks entry `i`; returns the problem it shows, if any. */
  add(e: LogEntry, i: number): string | undefined {
    const idDigest = createHash('sha256').update(e.id).digest();
    const hi = idDigest.readUInt32BE(0);
    const lo = idDigest.readUInt32BE(4);
    const d = createHash('sha256').update(`${e.certificateNo}\n${e.tokenSha256}\n${e.statusListIndex}`).digest();
    // 52 bits of the digest, times two: the lowest bit says "revoked"; exact below 2^53.
    const fields = (d.readUIntBE(0, 6) * 16 + ((d[6] as number) >> 4)) * 2;
    const record = this.seen.get(hi, lo);
    if (record === undefined) {
      this.seen.set(hi, lo, fields + (e.event === 'issued' ? 0 : 1));
      return e.event === 'issued' ? undefined : `entry ${i}: ${e.event} ${e.id} before it was issued`;
    }
    const revoked = record % 2 === 1;
    const problems: string[] = [];
    if (record - (revoked ? 1 : 0) !== fields) problems.push(`entry ${i}: ${e.id} has a different number, token hash or status index than in its first entry`);
    if (e.event === 'issued') problems.push(`entry ${i}: ${e.id} issued twice`);
    else if (revoked) problems.push(`entry ${i}: ${e.id} revoked twice`);
    else this.seen.set(hi, lo, record + 1);
    return problems.length > 0 ? problems.join('; ') : undefined;
  }
}

async function readState(path: string): Promise<MonitorState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const s = JSON.parse(text) as MonitorState;
    if (typeof s.size !== 'number' || typeof s.rootHash !== 'string' || typeof s.origin !== 'string') throw new Error('fields');
    return s;
  } catch {
    throw new UsageError(`the state file ${path} is not a monitor state`);
  }
}

/** Registers `dcc log verify-proof` and `dcc log monitor`. */
export function register(program: Command): void {
  const log = program.command('log').description('audit the transparency log: offline proofs and a monitor');
  log
    .command('verify-proof')
    .description('verify a c2sp.org/tlog-proof@v1 document offline against the log key')
    .argument('<proof-file>', 'the proof document (- for standard input)')
    .requiredOption('--key <vkey>', 'the log\'s note verifier key (or @file)')
    .action(async (file: string, options: { key: string }, command: Command) => {
      const context = contextOf(command);
      const key = await loadVerifierKey(options.key);
      // A proof is a few KB: a file far larger is refused before it is read.
      const { maxBytes } = fetchLimits(context.io, 'proof');
      const size = file === '-' ? 0 : await stat(file).then((s) => s.size, () => 0);
      if (size > maxBytes) throw new UsageError(`${file} holds ${size} bytes, more than the ${maxBytes} a proof may have (--max-bytes or DCC_MAX_BYTES)`);
      const text = file === '-' ? await context.io.readStdin(maxBytes) : await readFile(file, 'utf8').catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      try {
        const verified = verifyProof(text, key);
        const e = verified.entry;
        context.io.stdout(
          `ok: ${shown(e.event)} ${shown(e.id)} (No. ${shown(e.certificateNo)}) at ${shown(e.at)} is entry ${verified.index} of ${shown(verified.checkpoint.origin)}, size ${verified.checkpoint.size}\n` +
            `tokenSha256 ${shown(e.tokenSha256)}\n`,
        );
      } catch (error) {
        context.io.stderr(`proof refused: ${shown((error as Error).message)}\n`);
        setExitCode(context, ExitCode.failed);
      }
    });
  log
    .command('monitor')
    .description('check the log is append-only, its tiles match its checkpoint, and the API agrees with it')
    .requiredOption('--api <url>', 'base URL of the API')
    .requiredOption('--state <file>', 'where the last verified checkpoint is kept between runs')
    .requiredOption('--key <vkey>', 'the log\'s note verifier key (or @file)')
    .action(async (options: { api: string; state: string; key: string }, command: Command) => {
      const context = contextOf(command);
      const key = await loadVerifierKey(options.key);
      const report = await monitorLog({ api: options.api, key, statePath: options.state, io: context.io });
      for (const p of report.problems) context.io.stderr(`problem: ${shown(p)}\n`);
      if (report.problems.length > 0) {
        setExitCode(context, ExitCode.failed);
        return;
      }
      context.io.stdout(`ok: ${shown(report.checkpoint?.origin)} size ${report.checkpoint?.size}, ${report.entries} entries checked\n`);
    });
}
