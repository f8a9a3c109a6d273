import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyBatch, WORKER_THRESHOLD } from '../../cli/verification.ts';
import { type ChunkVerdict, verifyOfflineInWorkers } from '../../cli/verify-workers.ts';
import { certificateIdOf } from '#shared/domain/schemas/credential-terms.ts';
import { encodeBase64url } from '#shared/crypto/base64url.ts';
import { jwkFromKeyObject } from '#shared/crypto/jwks.ts';
import { verifyCertificate, type CertificateVerification } from '#shared/domain/certificate.ts';
import { b64json } from '../shared/domain/certificate/support/forge.ts';
import { sampleCredential, SAMPLE_VALID_AT } from '../shared/domain/certificate/support/sample-credential.ts';
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

describe('verifyBatch without the certificates', () => {
  it('gives over worker threads the results a batch with them gives on one thread, less the certificate', async () => {
    const batch = tokens(WORKER_THRESHOLD + 50);
    const items = batch.map((token, i) => (token === null ? { source: `item-${i}`, token, problem: 'not a token' } : { source: `item-${i}`, token }));
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
