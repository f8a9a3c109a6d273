import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { signCertificate } from '#shared/domain/certificate.ts';
import { formatCheckpoint } from '#shared/transparency/checkpoint.ts';
import { encodeEntry } from '#shared/transparency/entry.ts';
import { formatVerifierKey, keyObjectNoteSigner, rawPublicKeyOf, signNote } from '#shared/transparency/note.ts';
import { leafHash, rootFromLeafHashes } from '#shared/transparency/merkle.ts';
import { appendToTiles, encodeEntryBundle, parseTilePath, tilePath } from '#shared/transparency/tiles.ts';
import { sampleCredential, SAMPLE_VALID_AT } from '../shared/domain/certificate/support/sample-credential.ts';
import { runDccHere } from './support/run-dcc.ts';
import { runDccMeasured } from './support/run-dcc-measured.ts';

/**
 * `dcc` against sources that misbehave on purpose: node:http servers on 127.0.0.1 written here,
 * one class of attack per route. Every case must end with exit code 2 and a message naming the
 * limit, within the configured deadline plus a margin; the attacks that used to grow memory run
 * `dcc` in a child process and assert its peak RSS stays under {@link RSS_CEILING_MB}.
 *
 * Bounds asserted (documented in the README's `dcc` section):
 * - time: the configured deadline or idle timeout plus {@link MARGIN_MS} (a busy 2-core machine);
 * - memory, peak RSS of the whole child (Node and tsx alone peak near 130 MB after one fetch):
 *   {@link RSS_CEILING_MB} for the endless key set and the gzip bomb (measured 110–130 MB; the
 *   code before passed 2.2 GB and 1.5 GB in 20 s), {@link MONITOR_RSS_CEILING_MB} for the monitor
 *   over a hostile log of {@link BIG_LOG_SIZE} entries (measured 155–175 MB; before: 930 MB after
 *   60 s, still growing).
 */

const MARGIN_MS = 2500;
const RSS_CEILING_MB = 200;
const MONITOR_RSS_CEILING_MB = 256;
/** The monitor attack: a signed checkpoint claiming this many entries, all served. */
const BIG_LOG_SIZE = 200_000;
const AT = SAMPLE_VALID_AT.toISOString();

let dir: string;
let hostile: Server;
let elsewhere: Server;
let a: string;
let b: string;
let genuine: string;
let forged: string;
const statusTokens = new Map<string, string>();
let logKey: string;
let hugeCheckpoint: string;
let bigCheckpoint: string;
let logOrigin: string;
/** An honest log of 600 entries: its tiles and bundles by path, its checkpoint, the root at 300. */
const honestTiles = new Map<string, Uint8Array>();
let honestCheckpoint: string;
let honestRoot300: Uint8Array;
let serviceJwks: string;
let attackerJwks: string;
let manyKeys: string;

/** An endless stream of `byte`, produced only as fast as the client reads. */
function endless(byte: number, chunk = 64 * 1024): Readable {
  const block = Buffer.alloc(chunk, byte);
  return new Readable({
    read() {
      this.push(block);
    },
  });
}

