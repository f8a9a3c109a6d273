import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTokenInputs } from '../../cli/inputs.ts';
import { settledItem } from '../../cli/token-files.ts';
import { runCli } from '../../cli/main.ts';
import { jwkFromKeyObject } from '#shared/crypto/jwks.ts';
import { memoryIo, runDccHere } from './support/run-dcc.ts';

/**
 * A folder is an archive that may hold millions of certificates: `dcc verify` lists it at once
 * and each file is read only by the thread that verifies it.
 */

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-folder-inputs-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a folder of tokens', () => {
  it('is listed in name order, and a file is read only when its item is settled', async () => {
    const folder = join(dir, 'lazy');
    await mkdir(folder);
    await mkdir(join(folder, 'sub.jwt'));
    await writeFile(join(folder, 'b.jwt'), '  eyJ.b.c\n');
    await writeFile(join(folder, 'a.json'), JSON.stringify({ certificateNo: '1', token: 'eyJ.a.c' }));
    await writeFile(join(folder, 'c.jwt'), 'first');
    const { items, batch } = await readTokenInputs(folder, memoryIo());
    expect(batch).toBe(true);
    // A sub-folder is not an item.
    expect(items.length).toBe(3);
    const taken = items.read(0, 3);
    expect(taken).toEqual(['a.json', 'b.jwt', 'c.jwt'].map((name) => ({ source: join(folder, name), unread: true })));
    // Written after the items were taken, read as it is when settled.
    await writeFile(join(folder, 'c.jwt'), '证书.第二.版');
    expect(taken.map(settledItem)).toEqual([
      { source: join(folder, 'a.json'), token: 'eyJ.a.c' },
      { source: join(folder, 'b.jwt'), token: 'eyJ.b.c' },
      { source: join(folder, 'c.jwt'), token: '证书.第二.版' },
    ]);
    expect(items.read(1, 2).map(settledItem)).toEqual([{ source: join(folder, 'b.jwt'), token: 'eyJ.b.c' }]);
  });

  it('lists every regular file of a folder larger than one read of its entries, and nothing else', async () => {
    const folder = join(dir, 'many');
    await mkdir(folder);
    // More entries than the system is asked for at a time, written out of order.
    const names = Array.from({ length: 2500 }, (_, i) => `c-${String((i * 7919) % 2500).padStart(4, '0')}.jwt`);
    await Promise.all(names.map((name) => writeFile(join(folder, name), `${name}.b.c`)));
    await mkdir(join(folder, 'c-1000.5.jwt'));
    await symlink(join(folder, 'c-0001.jwt'), join(folder, 'c-0001.link.jwt'));
    const { items } = await readTokenInputs(folder, memoryIo());
    // A sub-folder and a symbolic link are not items.
    expect(items.length).toBe(2500);
    const listed = items.read(0, items.length).map((item) => item.source);
    expect(listed).toEqual([...names].sort().map((name) => join(folder, name)));
    expect(items.read(2499, 2500).map(settledItem)).toEqual([{ source: join(folder, 'c-2499.jwt'), token: 'c-2499.jwt.b.c' }]);
  });

  it('reports a file that cannot be read any more as an item without a token, and reads on', async () => {
    const folder = join(dir, 'gone');
    await mkdir(folder);
    await writeFile(join(folder, '1.jwt'), 'eyJ.one.c');
    await writeFile(join(folder, '2.jwt'), 'eyJ.two.c');
    await writeFile(join(folder, '3.jwt'), 'eyJ.three.c');
    const { items } = await readTokenInputs(folder, memoryIo());
    await rm(join(folder, '2.jwt'));
    expect(items.read(0, 3).map(settledItem)).toEqual([
      { source: join(folder, '1.jwt'), token: 'eyJ.one.c' },
      { source: join(folder, '2.jwt'), token: null, problem: 'a file that cannot be read (ENOENT)' },
      { source: join(folder, '3.jwt'), token: 'eyJ.three.c' },
    ]);
  });

  it('refuses a file past the limit by its size, and reads one at the limit whole', async () => {
    const folder = join(dir, 'sizes');
    await mkdir(folder);
    const limit = 1024 * 1024;
    await writeFile(join(folder, 'at-limit.jwt'), `${'x'.repeat(limit - 1)}.`);
    await writeFile(join(folder, 'past-limit.jwt'), 'y'.repeat(limit + 1));
    const { items } = await readTokenInputs(folder, memoryIo());
    const [atLimit, pastLimit] = items.read(0, 2).map(settledItem);
    expect(atLimit?.token).toHaveLength(limit);
    expect(pastLimit).toEqual({ source: join(folder, 'past-limit.jwt'), token: null, problem: `${limit + 1} bytes, more than any token or certificate record (${limit})` });
  });
});

