import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ItemSource, itemsOf, readTokenInputs } from '../../cli/inputs.ts';
import { isReadInput, isUnread, settledItem, type TokenInput } from '../../cli/token-files.ts';
import { type ItemResult, verifyBatch, verifyInWindows, WORKER_THRESHOLD } from '../../cli/verification.ts';
import { type ChunkOutcome, type ChunkVerdict, VerificationPool, verifyOfflineInWorkers } from '../../cli/verify-workers.ts';
import { certificateIdOf } from '#shared/domain/schemas/credential-terms.ts';
import { encodeBase64url } from '#shared/crypto/base64url.ts';
import { jwkFromKeyObject } from '#shared/crypto/jwks.ts';
import { verifyCertificate, type CertificateVerification } from '#shared/domain/certificate.ts';
import { b64json } from '../shared/domain/certificate/support/forge.ts';
import { sampleCredential, SAMPLE_VALID_AT } from '../shared/domain/certificate/support/sample-credential.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { issueSdJwt } from '#shared/services/issue-sd-jwt.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { FIXTURE_NOW, validIssueRequest } from '../fixtures/issue-request.ts';
import { TEST_EXCHANGE, certificateServices } from '../support/certificate-services.ts';
import { memoryIo } from './support/run-dcc.ts';

/**
 * The worker threads of `dcc verify`: real workers (loading the TypeScript program the way a
 * spawned `dcc` does) give, position by position, the verdicts this thread gives.
 */

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = jwkFromKeyObject(publicKey);

function tokens(count: number): (string | null)[] {
  const header = { alg: 'ES256', typ: 'vc+jwt', kid: jwk.kid };
  return Array.from({ length: count }, (_, i) => {
    if (i % 101 === 3) return null;
    const input = `${b64json(header)}.${b64json(sampleCredential({ id: `urn:uuid:0192f3a4-5b6c-7d8e-9f01-${String(i).padStart(12, '0')}` }, (i % 200) + 1))}`;
    const token = `${input}.${encodeBase64url(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`;
    // Every 37th is tampered, so that verdicts differ along the batch and a shifted one shows.
    return i % 37 === 5 ? token.replace(/.$/, (c) => (c === 'A' ? 'Q' : 'A')) : token;
  });
}

/** The tokens as a batch's items; a null token is an item that holds none. */
function batchItems(batch: (string | null)[]): TokenInput[] {
  return batch.map((token, i) => (token === null ? { source: `item-${i}`, token, problem: 'not a token' } : { source: `item-${i}`, token }));
}

describe('verifyOfflineInWorkers', () => {
  const data = { keys: [jwk], atMs: SAMPLE_VALID_AT.getTime(), clockSkewSeconds: 300 };

  it('gives each position the verdict this thread gives, with every chunk verified by workers', async () => {
    const batch = tokens(700);
    const expected = await Promise.all(batch.map((t) => (t === null ? null : verifyCertificate(t, [jwk], SAMPLE_VALID_AT, { clockSkewSeconds: 300 }))));
    const verdicts: (CertificateVerification | null | undefined)[] = new Array(batch.length);
    let told = 0;
    await verifyOfflineInWorkers(batch, data, 2, verdicts, () => (told += 1), false);
    expect(told).toBe(batch.length);
    expect(verdicts).toEqual(expected);
    expect(verdicts.filter((v) => v?.verified === false)).toHaveLength(batch.filter((_, i) => i % 37 === 5 && i % 101 !== 3).length);
  }, 60_000);

  it('sends slim verdicts when asked: the same verdict without the certificate, with its number and id', async () => {
    const batch = tokens(300);
    const verdicts: (ChunkVerdict | null | undefined)[] = new Array(batch.length);
    await verifyOfflineInWorkers(batch, { ...data, slim: true }, 1, verdicts, undefined, false);
    for (const [i, token] of batch.entries()) {
      if (token === null) {
        expect(verdicts[i]).toBeNull();
        continue;
      }
      const { certificate, ...rest } = await verifyCertificate(token, [jwk], SAMPLE_VALID_AT, { clockSkewSeconds: 300 });
      expect(verdicts[i]).toEqual(certificate ? { ...rest, certificateNo: certificate.certificateNo, id: certificateIdOf(certificate.id) } : rest);
    }
  }, 60_000);

  it('shares the batch with this thread and still keeps every verdict in its place', async () => {
    const batch = tokens(600);
    const verdicts: (CertificateVerification | null | undefined)[] = new Array(batch.length);
    await verifyOfflineInWorkers(batch, data, 1, verdicts);
    for (const [i, token] of batch.entries()) {
      expect(verdicts[i]).toEqual(token === null ? null : await verifyCertificate(token, [jwk], SAMPLE_VALID_AT, { clockSkewSeconds: 300 }));
    }
  }, 60_000);
});

