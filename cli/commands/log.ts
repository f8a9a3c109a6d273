import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { contextOf, ExitCode, setExitCode, UsageError, type CliIo } from '../context.ts';
import { parseCheckpoint, type Checkpoint } from '#shared/transparency/checkpoint.ts';
import { type LogEntry, decodeEntry } from '#shared/transparency/entry.ts';
import { consistencyProof, leafHash, rootFromLeafHashes, verifyConsistency, equalHashes } from '#shared/transparency/merkle.ts';
import { type NoteVerifierKey, openNote, parseVerifierKey } from '#shared/transparency/note.ts';
import { verifyProof } from '#shared/transparency/proof.ts';
import { tileHasher } from '#shared/transparency/tile-hasher.ts';
import { TILE_WIDTH, type TileId, decodeEntryBundle, decodeTile, tilePath } from '#shared/transparency/tiles.ts';

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

async function get(io: CliIo, url: string): Promise<{ status: number; body: Uint8Array }> {
  const response = await io.fetch(url, { headers: { 'accept-encoding': 'gzip, identity' } });
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
}

/** One monitor pass; never throws for a misbehaving log (that is a problem in the report). */
export async function monitorLog(options: { api: string; key: NoteVerifierKey; statePath: string; io: CliIo }): Promise<MonitorReport> {
  const { io, key } = options;
  const api = options.api.replace(/\/+$/, '');
  const problems: string[] = [];
  const checkpointResponse = await get(io, `${api}/v1/log/checkpoint`);
  if (checkpointResponse.status !== 200) return { checkpoint: null, problems: [`GET /v1/log/checkpoint answered ${checkpointResponse.status}`], entries: 0 };
  const note = Buffer.from(checkpointResponse.body).toString('utf8');
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(openNote(note, key));
  } catch (error) {
    return { checkpoint: null, problems: [`the checkpoint does not verify: ${(error as Error).message}`], entries: 0 };
  }
  if (checkpoint.origin !== key.name) problems.push(`the checkpoint's origin ${checkpoint.origin} is not the key's ${key.name}`);

  const tileCache = new Map<string, Promise<Uint8Array[]>>();
  const readTile = (id: TileId): Promise<Uint8Array[]> => {
    const path = tilePath(id);
    let hit = tileCache.get(path);
    if (!hit) {
      hit = get(io, `${api}/v1/log/${path}`).then((r) => {
        if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}`);
        return id.level === 'entries' ? decodeEntryBundle(r.body) : decodeTile(r.body);
      });
      tileCache.set(path, hit);
    }
    return hit;
  };

  const previous = await readState(options.statePath);
  if (previous) {
    const root1 = new Uint8Array(Buffer.from(previous.rootHash, 'base64'));
    if (previous.origin !== checkpoint.origin) problems.push(`the origin changed from ${previous.origin} to ${checkpoint.origin}`);
    if (checkpoint.size < previous.size) {
      problems.push(`the tree shrank from ${previous.size} to ${checkpoint.size} entries (rollback)`);
    } else if (checkpoint.size === previous.size) {
      if (!equalHashes(root1, checkpoint.rootHash)) problems.push(`two different roots for size ${checkpoint.size} (fork)`);
    } else {
      try {
        const proof = await consistencyProof(previous.size, checkpoint.size, tileHasher(checkpoint.size, readTile));
        verifyConsistency(previous.size, checkpoint.size, proof, root1, checkpoint.rootHash);
      } catch (error) {
        problems.push(`checkpoint ${checkpoint.size} is not consistent with ${previous.size} seen before: ${(error as Error).message}`);
      }
    }
  }

  // Re-derive the whole tree from the entry bundles.
  const entries: LogEntry[] = [];
  const leaves: Uint8Array[] = [];
  try {
    for (let n = 0; n * TILE_WIDTH < checkpoint.size; n++) {
      const width = Math.min(TILE_WIDTH, checkpoint.size - n * TILE_WIDTH);
      const bundle = await readTile({ level: 'entries', index: n, width });
      if (bundle.length !== width) throw new Error(`bundle ${n} holds ${bundle.length} entries, not ${width}`);
      bundle.forEach((bytes, k) => {
        leaves.push(leafHash(bytes));
        try {
          entries.push(decodeEntry(bytes));
        } catch (error) {
          problems.push(`entry ${n * TILE_WIDTH + k}: ${(error as Error).message}`);
        }
      });
    }
    if (!equalHashes(rootFromLeafHashes(leaves), checkpoint.rootHash)) {
      problems.push(`the entry bundles do not hash to the checkpoint's root (size ${checkpoint.size})`);
    }
  } catch (error) {
    problems.push(`the entries could not be read: ${(error as Error).message}`);
  }

  if (entries.length === leaves.length) {
    problems.push(...storyProblems(entries));
    const from = previous && previous.size <= checkpoint.size ? previous.size : 0;
    for (let i = from; i < entries.length; i++) {
      const e = entries[i] as LogEntry;
      const event = e.event === 'issued' ? 'issued' : 'revoked';
      const r = await get(io, `${api}/v1/certificates/${encodeURIComponent(e.id)}/proof?event=${event}`);
      if (r.status !== 200) {
        problems.push(`entry ${i}: the API serves no ${event} proof for ${e.id} (${r.status})`);
        continue;
      }
      const index = /\nindex (\d+)\n/.exec(`\n${Buffer.from(r.body).toString('utf8')}`)?.[1];
      if (Number(index) !== i) problems.push(`entry ${i}: the API proves the ${event} event of ${e.id} at index ${index ?? '?'}`);
    }
  }

  if (problems.length === 0) {
    const state: MonitorState = {
      origin: checkpoint.origin,
      size: checkpoint.size,
      rootHash: Buffer.from(checkpoint.rootHash).toString('base64'),
      checkpoint: note,
    };
    await writeFile(`${options.statePath}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    await rename(`${options.statePath}.tmp`, options.statePath);
  }
  return { checkpoint, problems, entries: entries.length };
}

/** Per-certificate coherence of the logged changes. */
export function storyProblems(entries: readonly LogEntry[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, { first: LogEntry; issued: boolean; revoked: boolean }>();
  entries.forEach((e, i) => {
    const s = seen.get(e.id);
    if (!s) {
      if (e.event !== 'issued') problems.push(`entry ${i}: ${e.event} ${e.id} before it was issued`);
      seen.set(e.id, { first: e, issued: e.event === 'issued', revoked: e.event !== 'issued' });
      return;
    }
    if (s.first.certificateNo !== e.certificateNo || s.first.tokenSha256 !== e.tokenSha256 || s.first.statusListIndex !== e.statusListIndex) {
      problems.push(`entry ${i}: ${e.id} has a different number, token hash or status index than in its first entry`);
    }
    if (e.event === 'issued') problems.push(`entry ${i}: ${e.id} issued twice`);
    else if (s.revoked) problems.push(`entry ${i}: ${e.id} revoked twice`);
    else s.revoked = true;
  });
  return problems;
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
      const text = file === '-' ? await context.io.readStdin() : await readFile(file, 'utf8').catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      try {
        const verified = verifyProof(text, key);
        const e = verified.entry;
        context.io.stdout(
          `ok: ${e.event} ${e.id} (No. ${e.certificateNo}) at ${e.at} is entry ${verified.index} of ${verified.checkpoint.origin}, size ${verified.checkpoint.size}\n` +
            `tokenSha256 ${e.tokenSha256}\n`,
        );
      } catch (error) {
        context.io.stderr(`proof refused: ${(error as Error).message}\n`);
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
      for (const p of report.problems) context.io.stderr(`problem: ${p}\n`);
      if (report.problems.length > 0) {
        setExitCode(context, ExitCode.failed);
        return;
      }
      context.io.stdout(`ok: ${report.checkpoint?.origin} size ${report.checkpoint?.size}, ${report.entries} entries checked\n`);
    });
}
