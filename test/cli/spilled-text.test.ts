import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/context.ts';
import { SpilledText } from '../../cli/spilled-text.ts';
import { isWellFormedUnicode } from '#shared/domain/text.ts';

/**
 * The results of a JSON report wait for the summary, which is known only at the end: past a
 * limit they wait in a temporary file, and come back unchanged.
 */

let dir: string;
let root: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-spilled-text-'));
});

// Each test makes its temporary folders in a root of its own.
beforeEach(async () => {
  root = await mkdtemp(join(dir, 'root-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function drained(text: SpilledText): string[] {
  const pieces: string[] = [];
  text.drain((piece) => pieces.push(piece));
  return pieces;
}

describe('SpilledText', () => {
  it('keeps text within its limit in memory, in order, and writes no file', async () => {
    const text = new SpilledText(root, 100);
    text.append('{"a":1}');
    text.append(',"证书"');
    expect(await readdir(root)).toEqual([]);
    expect(drained(text).join('')).toBe('{"a":1},"证书"');
    text.dispose();
  });

  it('moves text past its limit to a file of its own and gives it back whole, characters never split', async () => {
    const text = new SpilledText(root, 1000);
    // More than one read back of 1 MiB, with characters of two, three and four bytes across its edges.
    const pieces = Array.from({ length: 6000 }, (_, i) => `,{"n":${i},"source":"归档/证书-${i}.jwt","note":"é𝄞"}`.repeat(4));
    for (const piece of pieces) text.append(piece);
    const [folder] = await readdir(root);
    expect(folder).toMatch(/^dcc-report-/);
    const back = drained(text);
    expect(back.length).toBeGreaterThan(1);
    expect(back.join('')).toBe(pieces.join(''));
    // No piece ends inside a character (a lone surrogate would be half of 𝄞).
    for (const piece of back) expect(isWellFormedUnicode(piece)).toBe(true);
    text.dispose();
    expect(await readdir(root)).toEqual([]);
  });

  it('removes its file when the run ends before the text is read back', async () => {
    const text = new SpilledText(root, 10);
    text.append('0123456789abc');
    expect((await readdir(root)).length).toBe(1);
    text.dispose();
    text.dispose();
    expect(await readdir(root)).toEqual([]);
  });

  it('says where it could not keep the text, as a usage error (exit 2, not a verdict)', () => {
    const text = new SpilledText(join(root, 'missing'), 10);
    text.append('0123456789');
    expect(() => text.append('a')).toThrow(UsageError);
    expect(() => new SpilledText(join(root, 'missing'), 0).append('a')).toThrow(/cannot keep the report's results in a temporary file under .*missing \(ENOENT\): set TMPDIR/);
    text.dispose();
  });
});

/** Starts a process that keeps text in a file under `root`, and resolves once the file exists. */
async function spilledProcess(root: string): Promise<ReturnType<typeof spawn>> {
  const script = new URL('./support/spill-and-wait.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', script, root], { stdio: ['ignore', 'pipe', 'inherit'] });
  let said = '';
  for await (const chunk of child.stdout) {
    said += String(chunk);
    if (said.includes('spilled\n')) break;
  }
  expect(said).toBe('spilled\n');
  return child;
}

describe('SpilledText in a run stopped from outside', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`removes its folder on ${signal}, and the run still ends by that signal`, async () => {
      const child = await spilledProcess(root);
      expect(await readdir(root)).toEqual([expect.stringMatching(/^dcc-report-/)]);
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code, by] = await exited;
      // Ended by the signal itself, as a shell expects (130 after Ctrl-C), not by an exit code.
      expect({ code, by }).toEqual({ code: null, by: signal });
      expect(await readdir(root)).toEqual([]);
    });
  }

  it('cannot clean up after SIGKILL: the folder stays, as the README says', async () => {
    const child = await spilledProcess(root);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    expect(await readdir(root)).toEqual([expect.stringMatching(/^dcc-report-/)]);
  });

  it('handles the signals only while a file exists, so a run without one keeps their default behaviour', () => {
    const before = process.listenerCount('SIGINT');
    const first = new SpilledText(root, 10);
    const second = new SpilledText(root, 10);
    first.append('0123456789abc');
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    second.append('0123456789abc');
    // One handler for every file of the process.
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    first.dispose();
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    second.dispose();
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM'), process.listenerCount('SIGHUP')]).toEqual([before, before, before]);
  });
});