/** Sends one byte every `everyMs`, forever (until the client goes away). */
function drip(res: ServerResponse, everyMs: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{');
  const timer = setInterval(() => res.write(' '), everyMs);
  res.on('close', () => clearInterval(timer));
}

const entryBytes = (i: number): Uint8Array =>
  encodeEntry({
        v: 1,
        event: 'issued',
        id: `0192f3a4-5b6c-7d8e-9f01-${String(i).padStart(12, '0')}`,
        certificateNo: `DCC${String(i).padStart(17, '0')}`,
        tokenSha256: i.toString(16).padStart(64, '0'),
        at: '2027-01-01T00:00:00Z',
        statusListIndex: i,
  });

function bundleOf(index: number, width: number): Uint8Array {
  return encodeEntryBundle(Array.from({ length: width }, (_, k) => entryBytes(index * 256 + k)));
}

function route(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/jwks.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(serviceJwks);
  if (path.startsWith('/redirect-elsewhere/')) return void res.writeHead(302, { location: `${b}/jwks.json` }).end();
  if (path.startsWith('/redirect-same/')) return void res.writeHead(302, { location: '/jwks.json' }).end();
  if (path.startsWith('/endless/')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void endless(0x20).pipe(res);
  }
  if (path.startsWith('/gzip-4mb/')) {
    // 4 MB of spaces, about 4 KB on the wire.
    return void res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20)));
  }
  if (path.startsWith('/gzip-endless/')) {
    // Decompresses to as much as the client will read: about 1000 times what it sends.
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    return void endless(0x20).pipe(createGzip()).pipe(res);
  }
  if (path.startsWith('/silent/')) return; // never answers
  if (path.startsWith('/drip-idle/')) return drip(res, 1500);
  if (path.startsWith('/drip-slow/')) return drip(res, 200);
  if (path === '/many-keys/jwks.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(manyKeys);
  if (path === '/huge/v1/log/checkpoint') return void res.writeHead(200).end(hugeCheckpoint);
  if (path === '/big/v1/log/checkpoint') return void res.writeHead(200).end(bigCheckpoint);
  if (path === '/honest/v1/log/checkpoint') return void res.writeHead(200).end(honestCheckpoint);
  if (path.startsWith('/honest/v1/log/')) {
    const tile = honestTiles.get(path.slice('/honest/v1/log/'.length));
    if (tile) return void res.writeHead(200).end(tile);
  }
  const proof = /^\/honest\/v1\/certificates\/0192f3a4-5b6c-7d8e-9f01-(\d{12})\/proof$/.exec(path);
  if (proof) return void res.writeHead(200).end(`c2sp.org/tlog-proof@v1\nindex ${Number(proof[1])}\n\n`);
  if (path.startsWith('/big/v1/log/tile/')) {
    const id = parseTilePath(path.slice('/big/v1/log/tile/'.length));
    if (id?.level === 'entries') return void res.writeHead(200).end(bundleOf(id.index, id.width));
  }
  res.writeHead(404).end();
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-hostile-'));
  hostile = createServer(route);
  a = await listen(hostile);
  const service = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const attacker = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  serviceJwks = JSON.stringify({ keys: [await service.publicJwk()] });
  attackerJwks = JSON.stringify({ keys: [await attacker.publicJwk()] });
  elsewhere = createServer((req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(attackerJwks));
  b = await listen(elsewhere);
  manyKeys = JSON.stringify({ keys: Array.from({ length: 100_000 }, () => JSON.parse(serviceJwks).keys[0]) });

  genuine = await signCertificate(sampleCredential(), service);
  forged = await signCertificate(sampleCredential({}, 9), attacker);
  await writeFile(join(dir, 'genuine.jwt'), genuine);
  await writeFile(join(dir, 'forged.jwt'), forged);
  for (const mode of ['endless', 'redirect-elsewhere', 'silent', 'gzip-endless']) {
    const url = `${a}/${mode}/status-lists/0`;
    const credential = sampleCredential({
      credentialStatus: { id: `${url}#7`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: url },
    });
    const file = join(dir, `status-${mode}.jwt`);
    await writeFile(file, await signCertificate(credential, service));
    statusTokens.set(mode, file);
  }

  const logPrivate = generateKeyPairSync('ed25519').privateKey;
  const origin = 'hostile.example/log';
  logOrigin = origin;
  const signer = keyObjectNoteSigner(origin, logPrivate);
  logKey = formatVerifierKey(origin, rawPublicKeyOf(logPrivate));
  hugeCheckpoint = await signNote(formatCheckpoint({ origin, size: 2 ** 40, rootHash: randomBytes(32), extensions: [] }), signer);
  bigCheckpoint = await signNote(formatCheckpoint({ origin, size: BIG_LOG_SIZE, rootHash: randomBytes(32), extensions: [] }), signer);

  const entries = Array.from({ length: 600 }, (_, i) => entryBytes(i));
  const leaves = entries.map((e) => leafHash(e));
  const { written } = appendToTiles(0, { tiles: new Map(), entries: [] }, entries.map((entry, i) => ({ entry, leafHash: leaves[i] as Uint8Array })));
  for (const t of written) honestTiles.set(tilePath(t.id), t.body);
  honestRoot300 = rootFromLeafHashes(leaves.slice(0, 300));
  honestCheckpoint = await signNote(formatCheckpoint({ origin, size: 600, rootHash: rootFromLeafHashes(leaves), extensions: [] }), signer);
});