describe('VerificationPool', () => {
  const data = { keys: [jwk], atMs: SAMPLE_VALID_AT.getTime(), clockSkewSeconds: 300 };

  it('keeps its workers for batch after batch, the later ones queued behind the first, each verdict in its place', async () => {
    const batch = tokens(900);
    const expected = await Promise.all(batch.map((t) => (t === null ? null : verifyCertificate(t, [jwk], SAMPLE_VALID_AT, { clockSkewSeconds: 300 }))));
    const pool = new VerificationPool(data, 1, undefined, false);
    try {
      // Three batches into one array, given before any is done: the second and third at their offsets.
      const verdicts: (ChunkVerdict | null | undefined)[] = new Array(batch.length);
      const landed = [0, 0, 0];
      await Promise.all([0, 300, 600].map((at, k) => pool.verify(batch.slice(at, at + 300), verdicts, () => (landed[k] = (landed[k] as number) + 1), at)));
      expect(landed).toEqual([300, 300, 300]);
      expect(verdicts).toEqual(expected);
      // And one more after those are done, on the same workers.
      const again: (ChunkVerdict | null | undefined)[] = new Array(100);
      await pool.verify(batch.slice(0, 100), again);
      expect(again).toEqual(expected.slice(0, 100));
    } finally {
      await pool.close();
    }
    // A closed pool verifies nothing more: the caller verifies on its own thread.
    await expect(pool.verify(batch.slice(0, 10), new Array(10))).rejects.toThrow('stopped');
  }, 60_000);

  it('rejects the batches not yet verified when a worker fails, keeping the verdicts already in place', async () => {
    const batch = tokens(600);
    // A worker that loads, then dies at its first chunk.
    const pool = new VerificationPool(data, 1, { source: "const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => process.exit(3)); parentPort.postMessage(null);" });
    const verdicts: (ChunkVerdict | null | undefined)[] = new Array(batch.length);
    try {
      await expect(pool.verify(batch, verdicts)).rejects.toThrow('a verification worker stopped (exit code 3)');
      await expect(pool.verify(batch, verdicts)).rejects.toThrow('exit code 3');
    } finally {
      await pool.close();
    }
    // What this thread verified before the failure is in place and right; the rest are holes.
    const placed = verdicts.flatMap((v, i) => (v === undefined ? [] : [i]));
    expect(placed.length).toBeLessThan(batch.length);
    for (const i of placed) {
      const token = batch[i] as string | null;
      expect(verdicts[i]).toEqual(token === null ? null : await verifyCertificate(token, [jwk], SAMPLE_VALID_AT, { clockSkewSeconds: 300 }));
    }
  }, 60_000);
});

describe('verifyInWindows', () => {
  const settings = { keys: [jwk], at: SAMPLE_VALID_AT, clockSkewSeconds: 300 };

  /** A source over `items` that records how far it has been read. */
  function countingSource(items: TokenInput[]): ItemSource & { readTo: number } {
    const source = {
      length: items.length,
      readTo: 0,
      read: (from: number, to: number) => {
        expect(from).toBe(source.readTo);
        source.readTo = to;
        return items.slice(from, to);
      },
    };
    return source;
  }

  it.each([
    ['on this thread', 1],
    ['with a worker thread', 2],
  ])('reports window after window in order, %s, never reading more than the next window ahead', async (_, threads) => {
    const items = batchItems(tokens(WORKER_THRESHOLD + 150));
    const size = 300;
    const source = countingSource(items);
    const io = memoryIo();
    const reported: ItemResult[] = [];
    let told = 0;
    await verifyInWindows(source, settings, io, { threads, certificates: false, window: size, onEach: () => (told += 1) }, (window) => {
      // The window reported is the one after those reported before; at most the next one has been read.
      expect(window).toHaveLength(Math.min(size, items.length - reported.length));
      expect(source.readTo).toBeLessThanOrEqual(reported.length + 2 * size);
      reported.push(...window);
    });
    expect(io.err).toEqual([]);
    expect(told).toBe(items.length);
    expect(reported.map((r) => r.source)).toEqual(items.map((i) => i.source));
    const whole = await verifyBatch(items, settings, memoryIo(), { threads: 1 });
    expect(JSON.stringify(reported)).toBe(JSON.stringify(whole.map(({ certificate: _, ...rest }) => rest)));
  }, 60_000);
});

