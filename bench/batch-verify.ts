import { generateKeyPairSync, sign, verify } from 'node:crypto';
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
 * the raw `crypto.verify` rate on the same tokens' bytes. Every result is checked, so a failing
 * verification cannot pass for a fast one.
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

  let verified = 0;
  let started = performance.now();
  let elapsed = 0;
  for (let i = 0; elapsed < options.timeMs; i++) {
    const result = await verifyCertificate(tokens[i % tokens.length] as string, keys, now, { clockSkewSeconds: 300 });
    if (!result.verified) throw new Error(`certificate ${i % tokens.length} did not verify: ${JSON.stringify(result.checks)}`);
    verified++;
    if ((verified & 15) === 0) elapsed = performance.now() - started;
  }
  elapsed = performance.now() - started;
  const perSecond = (verified / elapsed) * 1000;

  let rawVerified = 0;
  started = performance.now();
  elapsed = 0;
  for (let i = 0; elapsed < options.timeMs; i++) {
    const r = raw[i % raw.length] as { data: Buffer; signature: Buffer };
    if (!verify('sha256', r.data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, r.signature)) throw new Error('raw verification failed');
    rawVerified++;
    if ((rawVerified & 15) === 0) elapsed = performance.now() - started;
  }
  elapsed = performance.now() - started;
  const rawPerSecond = (rawVerified / elapsed) * 1000;

  return { perSecond: round(perSecond, 0), rawPerSecond: round(rawPerSecond, 0), ratio: round(perSecond / rawPerSecond, 3), tokens: tokens.length };
}