afterAll(async () => {
  for (const server of [hostile, elsewhere]) {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }
  await rm(dir, { recursive: true, force: true });
});

/** Runs `dcc` in this process and times it. */
async function timed(args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const run = await runDccHere(args, { env });
  return { ...run, elapsedMs: performance.now() - started };
}

const verifyWith = (jwks: string, ...more: string[]) => ['verify', join(dir, 'genuine.jwt'), '--jwks', jwks, '--at', AT, ...more];

describe('the honest case still verifies', () => {
  it('a key set served plainly verifies the genuine certificate (exit 0)', async () => {
    const run = await timed(verifyWith(`${a}/jwks.json`));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^VALID/);
  });
});

describe('too big: the byte cap is enforced while reading', () => {
  it('an endless key set is cut at 64 KiB (exit 2)', async () => {
    const run = await timed(verifyWith(`${a}/endless/jwks.json`));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^dcc: cannot fetch the key set from http:\/\/127\.0\.0\.1:\d+\/endless\/jwks\.json: more than 65536 bytes \(--max-bytes or DCC_MAX_BYTES\)\n$/);
    expect(run.stdout).toBe('');
    expect(run.elapsedMs).toBeLessThan(MARGIN_MS);
  });

  it('a gzip bomb (4 MB of spaces in 4 KB) is cut at the cap on the decompressed bytes', async () => {
    const run = await timed(verifyWith(`${a}/gzip-4mb/jwks.json`));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/more than 65536 bytes/);
  });

  it('--max-bytes and DCC_MAX_BYTES set the cap for every source', async () => {
    const run = await timed(verifyWith(`${a}/jwks.json`, '--max-bytes', '100'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/more than 100 bytes/);
    const env = await timed(verifyWith(`${a}/endless/jwks.json`), { DCC_MAX_BYTES: '1000' });
    expect(env.stderr).toMatch(/more than 1000 bytes/);
  });

  it('a key set file larger than the cap is refused before it is read', async () => {
    await writeFile(join(dir, 'big-jwks.json'), manyKeys);
    const run = await timed(['verify', join(dir, 'genuine.jwt'), '--jwks', join(dir, 'big-jwks.json'), '--at', AT]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/big-jwks\.json holds \d+ bytes, more than the 65536 a key set may have/);
  });
});

