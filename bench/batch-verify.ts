import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { compactVerify } from 'jose';
import { signCertificate, verifyCertificate } from '#shared/domain/certificate.ts';
import { buildCredential, newCertificateId } from '#shared/domain/credential-builder.ts';
import { newCertificateNumber } from '#shared/domain/certificate-number.ts';
import { jwkFromKeyObject } from '#shared/crypto/jwks.ts';
import { parseCompactJwsStrict } from '#shared/crypto/compact-jws.ts';
import type { CertificateSigner } from '#shared/ports/signer.ts';
import { BENCH_EXCHANGE, issueRequest, round } from './support.ts';

export interface BatchVerifyResults {
  /** Certificates per second through `verifyCertificate`, one after another on one core. */
  perSecond: number;
  /** `crypto.verify` calls per second over the same tokens' signing inputs and signatures. */
  rawPerSecond: number;
  ratio: number;
  /**
   * jose `compactVerify` alone on the same tokens and key: the ceiling of any verifier built on
   * it (jose 6 verifies through WebCrypto, one libuv thread-pool job per signature).
   */
  joseCompactVerifyPerSecond: number;
  joseRatio: number;
  tokens: number;
}

export interface BatchVerifyOptions {
  tokens: number;
  /** How long each of the two loops runs (ms). */
  timeMs: number;
  log: (line: string) => void;
}

/**
 * Offline batch verification, what an auditor does with a folder of certificates and the
 * JWKS: `verifyCertificate` on real certificate tokens, one after another (one core), against
 * the raw `crypto.verify` rate on the same tokens' bytes, and jose's `compactVerify` alone.
 * Every result is checked, so a failing verification cannot pass for a fast one.
 */
export async function measureBatchVerify(options: BatchVerifyOptions): Promise<BatchVerifyResults> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = jwkFromKeyObject(publicKey);
  const signer: CertificateSigner = {
    sign: async (input) => sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
    publicJwk: async () => jwk,
  };
  const now = new Date();
  const tokens: string[] = [];
  for (let i = 0; i < options.tokens; i++) {
    const request = issueRequest(`BENCH-BATCH-${i}`, now);
    const credential = buildCredential(request, {
      certificateId: newCertificateId(now),
      certificateNo: newCertificateNumber(now),
      issuer: 'https://issuer.dcc.example.gov.cn',
      exchange: { id: BENCH_EXCHANGE.id, name: BENCH_EXCHANGE.name },
      now,
      status: { statusListCredential: 'https://api.dcc.example.gov.cn/v1/status-lists/0', statusListIndex: i },
    });
    tokens.push(await signCertificate(credential, signer));
  }
  const keys = [jwk];
  const raw = tokens.map((t) => {
    const parsed = parseCompactJwsStrict(t);
    return { data: Buffer.from(parsed.signingInput), signature: Buffer.from(parsed.signature) };
  });
  options.log(`batch verify: ${tokens.length} certificates, ${options.timeMs} ms per loop`);

  // Warm both paths up before timing (JIT, key caches).
  for (const t of tokens.slice(0, 50)) await verifyCertificate(t, keys, now, { clockSkewSeconds: 300 });
  for (const r of raw.slice(0, 50)) verify('sha256', r.data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, r.signature);

  // The loops take turns in short slices, so load from elsewhere on the machine falls on all alike.
  const slices = Math.max(1, Math.round(options.timeMs / 250));
  const sliceMs = options.timeMs / slices;
  const ours = { count: 0, ms: 0 };
  const rawLoop = { count: 0, ms: 0 };
  const joseLoop = { count: 0, ms: 0 };
  let next = 0;
  for (let s = 0; s < slices; s++) {
    await timed(ours, sliceMs, async () => {
      const i = next++ % tokens.length;
      const result = await verifyCertificate(tokens[i] as string, keys, now, { clockSkewSeconds: 300 });
      if (!result.verified) throw new Error(`certificate ${i} did not verify: ${JSON.stringify(result.checks)}`);
    });
    await timed(rawLoop, sliceMs, () => {
      const r = raw[next++ % raw.length] as { data: Buffer; signature: Buffer };
      if (!verify('sha256', r.data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, r.signature)) throw new Error('raw verification failed');
    });
    await timed(joseLoop, sliceMs, async () => {
      await compactVerify(tokens[next++ % tokens.length] as string, jwk, { algorithms: ['ES256'] });
    });
  }
  const perSecond = (ours.count / ours.ms) * 1000;
  const rawPerSecond = (rawLoop.count / rawLoop.ms) * 1000;
  const josePerSecond = (joseLoop.count / joseLoop.ms) * 1000;

  return {
    perSecond: round(perSecond, 0),
    rawPerSecond: round(rawPerSecond, 0),
    ratio: round(perSecond / rawPerSecond, 3),
    joseCompactVerifyPerSecond: round(josePerSecond, 0),
    joseRatio: round(josePerSecond / rawPerSecond, 3),
    tokens: tokens.length,
  };
}

/** Runs `op` one call after another for about `ms`, adding the calls and the time to `into`. */
async function timed(into: { count: number; ms: number }, ms: number, op: () => unknown): Promise<void> {
  const started = performance.now();
  let elapsed = 0;
  let count = 0;
  while (elapsed < ms) {
    // Only asynchronous work is awaited: a tick per raw verification would flatter the ratio.
    const pending = op();
    if (pending instanceof Promise) await pending;
    count++;
    if ((count & 7) === 0) elapsed = performance.now() - started;
  }
  into.count += count;
  into.ms += performance.now() - started;
}
