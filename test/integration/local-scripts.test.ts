import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalService } from '#local/local-service.ts';

/**
 * `npm start` and `npm run token` as a user runs them: separate Node.js processes (through tsx,
 * as the npm scripts do) with `DCC_DATA_DIR` pointing at a temporary directory.
 */

const root = resolve(import.meta.dirname, '../..');
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dcc-local-scripts-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function script(name: 'start' | 'token', args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`, ...args], {
    cwd: root,
    env: { ...process.env, DCC_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function token(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = script('token', args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null) r(child.exitCode);
    else child.on('exit', (code) => r(code));
  });
}

describe('npm run token', () => {
  it('says precisely that the service is not running, with nothing on stdout (the token comes from its endpoint)', async () => {
    const r = await token(['admin']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/the local service is not running: .*service-url does not exist\. Start it with `npm start`/);
  });

  it('exits 2 on a usage error with nothing on stdout', async () => {
    const r = await token(['superuser']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown role/);
  });
});

describe('npm start', () => {
  it('serves until SIGTERM, then stops DynamoDB Local and exits 0', async () => {
    const child = script('start', [], { PORT: '0' });
    const lines: string[] = [];
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const ready = new Promise<{ url: string; pid: number }>((resolveReady, reject) => {
      let pid = 0;
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        lines.push(line);
        const java = /DynamoDB Local on \S+ \(pid (\d+),/.exec(line);
        if (java) pid = Number(java[1]);
        const url = /local service ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (url) resolveReady({ url: url[1] as string, pid });
      });
      child.on('exit', (code) => reject(new Error(`npm start exited with ${code} before it was ready:\n${lines.join('\n')}\n${stderr}`)));
    });
    try {
      const { url, pid } = await ready;
      expect(pid).toBeGreaterThan(0);
      expect(lines).toContain('dev clients registered: demo-exchange, auditor.local, admin.local');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      // The data directory is taken: a second service on it fails before starting anything.
      const quiet = { info: () => undefined, error: () => undefined };
      await expect(startLocalService({ dataDir, port: 0, log: quiet })).rejects.toThrow(
        new RegExp(`Another local service \\(pid ${child.pid}\\) uses`),
      );

      // A token the other script obtains from this server's token endpoint, with the dev client's key, works against it.
      const admin = await token(['admin']);
      expect(admin.code, admin.stderr).toBe(0);
      expect(admin.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
      expect(decodeJwt(admin.stdout.trim())).toMatchObject({ scope: 'dcc/read dcc/revoke', client_id: 'admin.local' });
      const { stdout } = await token(['exchange']);
      const r = await fetch(`${url}/v1/certificates?transactionRef=NONE-1`, { headers: { authorization: `Bearer ${stdout.trim()}` } });
      expect(r.status).toBe(200);
      // Naming another exchange registers it through the admin route first.
      const other = await token(['exchange', 'script-exchange']);
      expect(other.code, other.stderr).toBe(0);
      expect(other.stderr).toMatch(/registered exchange script-exchange/);
      expect(decodeJwt(other.stdout.trim())).toMatchObject({ client_id: 'script-exchange', scope: 'dcc/issue' });

      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(lines.at(-1)).toBe('stopped');
      expect(existsSync(join(dataDir, 'service.pid'))).toBe(false);
      expect(existsSync(join(dataDir, 'service-url'))).toBe(false);
      expect(() => process.kill(pid, 0)).toThrow();
      const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
      expect(ps.split('\n').filter((l) => l.includes('java') && l.includes(dataDir))).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('documents its environment under --help and refuses arguments with exit 2', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise, reject) => {
        const child = script('start', args, {});
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
      });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/DCC_DATA_DIR/);
    expect(help.stdout).toMatch(/PORT/);
    const extra = await run(['--port', '8080']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/unknown option '--port'/);
  });

  it('exits 2 for a malformed PORT', async () => {
    const child = script('start', [], { PORT: 'eighty' });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    expect(await exited(child)).toBe(2);
    expect(stderr).toMatch(/PORT must be a port number/);
  });
});
