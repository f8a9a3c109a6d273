import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateKeyFile, readIfExists, writeFileAtomic } from '#shared/adapters/key-file/files.ts';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'dcc-key-files-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('ensurePrivateKeyFile', () => {
  it('creates the file (and its folders) private to the owner, with no temp file left beside it', async () => {
    const path = join(directory, 'a', 'b', 'key.pem');
    await expect(ensurePrivateKeyFile(path, () => 'first key\n')).resolves.toBe('first key\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('first key\n');
    expect(await readdir(join(directory, 'a', 'b'))).toEqual(['key.pem']);
  });

  it('returns an existing key without generating or rewriting it', async () => {
    const path = join(directory, 'key.pem');
    await writeFile(path, 'kept', { mode: 0o600 });
    let generated = 0;
    await expect(
      ensurePrivateKeyFile(path, () => {
        generated++;
        return 'other';
      }),
    ).resolves.toBe('kept');
    expect(generated).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('kept');
  });

  it('gives every concurrent creator the one key that won, whichever generated first', async () => {
    const path = join(directory, 'raced.pem');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => ensurePrivateKeyFile(path, async () => `key ${i}\n`)),
    );
    const onDisk = await readFile(path, 'utf8');
    expect(results.every((r) => r === onDisk)).toBe(true);
    expect(await readdir(directory)).toEqual(['raced.pem']);
  });

  it('propagates a failing generator and leaves no file behind', async () => {
    const path = join(directory, 'key.pem');
    await expect(ensurePrivateKeyFile(path, () => Promise.reject(new Error('no entropy')))).rejects.toThrow('no entropy');
    expect(await readdir(directory)).toEqual([]);
  });
});

describe('writeFileAtomic and readIfExists', () => {
  it('replaces the content whole and reads null for a missing file', async () => {
    const path = join(directory, 'registry.json');
    await expect(readIfExists(path)).resolves.toBeNull();
    await writeFileAtomic(path, '{"v":1}\n');
    await writeFileAtomic(path, '{"v":2}\n');
    await expect(readIfExists(path)).resolves.toBe('{"v":2}\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(directory)).toEqual(['registry.json']);
  });
});
