import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDcc, runDccHere } from './support/run-dcc.ts';

/**
 * Files are as hostile as servers: a token file received by mail, a folder of them, standard input.
 * Each is bounded before it is read (`--max-input-bytes`, and 1 MiB for a file of a folder).
 */

const run = promisify(execFile);

let dir: string;
let jwks: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-hostile-files-'));
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  const key = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  jwks = join(dir, 'jwks.json');
  await writeFile(jwks, JSON.stringify({ keys: [{ ...key, kid: await calculateJwkThumbprint(key, 'sha256'), alg: 'ES256', use: 'sig' }] }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dcc verify bounds what it reads from files', () => {
  it('refuses an input file larger than --max-input-bytes, naming the limit', async () => {
    const file = join(dir, 'archive.jsonl');
    await writeFile(file, `${'x'.repeat(1999)}\n`);
    const viaEnv = await runDccHere(['verify', file, '--jwks', jwks], { env: { DCC_MAX_INPUT_BYTES: '1000' } });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain(`${file} holds 2000 bytes, more than 1000 (--max-input-bytes or DCC_MAX_INPUT_BYTES`);
    expect(viaEnv.stdout).toBe('');
    const viaOption = await runDccHere(['--max-input-bytes', '1999', 'verify', file, '--jwks', jwks]);
    expect(viaOption.code).toBe(2);
    const within = await runDccHere(['--max-input-bytes', '2000', 'verify', file, '--jwks', jwks]);
    expect(within.code).toBe(1);
    expect(within.stderr).not.toContain('more than 2000');
  });

  it('refuses a named pipe past the cap, which has no size to check first', async () => {
    const pipe = join(dir, 'archive.fifo');
    await run('mkfifo', [pipe]);
    // Another process writes 50,000 bytes; the pipe closes under it once dcc has read past the cap.
    const writer = spawn('sh', ['-c', `head -c 50000 /dev/zero | tr '\\0' y > '${pipe}'`], { stdio: 'ignore' });
    const ended = new Promise((resolve) => writer.on('close', resolve));
    const refused = await runDcc(['verify', pipe, '--jwks', jwks], { env: { DCC_MAX_INPUT_BYTES: '1000' } });
    await ended;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${pipe} holds more than 1000 bytes (--max-input-bytes or DCC_MAX_INPUT_BYTES`);
    // Within the cap, the pipe is read to its end like any file.
    const small = spawn('sh', ['-c', `printf 'not-a-token\\n' > '${pipe}'`], { stdio: 'ignore' });
    const written = new Promise((resolve) => small.on('close', resolve));
    const read = await runDcc(['verify', pipe, '--jwks', jwks], { env: { DCC_MAX_INPUT_BYTES: '1000' } });
    await written;
    expect(read.code).toBe(1);
    expect(read.stdout).toContain(pipe);
  });

  it('refuses standard input past the cap without holding the rest', async () => {
    const run = await runDcc(['verify', '-', '--jwks', jwks], { stdin: 'y'.repeat(50_000), env: { DCC_MAX_INPUT_BYTES: '1000' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('standard input holds more than 1000 bytes');
  });

  it('reports a file of a folder larger than any token as such, without reading it', async () => {
    const folder = join(dir, 'mail');
    await mkdir(folder);
    await writeFile(join(folder, 'a.jwt'), 'not-a-token');
    // A sparse file of 3 GiB: reading it whole would take seconds and gigabytes, or fail outright.
    const huge = join(folder, 'b.jwt');
    await writeFile(huge, '');
    await truncate(huge, 3 * 1024 ** 3);
    const started = Date.now();
    const run = await runDccHere(['verify', folder, '--jwks', jwks, '--json']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${3 * 1024 ** 3} bytes, more than any token or certificate record (1048576)`);
    expect(run.stdout).toContain('a.jwt');
  });
});
