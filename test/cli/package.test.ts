import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import module, { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { WORKER_THRESHOLD } from '../../cli/verification.ts';
import { issueThroughService } from '../support/local-issue.ts';

/**
 * The installable `dcc`, as an auditor without the repository gets it: `npm pack` in
 * cli/package builds the bundles (its prepack), the tarball is installed into an empty folder
 * outside the repository with npm offline (it has no dependencies to fetch), and the installed
 * command verifies certificates there, offline and online.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

let work: string;
let installed: string;
let service: LocalService;
let token: string;

/** Runs `file` in the install folder, with nothing of the repository in reach: its exit status and output. */
async function runInstalled(file: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, [...args], {
      cwd: installed,
      env: { PATH: process.env['PATH'] ?? '', HOME: work, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The installed `dcc` command. */
const dccCommand = (): string => join(installed, 'node_modules', '.bin', 'dcc');

/** Runs the installed `dcc`. */
async function dcc(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runInstalled(dccCommand(), args, env);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dcc-package-'));
  const packed = join(work, 'packed');
  installed = join(work, 'auditor');
  await mkdir(packed);
  await mkdir(installed);
  await run('npm', ['pack', '--silent', '--pack-destination', packed], { cwd: join(root, 'cli/package') });
  const [tarball] = await readdir(packed);
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(packed, tarball!)], {
    cwd: installed,
    env: { PATH: process.env['PATH'] ?? '', HOME: work },
  });

  service = await startLocalService({ dataDir: join(work, 'data'), port: 0, log: { info: () => undefined, error: () => undefined }, accessLog: false });
  token = (await issueThroughService(service, 'PACKAGE-1')).token;
  await writeFile(join(installed, 'certificate.jwt'), `${token}\n`);
  await writeFile(join(installed, 'jwks.json'), await (await fetch(`${service.url}/.well-known/jwks.json`)).text());
}, 240_000);

afterAll(async () => {
  await service?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the installable dcc', () => {
  it('is bundled JavaScript with no dependency, no TypeScript and no loader', async () => {
    const manifest = JSON.parse(await readFile(join(installed, 'node_modules/data-compliance-dcc/package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest['dependencies']).toBeUndefined();
    // npm fetched nothing else: the package is the only one installed.
    expect((await readdir(join(installed, 'node_modules'))).filter((name) => !name.startsWith('.'))).toEqual(['data-compliance-dcc']);
    const files = (await readdir(join(installed, 'node_modules/data-compliance-dcc'), { recursive: true })).sort();
    // The two entries and the chunks they share; nothing else of the repository.
    const bundles = files.filter((file) => file.startsWith('dist/'));
    expect(files.filter((file) => !file.startsWith('dist/'))).toEqual(['README.md', 'dist', 'package.json']);
    expect(bundles).toEqual(expect.arrayContaining(['dist/dcc.mjs', 'dist/verify-worker.mjs']));
    expect(bundles.every((file) => /^dist\/[\w-]+\.mjs$/.test(file))).toBe(true);
    let withRequire = 0;
    for (const bundle of bundles) {
      const text = await readFile(join(installed, 'node_modules/data-compliance-dcc', bundle), 'utf8');
      // Every import is one of node's own modules or a chunk beside it; nothing refers to TypeScript or tsx.
      const imported = [...text.matchAll(/\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?\(?(["'])([^"']+)\1/g)].map((m) => m[2]!);
      // The module with esbuild's helper for CommonJS require() calls, and only it, has a require() of its own.
      expect(imported.includes('node:module') && text.includes('__dccRequire')).toBe(/typeof require\b/.test(text));
      if (text.includes('__dccRequire')) withRequire += 1;
      expect(imported.filter((specifier) => !isBuiltin(specifier) && !/^\.\/[\w-]+\.mjs$/.test(specifier))).toEqual([]);
      expect(text.includes('tsx/esm') || text.includes('tsx/cjs') || /["'][^"']+\.ts["']/.test(text)).toBe(false);
    }
    // commander and other CommonJS dependencies require node's modules: one chunk holds the helper.
    expect(withRequire).toBe(1);
  });

  it('says its version, the repository package version', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    const result = await dcc(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('verifies a certificate offline against a saved key set', async () => {
    const result = await dcc(['verify', 'certificate.jwt', '--jwks', 'jwks.json', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ summary: { total: 1, valid: 1, failed: 0 } });
  });

  // Node 22.1 and later keep compiled code on disk; Node 20 has no such cache.
  it.skipIf(!('enableCompileCache' in module))("keeps its compiled code in the user's cache folder, never the shared temporary one", async () => {
    const temporary = await mkdtemp(join(work, 'temporary-'));
    const cacheHome = join(work, 'cache-home');
    const result = await dcc(['verify', 'certificate.jwt', '--jwks', 'jwks.json'], { TMPDIR: temporary, XDG_CACHE_HOME: cacheHome });
    expect(result.code).toBe(0);
    expect(await readdir(temporary)).toEqual([]);
    const folder = join(cacheHome, 'dcc', 'compile-cache');
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    const versions = await readdir(folder);
    expect(versions).toHaveLength(1);
    expect((await readdir(join(folder, versions[0] as string))).length).toBeGreaterThan(0);
  });

  it('refuses a tampered certificate offline with exit 1', async () => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const tampered = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    await writeFile(join(installed, 'tampered.jwt'), tampered);
    const result = await dcc(['verify', 'tampered.jwt', '--jwks', 'jwks.json', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ summary: { total: 1, valid: 0, failed: 1 } });
  });

  it('verifies online: published keys and the signed status list', async () => {
    const result = await dcc(['verify', 'certificate.jwt', '--jwks', `${service.url}/.well-known/jwks.json`, '--online', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ summary: { total: 1, valid: 1 }, results: [{ status: 'active', verified: true }] });
  });

  it('draws its progress bar at a terminal, then prints the failures and the summary', async () => {
    const folder = join(installed, 'at-terminal');
    await mkdir(folder);
    await writeFile(join(folder, 'a.jwt'), `${token}\n`);
    await writeFile(join(folder, 'b.jwt'), 'not a certificate');
    // util-linux's script gives the command a terminal (the bar is drawn only at one) and writes
    // what the terminal shows to its standard output, ending with the command's exit status.
    const shown = await runInstalled('script', ['-qec', `${dccCommand()} verify at-terminal --jwks jwks.json`, '/dev/null']);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).not.toContain('dcc:');
    expect(shown.stdout).toContain('verifying [');
    const afterBar = shown.stdout.slice(shown.stdout.lastIndexOf('2/2'));
    expect(afterBar).toMatch(/INVALID .*b\.jwt/);
    expect(afterBar).toContain('Verified 2 certificates: 1 valid, 1 invalid.');
    expect(shown.code).toBe(1);
  });

  it('spreads a large batch over its bundled worker threads', async () => {
    const lines = Array.from({ length: WORKER_THRESHOLD }, () => token).join('\n');
    await writeFile(join(installed, 'batch.jsonl'), `${lines}\n`);
    // A worker that could not load its bundle would fail the batch with exit 2.
    const result = await dcc(['verify', 'batch.jsonl', '--jwks', 'jwks.json', '--json'], { DCC_VERIFY_THREADS: '2' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ summary: { total: WORKER_THRESHOLD, valid: WORKER_THRESHOLD, failed: 0 } });
  });
});