describe('dcc verify on a folder, at a terminal', () => {
  it('prints the failures after the progress bar is done, never under it', async () => {
    const folder = join(dir, 'terminal');
    await mkdir(folder);
    for (const name of ['a.jwt', 'b.jwt', 'c.jwt']) await writeFile(join(folder, name), `not a certificate: ${name}`);
    const jwks = join(dir, 'terminal-jwks.json');
    await writeFile(jwks, JSON.stringify({ keys: [jwkFromKeyObject(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)] }));
    // Both streams in one log, in the order they were written.
    const log: ['out' | 'bar', string][] = [];
    const bar = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          log.push(['bar', chunk.toString()]);
          done();
        },
      }),
      // What the bar asks of a terminal.
      { isTTY: true, columns: 80 },
    );
    const code = await runCli(['verify', folder, '--jwks', jwks], {
      ...memoryIo(),
      stdout: (s) => log.push(['out', s]),
      stderrIsTTY: true,
      progressStream: bar,
    });
    expect(code).toBe(1);
    const out = log.filter(([stream]) => stream === 'out').map(([, text]) => text).join('');
    expect(out.match(/^INVALID /gm)).toHaveLength(3);
    expect(out).toContain('Verified 3 certificates: 3 invalid.');
    const lastBar = log.map(([stream]) => stream).lastIndexOf('bar');
    const firstOut = log.findIndex(([stream]) => stream === 'out');
    expect(lastBar).toBeGreaterThanOrEqual(0);
    expect(firstOut).toBeGreaterThan(lastBar);
  });
});

describe('dcc verify --json on more results than it holds in memory', () => {
  it('keeps them in a temporary file of its own, writes the same report, and removes the file', async () => {
    // 15,000 results of about 370 characters: more than the 4 Mi characters held in memory.
    const lines = Array.from({ length: 15_000 }, (_, i) => `not a certificate ${i}`);
    const file = join(dir, 'many-results.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const jwks = join(dir, 'many-results-jwks.json');
    await writeFile(jwks, JSON.stringify({ keys: [jwkFromKeyObject(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)] }));
    const args = ['verify', file, '--jwks', jwks, '--json'];

    // Where no file can be made, the run says so and ends as a usage error: the file was needed.
    const nowhere = await runDccHere(args, { env: { TMPDIR: join(dir, 'no-such-folder') } });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/^dcc: cannot keep the report's results in a temporary file under .*no-such-folder \(ENOENT\): set TMPDIR/);

    const temporary = await mkdtemp(join(dir, 'tmp-'));
    const run = await runDccHere(args, { env: { TMPDIR: temporary } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { summary: { total: number; failed: number }; results: { source: string; status: string }[] };
    expect(run.stdout).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(run.stdout.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(report.summary).toMatchObject({ total: 15_000, failed: 15_000 });
    expect(report.results.map((r) => r.source)).toEqual(lines.map((_, i) => `${file}:${i + 1}`));
    expect(await readdir(temporary)).toEqual([]);
  });
});

describe('dcc verify at a terminal with more failures than it holds in memory', () => {
  it('keeps them in a temporary file of its own until the bar is done, prints the same lines, and removes the file', async () => {
    // 17,000 failure lines, each naming a file of 200 characters: more than 4 Mi characters.
    const file = join(dir, `${'f'.repeat(200)}.jsonl`);
    await writeFile(file, Array.from({ length: 17_000 }, (_, i) => `not a certificate ${i}\n`).join(''));
    const jwks = join(dir, 'many-failures-jwks.json');
    await writeFile(jwks, JSON.stringify({ keys: [jwkFromKeyObject(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)] }));
    const args = ['verify', file, '--jwks', jwks];
    const atTerminal = async (env: Record<string, string>) => {
      const out: string[] = [];
      const err: string[] = [];
      const drawn: string[] = [];
      const bar = Object.assign(
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            drawn.push(chunk.toString());
            done();
          },
        }),
        { isTTY: true, columns: 80 },
      );
      const code = await runCli(args, { ...memoryIo(), env, stdout: (text) => out.push(text), stderr: (text) => err.push(text), stderrIsTTY: true, progressStream: bar });
      return { code, stdout: out.join(''), stderr: err.join(''), drawn };
    };
    // The bar is done: it showed the cursor again, and draws nothing more (its timer redraws every 100 ms).
    const barDone = async (drawn: string[]) => {
      expect(drawn.join('')).toContain('\u001b[?25h');
      const written = drawn.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(drawn.length).toBe(written);
    };

    // Where no file can be made, the run says so and ends as a usage error: the file was needed.
    const nowhere = await atTerminal({ TMPDIR: join(dir, 'no-such-folder') });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/^dcc: cannot keep the report's results in a temporary file under .*no-such-folder \(ENOENT\): set TMPDIR/);
    // A run that ends in an error stops its bar too: one left drawing would keep the process alive.
    await barDone(nowhere.drawn);

    // Without a bar the failures are printed as each window is verified: the text to match.
    const plain = await runDccHere(args);
    expect(plain.code).toBe(1);
    expect(plain.stdout.match(/^INVALID /gm)).toHaveLength(17_000);
    expect(plain.stdout.length).toBeGreaterThan(4 * 1024 * 1024);

    const temporary = await mkdtemp(join(dir, 'tmp-'));
    const run = await atTerminal({ TMPDIR: temporary });
    await barDone(run.drawn);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(plain.stdout);
    expect(await readdir(temporary)).toEqual([]);
  });
});
