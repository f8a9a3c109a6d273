import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shown, terminalSafeIo, terminalText } from '../../cli/terminal-text.ts';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { signedBy } from '../shared/domain/certificate/support/forge.ts';
import { sampleCredential } from '../shared/domain/certificate/support/sample-credential.ts';
import { type DccRun, memoryIo, runDcc, runDccHere } from './support/run-dcc.ts';

/**
 * Hostile text against the terminal: a token, a file name and a server each carry an ANSI
 * "clear the screen, home the cursor, print a green VALID" sequence (with the one-character
 * C1 CSI, a right-to-left override and a carriage return for good measure). Nothing of it may
 * reach stdout or stderr raw; the escaped form must, so the auditor sees what was attempted.
 */

const CLEAR_AND_FAKE = '\u001b[2J\u001b[H\u001b[32mVALID\u001b[0m';
const EVIL = `${CLEAR_AND_FAKE}\u009b2J\u202e\rVALID`;
/** Any control character except the newline dcc lays its output out with, and the bidi override. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

function expectEscaped(run: DccRun): void {
  const all = `${run.stdout}${run.stderr}`;
  expect(all).not.toMatch(RAW);
  expect(all).toContain('\\u001b[2J\\u001b[H\\u001b[32mVALID\\u001b[0m');
  // A value never starts a line of its own: no output line begins with the fake verdict.
  for (const line of all.split('\n')) expect(line.startsWith('VALID')).toBe(false);
}

let dir: string;
let jwks: string;
let server: Server;
let api: string;

const ID_REFUSED = '0192f3a4-5b6c-7d8e-9f01-000000000001';
const ID_RECORD = '0192f3a4-5b6c-7d8e-9f01-000000000002';
const problem = {
  type: 'about:blank',
  title: `Not found${EVIL}`,
  status: 404,
  code: `not-found${EVIL}`,
  detail: `No such certificate.\n${EVIL}`,
  errors: [{ pointer: `/a${EVIL}`, message: `bad${EVIL}`, code: `x${EVIL}` }, EVIL],
};
const record = {
  id: ID_RECORD,
  certificateNo: `1234${EVIL}`,
  status: `active${EVIL}`,
  issuedAt: '2026-11-20T09:00:00Z',
  statusListCredential: `https://evil.example/${EVIL}`,
  statusListIndex: '7',
  revocation: { reason: `superseded${EVIL}`, revokedAt: '2026-11-21T00:00:00Z', comment: `see\n${EVIL}` },
  token: `eyJ.${EVIL}`,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-escape-'));
  const signer = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const jwk = await signer.publicJwk();
  jwks = join(dir, 'jwks.json');
  await writeFile(jwks, JSON.stringify({ keys: [jwk] }));
  const credential = sampleCredential();
  // A genuine signature over a header with the sequence as a member name.
  await writeFile(join(dir, 'header.jws'), await signedBy(signer, { alg: 'ES256', typ: 'vc+jwt', kid: jwk.kid, [EVIL]: 1 }, credential));
  // And over a payload carrying it in a name and as a member name.
  const payload = structuredClone(credential) as unknown as Record<string, unknown> & typeof credential;
  payload.credentialSubject.provider.name = `Acme${EVIL}`;
  payload[EVIL] = EVIL;
  const payloadToken = await signedBy(signer, { alg: 'ES256', typ: 'vc+jwt', kid: jwk.kid }, payload);
  await writeFile(join(dir, 'payload.jws'), payloadToken);
  await writeFile(join(dir, `named${EVIL}.jws`), payloadToken);

  server = createServer((req, res) => {
    if (req.url === `/v1/certificates/${ID_RECORD}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(record));
    } else if (req.url?.endsWith('/revoke')) {
      res.writeHead(502, { 'content-type': 'text/html' }).end(`<h1>Bad gateway</h1>${EVIL}`);
    } else {
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('untrusted text reaches the terminal escaped', () => {
  it('a header member name carrying the sequence (verify, spawned as users run it)', async () => {
    const run = await runDcc(['verify', join(dir, 'header.jws'), '--jwks', jwks]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ header: The header members "\\u001b[2J');
    expectEscaped(run);
  });

  it('payload text and a payload member name carrying it (verify and inspect)', async () => {
    const verified = await runDccHere(['verify', join(dir, 'payload.jws'), '--jwks', jwks]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/✗ payload: .*Unrecognized key/);
    expectEscaped(verified);
    const inspected = await runDccHere(['inspect', join(dir, 'payload.jws')]);
    expect(inspected.code).toBe(2);
    expectEscaped(inspected);
  });

  it('a file name carrying it (a folder batch)', async () => {
    const run = await runDccHere(['verify', dir, '--jwks', jwks]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('named\\u001b[2J');
    expectEscaped(run);
  });

  it('a problem document from the server (get) and a non-JSON error page (revoke)', async () => {
    const env = { DCC_API_URL: api, DCC_TOKEN: 't' };
    const got = await runDccHere(['get', ID_REFUSED], { env });
    expect(got.code).toBe(1);
    expect(got.stderr).toMatch(/^error 404 Not found\\u001b\[2J/);
    expect(got.stderr).toContain('No such certificate.\\u000a\\u001b[2J');
    expectEscaped(got);
    const revoked = await runDcc(['revoke', ID_REFUSED, '--reason', 'superseded'], { env });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toContain('<h1>Bad gateway</h1>\\u001b[2J');
    expectEscaped(revoked);
  });

  it('a record from the server (get)', async () => {
    const run = await runDccHere(['get', ID_RECORD], { env: { DCC_API_URL: api, DCC_TOKEN: 't' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Status        active\\u001b[2J');
    expectEscaped(run);
  });
});

describe('--json stays exact', () => {
  it('parses to the very values the server sent, with no raw control or bidi character on the way', async () => {
    const env = { DCC_API_URL: api, DCC_TOKEN: 't' };
    const run = await runDcc(['get', ID_RECORD, '--json'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(RAW);
    expect(JSON.parse(run.stdout)).toEqual(record);
  });

  it('verify --json keeps the refused member name exactly', async () => {
    const run = await runDccHere(['verify', join(dir, 'payload.jws'), '--json', '--jwks', jwks]);
    expect(run.stdout).not.toMatch(RAW);
    const result = (JSON.parse(run.stdout) as { results: { reason: string }[] }).results[0];
    expect(result?.reason).toContain(`Unrecognized key: "${EVIL}"`);
  });
});

describe('the escape', () => {
  it('keeps the layout newlines of whole output and escapes every newline of a value', () => {
    expect(terminalText(`a\u001b[2J\nb\r\n`)).toBe('a\\u001b[2J\nb\\u000d\n');
    expect(shown(`x\ny`)).toBe('x\\u000ay');
    expect(shown({ toString: 1 })).toBe('{"toString":1}');
    expect(shown(undefined)).toBe('undefined');
  });

  it('wraps an io without reading its getters: the process\'s standard error is built only when asked for', () => {
    const io = memoryIo();
    let reads = 0;
    Object.defineProperty(io, 'stderrIsTTY', { enumerable: true, get: () => (reads += 1) > 0 });
    const safe = terminalSafeIo(io);
    expect(reads).toBe(0);
    expect(safe.stderrIsTTY).toBe(true);
    expect(reads).toBe(1);
    safe.stdout('\u001b[2J ok\n');
    safe.stderr('\u202e!');
    expect(io.out).toEqual(['\\u001b[2J ok\n']);
    expect(io.err).toEqual(['\\u202e!']);
  });
});
