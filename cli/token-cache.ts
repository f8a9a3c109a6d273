import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { dccCacheFolder } from './cache-folder.ts';

/**
 * Access tokens `dcc` obtained, kept between runs so that a batch of commands costs one token
 * request, not one per command. One file per (API, client id, scope), under
 * `$XDG_CACHE_HOME/dcc/` (default `~/.cache/dcc/`), readable by its owner only: a cached token
 * is a bearer credential for as long as it lives. A token is reused until {@link EXPIRY_MARGIN_SECONDS}
 * before it expires, so that it does not expire on the way to the API.
 */

/** A token is not reused in its last minute. */
export const EXPIRY_MARGIN_SECONDS = 60;

/** What identifies a cached token. */
export interface TokenCacheKey {
  /** The API's base URL, without a trailing slash. */
  api: string;
  clientId: string;
  /** The scope asked for; empty for the client's default scopes. */
  scope: string;
}

/** One cached access token. */
export interface CachedToken {
  accessToken: string;
  /** When it expires, in milliseconds since the epoch (the time obtained plus `expires_in`). */
  expiresAt: number;
}

interface CacheFile extends TokenCacheKey, CachedToken {
  v: 1;
}

/** The cache folder: {@link dccCacheFolder}, else `.cache/dcc` in the user's home as the system knows it. */
export function tokenCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  return dccCacheFolder(env) ?? join(homedir(), '.cache', 'dcc');
}

/** The file tokens of `key` are kept in: a digest, so no URL or id becomes a path. */
function fileOf(dir: string, key: TokenCacheKey): string {
  const digest = createHash('sha256').update(JSON.stringify([key.api, key.clientId, key.scope])).digest('hex');
  return join(dir, `token-${digest.slice(0, 32)}.json`);
}

/** The token cache in one folder. Every failure to read is a miss: the cache is never needed. */
export class TokenCache {
  constructor(readonly dir: string) {}

  /** The token of `key` if it is still good at `now` (more than a minute left), else undefined. */
  async get(key: TokenCacheKey, now: Date): Promise<CachedToken | undefined> {
    const file = fileOf(this.dir, key);
    try {
      const info = await lstat(file);
      // Only a regular file of ours that nobody else can read: anything else was not written by
      // dcc, or was exposed, and a token that others could read is not used (nor kept).
      if (!info.isFile() || (info.mode & 0o077) !== 0 || (process.getuid && info.uid !== process.getuid())) {
        await this.delete(key);
        return undefined;
      }
      const entry = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheFile>;
      if (entry.v !== 1 || entry.api !== key.api || entry.clientId !== key.clientId || entry.scope !== key.scope) return undefined;
      if (typeof entry.accessToken !== 'string' || typeof entry.expiresAt !== 'number') return undefined;
      if (now.getTime() >= entry.expiresAt - EXPIRY_MARGIN_SECONDS * 1000) return undefined;
      return { accessToken: entry.accessToken, expiresAt: entry.expiresAt };
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps `token` for `key`. Written to a fresh file created with mode 0600 and renamed over
   * the old one, so a reader never sees half a file and the token is never readable by others,
   * not even for an instant.
   */
  async put(key: TokenCacheKey, token: CachedToken): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = fileOf(this.dir, key);
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const entry: CacheFile = { v: 1, ...key, ...token };
    try {
      await writeFile(temporary, `${JSON.stringify(entry)}\n`, { mode: 0o600, flag: 'wx' });
      // The umask may have removed bits but never adds any; chmod makes the mode exact anyway.
      await chmod(temporary, 0o600);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Forgets the token of `key` (after the API refused it). */
  async delete(key: TokenCacheKey): Promise<void> {
    await rm(fileOf(this.dir, key), { force: true });
  }
}
