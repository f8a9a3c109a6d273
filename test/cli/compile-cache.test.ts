import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompileCacheModule, compileCacheFolder, enablePrivateCompileCache, isPrivateFolder } from '../../cli/compile-cache.ts';
import { tokenCacheDir } from '../../cli/token-cache.ts';

/**
 * Node's compile cache holds the compiled code dcc runs, so it must live where only the user
 * can write: never the shared temporary folder Node picks by default.
 */

let dir: string;
const uid = process.getuid?.();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-compile-cache-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for `node:module` that records where the cache was switched on. */
function nodeWithCache(already?: string): CompileCacheModule & { enabled: string[] } {
  const enabled: string[] = [];
  return { enabled, enableCompileCache: (directory) => void enabled.push(directory as string), getCompileCacheDir: () => already };
}

describe('the compile cache folder', () => {
  it("is dcc's own cache folder, as its access tokens', never the temporary one", () => {
    expect(compileCacheFolder({ HOME: '/home/ada', TMPDIR: '/tmp' })).toBe('/home/ada/.cache/dcc/compile-cache');
    expect(compileCacheFolder({ HOME: '/home/ada', XDG_CACHE_HOME: '/var/cache/ada' })).toBe('/var/cache/ada/dcc/compile-cache');
    // The XDG specification: a relative path is invalid and is ignored.
    expect(compileCacheFolder({ HOME: '/home/ada', XDG_CACHE_HOME: 'cache' })).toBe('/home/ada/.cache/dcc/compile-cache');
    expect(compileCacheFolder({ HOME: '/home/ada' })).toBe(join(tokenCacheDir({ HOME: '/home/ada' }), 'compile-cache'));
  });

  it('is none when the environment names no absolute folder of the user', () => {
    expect(compileCacheFolder({ TMPDIR: '/tmp' })).toBeUndefined();
    expect(compileCacheFolder({ HOME: 'relative', XDG_CACHE_HOME: 'cache' })).toBeUndefined();
    expect(compileCacheFolder({ HOME: '' })).toBeUndefined();
  });
});

describe.skipIf(uid === undefined)('a private folder', () => {
  it("is a directory of the user's that no one else may write to", async () => {
    const own = join(dir, 'own');
    await mkdir(own, { mode: 0o700 });
    await chmod(own, 0o700);
    expect(isPrivateFolder(own, uid)).toBe(true);
    await chmod(own, 0o755);
    expect(isPrivateFolder(own, uid)).toBe(true);
    for (const open of [0o777, 0o770, 0o702, 0o1777]) {
      await chmod(own, open);
      expect(isPrivateFolder(own, uid), open.toString(8)).toBe(false);
    }
    await chmod(own, 0o700);
    // Someone else's folder, a link to one's own folder, a file, nothing.
    expect(isPrivateFolder(own, (uid as number) + 1)).toBe(false);
    await symlink(own, join(dir, 'link'));
    expect(isPrivateFolder(join(dir, 'link'), uid)).toBe(false);
    await writeFile(join(dir, 'file'), '');
    expect(isPrivateFolder(join(dir, 'file'), uid)).toBe(false);
    expect(isPrivateFolder(join(dir, 'missing'), uid)).toBe(false);
  });
});

describe.skipIf(uid === undefined)('switching the cache on', () => {
  it("makes the user's folder, private, and switches the cache on there", async () => {
    const home = join(dir, 'home-a');
    await mkdir(home);
    const node = nodeWithCache();
    const folder = enablePrivateCompileCache(node, { HOME: home }, uid);
    expect(folder).toBe(join(home, '.cache/dcc/compile-cache'));
    expect(node.enabled).toEqual([folder]);
    expect((await stat(folder as string)).mode & 0o777).toBe(0o700);
    // Again: the folder is there, and still the cache's.
    const again = nodeWithCache();
    expect(enablePrivateCompileCache(again, { HOME: home }, uid)).toBe(folder);
    expect(again.enabled).toEqual([folder]);
  });

  it('leaves the cache off in a folder others may write to, or that is not a folder', async () => {
    const home = join(dir, 'home-b');
    const shared = join(home, '.cache/dcc/compile-cache');
    await mkdir(shared, { recursive: true });
    await chmod(shared, 0o777);
    const node = nodeWithCache();
    expect(enablePrivateCompileCache(node, { HOME: home }, uid)).toBeUndefined();
    expect(node.enabled).toEqual([]);
    const elsewhere = join(dir, 'home-c');
    await mkdir(join(elsewhere, '.cache/dcc'), { recursive: true });
    await writeFile(join(elsewhere, '.cache/dcc/compile-cache'), '');
    expect(enablePrivateCompileCache(node, { HOME: elsewhere }, uid)).toBeUndefined();
    expect(node.enabled).toEqual([]);
  });

  it('changes nothing where Node has no cache, the environment chose, or no folder is named', async () => {
    const home = join(dir, 'home-d');
    await mkdir(home);
    expect(enablePrivateCompileCache({}, { HOME: home }, uid)).toBeUndefined();
    const chosen = nodeWithCache('/somewhere/chosen');
    expect(enablePrivateCompileCache(chosen, { HOME: home }, uid)).toBeUndefined();
    for (const env of [{ HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' }, { HOME: home, NODE_COMPILE_CACHE: '/x' }, { TMPDIR: home }]) {
      const node = nodeWithCache();
      expect(enablePrivateCompileCache(node, env, uid)).toBeUndefined();
      expect(node.enabled).toEqual([]);
    }
    // Nothing was made in the user's folder on the way.
    await expect(stat(join(home, '.cache'))).rejects.toThrow(/ENOENT/);
  });
});
