import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dccCacheFolder } from './cache-folder.ts';

/**
 * Node's compile cache (22.1 and later) for the installed `dcc`, kept in a folder of the user's
 * own. Left to itself, Node keeps it under the system's temporary folder, in a
 * `node-compile-cache` folder that whoever runs Node there first creates. On a machine with
 * several users, one of them can create that folder, and the one for another user's id inside it,
 * open to all; Node then keeps the other user's compiled code there, and reads it back, without
 * asking whose the folder is. An entry holds V8's compiled code of a module, and is checked
 * against checksums of the module's text and of the entry itself, which anyone can compute:
 * whoever can write to the folder decides what compiled code an auditor's dcc is offered.
 */

/** Node's `module`, as far as the cache goes: each function exists only on the versions that have it. */
export interface CompileCacheModule {
  enableCompileCache?: (directory?: string) => unknown;
  getCompileCacheDir?: () => string | undefined;
}

/** The folder for the cache: `compile-cache` in {@link dccCacheFolder}, or none. */
export function compileCacheFolder(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const folder = dccCacheFolder(env);
  return folder && join(folder, 'compile-cache');
}

/**
 * Whether `folder` is a directory that only user `uid` can write to: owned by that user, with
 * no write permission for group or others, and not a symbolic link. Where the system has no
 * user ids (Windows), any directory: the folder is under the user's home there.
 */
export function isPrivateFolder(folder: string, uid: number | undefined): boolean {
  let info;
  try {
    info = lstatSync(folder);
  } catch {
    return false;
  }
  if (!info.isDirectory()) return false;
  return uid === undefined || (info.uid === uid && (info.mode & 0o022) === 0);
}

/**
 * Switches Node's compile cache on in {@link compileCacheFolder}, made first (mode 0700) if it
 * is missing, and only if it is then {@link isPrivateFolder}. Nothing happens on a Node without
 * the cache, when the environment already chose (`NODE_COMPILE_CACHE`, or
 * `NODE_DISABLE_COMPILE_CACHE`), or when there is no private folder for it: dcc then compiles
 * as it would without a cache. Never throws: a cache is only ever a saving.
 */
export function enablePrivateCompileCache(node: CompileCacheModule, env: Readonly<Record<string, string | undefined>>, uid: number | undefined): string | undefined {
  if (typeof node.enableCompileCache !== 'function' || node.getCompileCacheDir?.() !== undefined) return undefined;
  if (env['NODE_DISABLE_COMPILE_CACHE'] || env['NODE_COMPILE_CACHE']) return undefined;
  const folder = compileCacheFolder(env);
  if (folder === undefined) return undefined;
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch {
    return undefined;
  }
  if (!isPrivateFolder(folder, uid)) return undefined;
  node.enableCompileCache(folder);
  return folder;
}