describe('verifyInWindows with a worker that fails', () => {
  it('says so once and gives every verdict all the same, the rest of the batch on this thread', async () => {
    const items = batchItems(tokens(WORKER_THRESHOLD + 100));
    const settings = { keys: [jwk], at: SAMPLE_VALID_AT, clockSkewSeconds: 300 };
    // A worker that loads, then dies at its first chunk.
    const dying = { source: "const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => process.exit(3)); parentPort.postMessage(null);" };
    const io = memoryIo();
    const reported: ItemResult[] = [];
    await verifyInWindows(itemsOf(items), settings, io, { threads: 2, window: 500, workerEntry: dying }, (window) => reported.push(...window));
    expect(io.err).toEqual(['dcc: verifying on one thread: a verification worker stopped (exit code 3)\n']);
    expect(reported).toEqual(await verifyBatch(items, settings, memoryIo(), { threads: 1 }));
  }, 60_000);
});

describe('verifyBatch without the certificates', () => {
  it('gives over worker threads the results a batch with them gives on one thread, less the certificate', async () => {
    const items = batchItems(tokens(WORKER_THRESHOLD + 50));
    const settings = { keys: [jwk], at: SAMPLE_VALID_AT, clockSkewSeconds: 300 };
    const io = memoryIo();
    let told = 0;
    const [slim, whole] = await Promise.all([
      verifyBatch(items, settings, io, { threads: 2, certificates: false, onEach: () => (told += 1) }),
      verifyBatch(items, settings, io, { threads: 1 }),
    ]);
    expect(io.err).toEqual([]);
    expect(told).toBe(items.length);
    expect(whole.filter((r) => r.certificate !== undefined).length).toBeGreaterThan(WORKER_THRESHOLD / 2);
    expect(slim.filter((r) => r.certificate !== undefined)).toEqual([]);
    expect(slim).toEqual(whole.map(({ certificate: _, ...rest }) => rest));
    // The same report, member for member and in the same order.
    expect(JSON.stringify(slim)).toBe(JSON.stringify(whole.map(({ certificate: _, ...rest }) => rest)));
  }, 60_000);
});

