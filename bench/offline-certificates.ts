import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import { signCertificate } from '#shared/domain/certificate.ts';
import { newCertificateNumber } from '#shared/domain/certificate-number.ts';
import { buildCredential, newCertificateId } from '#shared/domain/credential-builder.ts';
import { vocabularyUrls } from '#shared/domain/credential-context.ts';
import type { CertificateSigner, PublicVerificationJwk } from '#shared/domain/signer.ts';
import { jwkFromKeyObject } from '#shared/crypto/jwks.ts';
import { BENCH_EXCHANGE, issueRequest } from './support.ts';

/** A signer on a fresh P-256 key held in this process, with its public key and JWK. */
export interface BenchSigner {
  signer: CertificateSigner;
  publicKey: KeyObject;
  jwk: PublicVerificationJwk;
}

/** A new in-process ES256 signer: the offline measurements need no KMS and no service. */
export function benchSigner(): BenchSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = jwkFromKeyObject(publicKey);
  return {
    signer: { sign: async (input) => sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' }), publicJwk: async () => jwk },
    publicKey,
    jwk,
  };
}

/** Certificate `index` of a benchmark batch, issued at `now` and valid then, signed by `signer`. */
export async function benchCertificate(signer: CertificateSigner, index: number, now: Date): Promise<string> {
  const credential = await buildCredential(issueRequest(`BENCH-BATCH-${index}`, now), {
    certificateId: newCertificateId(now),
    certificateNo: newCertificateNumber(now),
    issuer: 'https://issuer.dcc.example.gov.cn',
    exchange: { id: BENCH_EXCHANGE.id, name: BENCH_EXCHANGE.name },
    now,
    status: { statusListCredential: 'https://api.dcc.example.gov.cn/v1/status-lists/0', statusListIndex: index },
    vocabulary: vocabularyUrls('https://api.dcc.example.gov.cn'),
  });
  return signCertificate(credential, signer);
}
