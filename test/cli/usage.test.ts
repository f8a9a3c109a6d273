import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokensFromLines } from '../../cli/inputs.ts';
import { tokenFromText } from '../../cli/token-files.ts';
import { groupThousands } from '#shared/i18n/format.ts';
import { runDccHere } from './support/run-dcc.ts';

/** Usage and input errors exit 2 before anything is verified or sent; no service is needed. */

let dir: string;
let jwks: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-usage-'));
  jwks = join(dir, 'jwks.json');
  // A real P-256 key whose kid is its thumbprint (RFC 7638 example-style, generated once).
  const { generateKeyPairSync } = await import('node:crypto');
  const { jwkFromKeyObject } = await import('#shared/crypto/jwks.ts');
  await writeFile(jwks, JSON.stringify({ keys: [jwkFromKeyObject(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)] }));
  await writeFile(join(dir, 'token.jwt'), 'a.b.c');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('exit status 2 for usage and input errors', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['no command', () => [], /Usage: dcc/],
    ['an unknown command', () => ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown option', () => ['verify', join(dir, 'token.jwt'), '--jwks', jwks, '--fast'], /unknown option '--fast'/],
    ['a missing argument', () => ['verify', '--jwks', jwks], /missing required argument/],
    ['no keys at all', () => ['verify', join(dir, 'token.jwt')], /--jwks <file\|url>/],
    ['a key file that is not a JWKS', () => ['verify', join(dir, 'token.jwt'), '--jwks', join(dir, 'token.jwt')], /is not JSON/],
    ['a missing token file', () => ['verify', join(dir, 'nope.jwt'), '--jwks', jwks], /cannot read .*nope\.jwt: ENOENT/],
    ['a malformed --at', () => ['verify', join(dir, 'token.jwt'), '--jwks', jwks, '--at', 'tomorrow'], /--at must be an RFC 3339 date-time/],
    ['a malformed --clock-skew', () => ['verify', join(dir, 'token.jwt'), '--jwks', jwks, '--clock-skew', '-5'], /--clock-skew must be a whole number/],
    ['an unknown revocation reason', () => ['revoke', '0192f3a4-5b6c-7d8e-9f01-000000000000', '--reason', 'bored'], /Allowed choices are unspecified/],
    ['revoke without a reason', () => ['revoke', '0192f3a4-5b6c-7d8e-9f01-000000000000'], /required option '--reason <reason>' not specified/],
    ['an id that is not a UUID', () => ['get', 'CERT-1', '--api', 'http://127.0.0.1:9', '--token', 't'], /CERT-1 is not a certificate id/],
    ['no service URL', () => ['get', '0192f3a4-5b6c-7d8e-9f01-000000000000', '--token', 't'], /no service: pass --api/],
    ['an issue request that is not JSON', () => ['issue', join(dir, 'token.jwt'), '--api', 'http://127.0.0.1:9', '--token', 't'], /is not JSON/],
    ['inspect of something that is not a token', () => ['inspect', join(dir, 'token.jwt')], /is not a certificate token/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const run = await runDccHere(args());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('help is not an error', async () => {
    const run = await runDccHere(['verify', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Exit status: 0 every certificate valid');
  });

  it('an unreachable service is a failure (1), not a usage error', async () => {
    // A port that was just free: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const run = await runDccHere(['get', '0192f3a4-5b6c-7d8e-9f01-000000000000', '--api', `http://127.0.0.1:${port}`, '--token', 't']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`dcc: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });
});

describe('the installed command', () => {
  it('runs as `npx dcc` from the package\'s own "bin"', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'dcc', '--version'], { cwd: process.cwd(), encoding: 'utf8' });
    expect(stdout.trim()).toBe('0.1.0');
  });
});

describe('input items', () => {
  it('reads bare tokens, JSON lines and records, and says what is wrong with the rest', () => {
    expect(tokenFromText('  a.b.c\n', 'f')).toEqual({ source: 'f', token: 'a.b.c' });
    expect(tokenFromText('{"token":"a.b.c","id":"x"}', 'f')).toEqual({ source: 'f', token: 'a.b.c' });
    expect(tokenFromText('{"token":', 'f')).toEqual({ source: 'f', token: null, problem: 'not valid JSON' });
    expect(tokensFromLines('a.b.c\n\n{"token":"d.e.f"}\r\n{}\n', 'l').map((i) => [i.source, i.token])).toEqual([
      ['l:1', 'a.b.c'],
      ['l:3', 'd.e.f'],
      ['l:4', null],
    ]);
  });

  it('groups an amount without touching its digits', () => {
    expect(groupThousands('120000.00')).toBe('120,000.00');
    expect(groupThousands('1234567')).toBe('1,234,567');
    expect(groupThousands('999.5')).toBe('999.5');
  });
});

describe('a reader that stops early', () => {
  it('leaves the run quiet and its exit status intact when stdout is closed before anything is written', async () => {
    const { spawn } = await import('node:child_process');
    const { DCC_BIN } = await import('./support/run-dcc.ts');
    const child = spawn(process.execPath, [DCC_BIN, 'verify', join(dir, 'token.jwt'), '--jwks', jwks], {
      env: { PATH: process.env['PATH'] ?? '', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Like `| head -0`: the read end is gone before the program writes its verdict.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    // The token is not a certificate: the status says so although its line was never read.
    expect(code).toBe(1);
  });
});