describe("a folder's files, read by the thread that verifies them", () => {
  let dir: string;
  /** A genuine presentation (the selectively disclosable form, every claim disclosed), which only this thread judges. */
  let presentation: string;
  let keys: PublicVerificationJwk[];
  const settings = () => ({ keys, at: SAMPLE_VALID_AT, clockSkewSeconds: 300 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dcc-worker-files-'));
    const services = certificateServices();
    const { record } = await issueCertificate(services.issueDeps, TEST_EXCHANGE, validIssueRequest(), FIXTURE_NOW);
    const sdDeps = { store: services.stores.certificates, sdJwts: services.stores.sdJwts, signer: async () => services.signer };
    presentation = (await issueSdJwt(sdDeps, TEST_EXCHANGE, record.id, undefined, FIXTURE_NOW)).sdJwt;
    keys = [jwk, await services.signer.publicJwk()];
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * A folder of `count` files, in name order: certificates (every fifth as a JSON record, every
   * 37th tampered), and among them files that hold no token, JSON without one, a presentation,
   * one past the size limit, and one removed after the listing.
   */
  async function archive(name: string, count: number): Promise<{ folder: string; items: ItemSource }> {
    const folder = join(dir, name);
    await mkdir(folder);
    const batch = tokens(count);
    await Promise.all(
      batch.map((token, i) => {
        let text = token === null ? '{"token": 7}' : i % 5 === 0 ? JSON.stringify({ certificateNo: String(i), token }) : `${token}\n`;
        if (i % 211 === 17) text = '{ not json';
        if (i % 307 === 11) text = presentation;
        if (i === 1) text = 'z'.repeat(1024 * 1024 + 1);
        return writeFile(join(folder, `c-${String(i).padStart(5, '0')}.jwt`), text);
      }),
    );
    const { items } = await readTokenInputs(folder, memoryIo());
    await rm(join(folder, 'c-00002.jwt'));
    return { folder, items };
  }

  it('are read by the workers, which verify the certificates and send back what held none', async () => {
    const { items } = await archive('pool', 600);
    const taken = items.read(0, items.length);
    expect(taken.every(isUnread)).toBe(true);
    const outcomes: (ChunkOutcome | undefined)[] = new Array(taken.length);
    // Every chunk to the workers: this thread never opens a file.
    const pool = new VerificationPool({ keys, atMs: SAMPLE_VALID_AT.getTime(), clockSkewSeconds: 300 }, 2, undefined, false);
    let told = 0;
    try {
      await pool.verify(
        taken.map((item) => item.source),
        outcomes,
        () => (told += 1),
        0,
        true,
      );
    } finally {
      await pool.close();
    }
    expect(told).toBe(taken.length);
    const read = taken.map(settledItem);
    let certificates = 0;
    for (const [i, input] of read.entries()) {
      if (input.token === null || input.token.includes('~')) {
        expect(outcomes[i]).toEqual({ input: i === 2 ? { source: input.source, token: null, problem: 'a file that cannot be read (ENOENT)' } : input });
      } else {
        certificates += 1;
        expect(outcomes[i]).toEqual(await verifyCertificate(input.token, [jwk], SAMPLE_VALID_AT, { clockSkewSeconds: 300 }));
      }
    }
    expect(certificates).toBeGreaterThan(500);
    expect(outcomes.filter((o) => isReadInput(o) && o.input.problem?.startsWith('1048577 bytes'))).toHaveLength(1);
    expect(outcomes.filter((o) => isReadInput(o) && o.input.token?.includes('~'))).toHaveLength(2);
  }, 60_000);

  it.each([
    ['with a worker thread', 2, undefined],
    ['with a worker that fails', 2, { source: "const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => process.exit(3)); parentPort.postMessage(null);" }],
  ])('give in windows %s the results of the same items read beforehand, on this thread', async (name, threads, workerEntry) => {
    const { items } = await archive(name.replaceAll(' ', '-'), WORKER_THRESHOLD + 150);
    const io = memoryIo();
    const reported: ItemResult[] = [];
    let told = 0;
    await verifyInWindows(items, settings(), io, { threads, certificates: false, window: 700, onEach: () => (told += 1), ...(workerEntry ? { workerEntry } : {}) }, (window) =>
      reported.push(...window),
    );
    expect(io.err).toEqual(workerEntry ? ['dcc: verifying on one thread: a verification worker stopped (exit code 3)\n'] : []);
    expect(told).toBe(items.length);
    const read = items.read(0, items.length).map(settledItem);
    const alone = await verifyBatch(read, settings(), memoryIo(), { threads: 1, certificates: false });
    expect(JSON.stringify(reported)).toBe(JSON.stringify(alone));
    expect(reported.filter((r) => r.status === 'active').length).toBeGreaterThan(WORKER_THRESHOLD / 2);
    // The presentations were judged as presentations.
    const presented = reported.filter((r) => r.presentation !== undefined);
    const written = read.filter((input) => input.token?.includes('~')).length;
    expect(written).toBe(7);
    expect(presented.map((r) => [r.status, r.presentation?.holderBound])).toEqual(Array.from({ length: written }, () => ['active', false]));
    expect(reported[2]?.reason).toBe('The input is a file that cannot be read (ENOENT).');
  }, 60_000);

  it('are read on this thread where a window mixes them with tokens, with the same results', async () => {
    const { items: files } = await archive('mixed', WORKER_THRESHOLD + 50);
    // Every third item already read, as a source of both kinds would give them.
    const mixed = files.read(0, files.length).map((item, i) => (i % 3 === 0 ? settledItem(item) : item));
    const io = memoryIo();
    const reported: ItemResult[] = [];
    await verifyInWindows({ length: mixed.length, read: (from, to) => mixed.slice(from, to) }, settings(), io, { threads: 2, certificates: false, window: 600 }, (window) => reported.push(...window));
    expect(io.err).toEqual([]);
    const alone = await verifyBatch(mixed.map(settledItem), settings(), memoryIo(), { threads: 1, certificates: false });
    expect(JSON.stringify(reported)).toBe(JSON.stringify(alone));
    expect(reported.filter((r) => r.status === 'active').length).toBeGreaterThan(WORKER_THRESHOLD / 2);
  }, 60_000);
});