describe('too slow: a total deadline and an idle timeout', () => {
  it('a server that never answers is cut by the idle timeout', async () => {
    const run = await timed(['--idle-timeout', '1', '--timeout', '5', ...verifyWith(`${a}/silent/jwks.json`)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/: no byte for 1 s \(--idle-timeout or DCC_IDLE_TIMEOUT\)\n$/);
    expect(run.elapsedMs).toBeGreaterThanOrEqual(900);
    expect(run.elapsedMs).toBeLessThan(1000 + MARGIN_MS);
  });

  it('a server that never answers is cut by the deadline when it is the shorter', async () => {
    const run = await timed(verifyWith(`${a}/silent/jwks.json`), { DCC_TIMEOUT: '1.5', DCC_IDLE_TIMEOUT: '10' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/: not complete within 1\.5 s \(--timeout or DCC_TIMEOUT\)\n$/);
    expect(run.elapsedMs).toBeLessThan(1500 + MARGIN_MS);
  });

  it('a byte every 1.5 s is cut by an idle timeout of 1 s', async () => {
    const run = await timed(['--idle-timeout', '1', '--timeout', '20', ...verifyWith(`${a}/drip-idle/jwks.json`)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no byte for 1 s/);
    expect(run.elapsedMs).toBeLessThan(1000 + MARGIN_MS);
  });

  it('a trickle inside the idle timeout is cut at the total deadline', async () => {
    const run = await timed(['--idle-timeout', '1', '--timeout', '2', ...verifyWith(`${a}/drip-slow/jwks.json`)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not complete within 2 s/);
    expect(run.elapsedMs).toBeGreaterThanOrEqual(1900);
    expect(run.elapsedMs).toBeLessThan(2000 + MARGIN_MS);
  });

  it('malformed limits are usage errors', async () => {
    expect((await timed(['--timeout', '0', ...verifyWith(`${a}/jwks.json`)])).stderr).toMatch(/--timeout must be a positive number of seconds, not 0/);
    const env = await timed(verifyWith(`${a}/jwks.json`), { DCC_IDLE_TIMEOUT: 'soon' });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/DCC_IDLE_TIMEOUT must be a positive number of seconds, not soon/);
  });
});

describe('redirected: no redirect is followed, as on the verification page', () => {
  it('a key set redirected to another origin does not verify a forged certificate', async () => {
    // Before: the redirect was followed to the attacker's key set and the forgery was VALID.
    const run = await timed(['verify', join(dir, 'forged.jwt'), '--jwks', `${a}/redirect-elsewhere/jwks.json`, '--at', AT]);
    expect(run.code).toBe(2);
    expect(run.stdout).not.toMatch(/VALID/);
    expect(run.stderr).toBe(`dcc: cannot fetch the key set from ${a}/redirect-elsewhere/jwks.json: redirected (HTTP 302) to ${b}; dcc follows no redirect, as the verification page\n`);
  });

  it('a redirect within the same origin is refused too: one rule', async () => {
    const run = await timed(verifyWith(`${a}/redirect-same/jwks.json`));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/redirected \(HTTP 302\) to http:\/\/127\.0\.0\.1:\d+; dcc follows no redirect/);
  });
});

describe('bounded work: the keys of a key set', () => {
  it('100,000 keys are refused by the byte cap, and with a larger cap by the key cap, before any import', async () => {
    const capped = await timed(verifyWith(`${a}/many-keys/jwks.json`));
    expect(capped.code).toBe(2);
    expect(capped.stderr).toMatch(/more than 65536 bytes/);
    const run = await timed(['--max-bytes', '100000000', ...verifyWith(`${a}/many-keys/jwks.json`)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not a usable key set: the key set has 100000 keys, more than the 100 accepted \(--max-keys or DCC_MAX_KEYS\)/);
    // Importing them took about 15 s before the cap; parsing 11 MB of JSON takes well under a second.
    expect(run.elapsedMs).toBeLessThan(MARGIN_MS);
  });
});

describe('the status list (--online)', () => {
  it.each([
    ['endless', /more than 1048576 bytes/],
    ['gzip-endless', /more than 1048576 bytes/],
    ['redirect-elsewhere', /redirected \(HTTP 302\)/],
    ['silent', /no byte for 1 s/],
  ])('the %s status list leaves the certificate of unknown status and exits 2', async (mode, reason) => {
    const file = statusTokens.get(mode) as string;
    const run = await timed(['--idle-timeout', '1', '--timeout', '5', 'verify', file, '--jwks', `${a}/jwks.json`, '--at', AT, '--online', '--json']);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as { results: { status: string; reason: string }[] };
    expect(report.results[0]?.status).toBe('status-unknown');
    expect(report.results[0]?.reason).toMatch(reason);
    expect(run.stderr).toMatch(new RegExp(`^dcc: cannot fetch the status list from ${a}/${mode}/status-lists/0: `));
    expect(run.stderr).toMatch(reason);
    expect(run.elapsedMs).toBeLessThan(5000 + MARGIN_MS);
  });
});

describe('the API', () => {
  it('an API that never answers is cut by the idle timeout (exit 2)', async () => {
    const run = await timed(['get', '0192f3a4-5b6c-7d8e-9f01-000000000000', '--api', `${a}/silent`, '--token', 't', '--idle-timeout', '1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot fetch the API response from .*\/silent\/v1\/certificates\/.*: no byte for 1 s/);
    expect(run.elapsedMs).toBeLessThan(1000 + MARGIN_MS);
  });
});

describe('the log monitor', () => {
  it('refuses a signed checkpoint claiming 2^40 entries before fetching a tile', async () => {
    const run = await timed(['log', 'monitor', '--api', `${a}/huge`, '--state', join(dir, 'state-huge.json'), '--key', logKey]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/the checkpoint of .*\/huge claims 1099511627776 entries, more than the 1000000 dcc log monitor accepts \(--max-tree-size or DCC_MAX_TREE_SIZE\)/);
    expect(run.elapsedMs).toBeLessThan(MARGIN_MS);
  });

  it('cuts an endless checkpoint at 16 KiB', async () => {
    const run = await timed(['log', 'monitor', '--api', `${a}/endless`, '--state', join(dir, 'state-endless.json'), '--key', logKey]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot fetch the checkpoint from .*\/endless\/v1\/log\/checkpoint: more than 16384 bytes/);
  });
});

describe('the log monitor on an honest log (the streaming rewrite checks what it checked)', () => {
  const state = (root: Uint8Array) => JSON.stringify({ origin: logOrigin, size: 300, rootHash: Buffer.from(root).toString('base64'), checkpoint: '' });

  it('proves 600 consistent with 300 from the tiles, re-derives the root, asks the proof route for the 300 new entries', async () => {
    const file = join(dir, 'state-honest.json');
    await writeFile(file, state(honestRoot300));
    const run = await timed(['log', 'monitor', '--api', `${a}/honest`, '--state', file, '--key', logKey]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ok: hostile.example/log size 600, 600 entries checked\n');
  });

  it('finds a fork: a remembered root the new checkpoint does not extend', async () => {
    const file = join(dir, 'state-fork.json');
    await writeFile(file, state(randomBytes(32)));
    const run = await timed(['log', 'monitor', '--api', `${a}/honest`, '--state', file, '--key', logKey]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^problem: checkpoint 600 is not consistent with 300 seen before: The consistency proof does not lead to root1\.$/m);
  });
});

describe('peak memory of the attacks that used to grow it (child process)', () => {
  it.each([
    ['an endless key set', 'endless'],
    ['an endless gzip bomb', 'gzip-endless'],
  ])('%s: exit 2, peak RSS under the ceiling', async (_name, mode) => {
    const run = await runDccMeasured(['verify', join(dir, 'genuine.jwt'), '--jwks', `${a}/${mode}/jwks.json`, '--at', AT], { env: { DCC_TIMEOUT: '5' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/more than 65536 bytes/);
    expect(run.maxRssMb).toBeLessThan(RSS_CEILING_MB);
    expect(run.elapsedMs).toBeLessThan(5000 + MARGIN_MS);
  });

  it(`the monitor reads a signed log of ${BIG_LOG_SIZE} entries in bounded memory`, async () => {
    const run = await runDccMeasured(['log', 'monitor', '--api', `${a}/big`, '--state', join(dir, 'state-big.json'), '--key', logKey], { killAfterMs: 60_000 });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('problem: entry 0: the API serves no issued proof for 0192f3a4-5b6c-7d8e-9f01-000000000000 (404)');
    expect(run.stderr).toContain(`problem: the entry bundles do not hash to the checkpoint's root (size ${BIG_LOG_SIZE})`);
    expect(run.maxRssMb).toBeLessThan(MONITOR_RSS_CEILING_MB);
  }, 90_000);
});
