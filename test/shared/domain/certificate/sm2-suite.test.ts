import { createHash, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { LocalSm2CertificateSigner } from '#shared/adapters/key-file/sm2-certificate-signer.ts';
import { encodeBase64url } from '#shared/crypto/base64url.ts';
import { CryptoError, SignerError } from '#shared/crypto/errors.ts';
import { importVerificationKeys, buildJwks } from '#shared/crypto/jwks.ts';
import { jwkThumbprint } from '#shared/crypto/jwk-thumbprint.ts';
import { SM2_ORDER, Sm2PrivateKey } from '#shared/crypto/sm2.ts';
import { type Check, readJwks, verifyCompactJws } from '#shared/crypto/webcrypto-jws.ts';
import { signCertificate, signJwt, verifyCertificate } from '#shared/domain/certificate.ts';
import type { CertificateSigner, PublicVerificationJwk } from '#shared/domain/signer.ts';
import { b64json, parts, signedBy } from './support/forge.ts';
import { sampleCredential, SAMPLE_VALID_AT } from './support/sample-credential.ts';

/**
 * The SM2 suite: compact JWS with `alg: "SM2"`, signed with SM2/SM3 and the default
 * distinguishing ID over the JWS signing input, `R||S`, verified from a published
 * `{kty: EC, crv: SM2}` key. Every verdict is asked of both verifiers: the service's
 * (`verifyCertificate`, also `dcc`) and the page's (`verifyCompactJws`, also the status list check).
 */

const sm2Key = Sm2PrivateKey.generate();
const sm2Signer = LocalSm2CertificateSigner.fromPrivateKey(sm2Key);
const es256Signer = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const now = SAMPLE_VALID_AT;
const utf8 = new TextEncoder();

let sm2Jwk: PublicVerificationJwk;
let es256Jwk: PublicVerificationJwk;
let keys: PublicVerificationJwk[];
let sm2Token: string;
let es256Token: string;

beforeAll(async () => {
  sm2Jwk = await sm2Signer.publicJwk();
  es256Jwk = await es256Signer.publicJwk();
  keys = [es256Jwk, sm2Jwk];
  sm2Token = await signCertificate(sampleCredential(), sm2Signer);
  es256Token = await signCertificate(sampleCredential({}, 8), es256Signer);
});

/** Both verifiers' verdict: the failed check's name, or 'ok'. */
async function verdicts(token: string, keySet: PublicVerificationJwk[] = keys): Promise<{ service: string; page: string; detail: string }> {
  const service = await verifyCertificate(token, keySet, now);
  const checks: Check[] = [];
  const page = await verifyCompactJws(token, keySet, checks);
  const failed = service.checks.find((c) => !c.ok);
  return {
    service: service.verified ? 'ok' : (failed?.name ?? service.status),
    page: page.ok ? 'ok' : (checks.at(-1)?.name ?? '?'),
    detail: failed?.detail ?? '',
  };
}

describe('signing with an SM2 signer', () => {
  it('publishes {kty: EC, crv: SM2, x, y, kid, alg: SM2, use: sig}, kid = RFC 7638 thumbprint of {crv, kty, x, y}', () => {
    expect(Object.keys(sm2Jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(sm2Jwk).toMatchObject({ kty: 'EC', crv: 'SM2', alg: 'SM2', use: 'sig' });
    expect(Buffer.from(sm2Jwk.x, 'base64url').equals(Buffer.from(sm2Key.publicKey.x))).toBe(true);
    const canonical = JSON.stringify({ crv: 'SM2', kty: 'EC', x: sm2Jwk.x, y: sm2Jwk.y });
    expect(sm2Jwk.kid).toBe(createHash('sha256').update(canonical).digest('base64url'));
    expect(jwkThumbprint(sm2Jwk)).toBe(sm2Jwk.kid);
  });

  it('writes the header {"alg":"SM2","typ":"vc+jwt","kid":<thumbprint>} and a 64-byte R||S over the signing input (SM3, default ID)', () => {
    const [h, p, s] = parts(sm2Token);
    expect(Buffer.from(h, 'base64url').toString()).toBe(`{"alg":"SM2","typ":"vc+jwt","kid":"${sm2Jwk.kid}"}`);
    const signature = Buffer.from(s, 'base64url');
    expect(signature).toHaveLength(64);
    expect(sm2Key.publicKey.verify(utf8.encode(`${h}.${p}`), signature)).toBe(true);
    expect(sm2Key.publicKey.verify(utf8.encode(`${h}.${p}`), signature, '')).toBe(false);
  });

  it('verifies on both verifiers, next to an ES256 token under the same key set', async () => {
    expect(await verdicts(sm2Token)).toMatchObject({ service: 'ok', page: 'ok' });
    expect(await verdicts(es256Token)).toMatchObject({ service: 'ok', page: 'ok' });
    const result = await verifyCertificate(sm2Token, keys, now);
    expect(result).toMatchObject({ verified: true, status: 'active', kid: sm2Jwk.kid });
  });

  it('signs a status list credential the same way (signJwt)', async () => {
    const list = await signJwt({ id: 'https://x.example/v1/status-lists/0', type: ['VerifiableCredential'] }, sm2Signer);
    const checks: Check[] = [];
    expect(await verifyCompactJws(list, keys, checks)).toMatchObject({ ok: true, kid: sm2Jwk.kid });
  });

  it('refuses a signer whose signature does not verify under its own published key', async () => {
    const lying: CertificateSigner = { sign: () => Promise.resolve(Sm2PrivateKey.generate().sign(utf8.encode('x'))), publicJwk: () => sm2Signer.publicJwk() };
    await expect(signCertificate(sampleCredential(), lying)).rejects.toMatchObject({ name: 'SignerError', code: 'signer-signature-mismatch' });
    const short: CertificateSigner = { sign: () => Promise.resolve(new Uint8Array(63)), publicJwk: () => sm2Signer.publicJwk() };
    await expect(signCertificate(sampleCredential(), short)).rejects.toBeInstanceOf(SignerError);
  });
});

describe('tampering with an SM2 token', () => {
  it('a changed payload, header or signature is refused at the signature step', async () => {
    const [h, p, s] = parts(sm2Token);
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const otherPayload = b64json({ ...payload, certificateNo: 'DCC-2026-0000000000000099' });
    const otherHeader = b64json(`{"typ":"vc+jwt","alg":"SM2","kid":"${sm2Jwk.kid}"}`);
    const sig = Buffer.from(s, 'base64url');
    sig[40]! ^= 0x01;
    for (const token of [`${h}.${otherPayload}.${s}`, `${otherHeader}.${p}.${s}`, `${h}.${p}.${encodeBase64url(sig)}`]) {
      expect(await verdicts(token)).toMatchObject({ service: 'signature', page: 'signature' });
    }
  });

  it('a genuine SM2 signature made with another distinguishing ID is refused', async () => {
    const [h, p] = parts(sm2Token);
    const input = utf8.encode(`${h}.${p}`);
    for (const id of ['', 'ALICE123@YAHOO.COM', '1234567812345678 ']) {
      const token = `${h}.${p}.${encodeBase64url(sm2Key.signDigest(sm2Key.publicKey.digest(input, id)))}`;
      expect(await verdicts(token)).toMatchObject({ service: 'signature', page: 'signature' });
    }
  });

  it('r or s out of range, (r, n - s), and a DER signature in place of R||S are refused', async () => {
    const [h, p, s] = parts(sm2Token);
    const sig = Buffer.from(s, 'base64url');
    const r = BigInt(`0x${sig.subarray(0, 32).toString('hex')}`);
    const sv = BigInt(`0x${sig.subarray(32).toString('hex')}`);
    const enc = (a: bigint, b: bigint) => encodeBase64url(Buffer.from(a.toString(16).padStart(64, '0') + b.toString(16).padStart(64, '0'), 'hex'));
    for (const bad of [enc(0n, sv), enc(r, 0n), enc(SM2_ORDER, sv), enc(r, SM2_ORDER), enc(r, SM2_ORDER - sv), encodeBase64url(Buffer.concat([Buffer.from([0x30, 0x44]), sig]))]) {
      expect(await verdicts(`${h}.${p}.${bad}`)).toMatchObject({ service: 'signature', page: 'signature' });
    }
  });
});

describe('alg / key-type confusion: a key verifies the algorithm of its curve only', () => {
  // Each row carries a GENUINE signature by the named signer over exactly its bytes.
  const rows: [string, () => CertificateSigner, () => Record<string, unknown>, string][] = [
    ['alg SM2 naming the P-256 key, signed by the P-256 key', () => es256Signer, () => ({ alg: 'SM2', typ: 'vc+jwt', kid: es256Jwk.kid }), 'key'],
    ['alg ES256 naming the SM2 key, signed by the SM2 key', () => sm2Signer, () => ({ alg: 'ES256', typ: 'vc+jwt', kid: sm2Jwk.kid }), 'key'],
    ['alg SM2 naming the P-256 key, signed by the SM2 key', () => sm2Signer, () => ({ alg: 'SM2', typ: 'vc+jwt', kid: es256Jwk.kid }), 'key'],
    ['alg ES256 naming the SM2 key, signed by the P-256 key', () => es256Signer, () => ({ alg: 'ES256', typ: 'vc+jwt', kid: sm2Jwk.kid }), 'key'],
    ['alg "sm2" (case matters)', () => sm2Signer, () => ({ alg: 'sm2', typ: 'vc+jwt', kid: sm2Jwk.kid }), 'header'],
    ['alg "SM3withSM2" (another spelling)', () => sm2Signer, () => ({ alg: 'SM3withSM2', typ: 'vc+jwt', kid: sm2Jwk.kid }), 'header'],
    ['alg "GmSM2"', () => sm2Signer, () => ({ alg: 'GmSM2', typ: 'vc+jwt', kid: sm2Jwk.kid }), 'header'],
    ['alg "ES256K"', () => es256Signer, () => ({ alg: 'ES256K', typ: 'vc+jwt', kid: es256Jwk.kid }), 'header'],
    ['alg "none"', () => sm2Signer, () => ({ alg: 'none', typ: 'vc+jwt', kid: sm2Jwk.kid }), 'header'],
  ];
  it.each(rows)('%s: refused at %s', async (_name, signer, header, step) => {
    const token = await signedBy(signer(), header(), sampleCredential());
    const v = await verdicts(token);
    expect(v).toMatchObject({ service: step, page: step });
  });

  it('an ES256 token is refused when only the SM2 key is published, and an SM2 token when only the P-256 key is', async () => {
    expect(await verdicts(es256Token, [sm2Jwk])).toMatchObject({ service: 'key', page: 'key' });
    expect(await verdicts(sm2Token, [es256Jwk])).toMatchObject({ service: 'key', page: 'key' });
  });

  it('a P-256 key relabelled crv SM2 (same x, y, same kid) is refused: its kid is no longer its thumbprint', async () => {
    const relabelled = { ...es256Jwk, crv: 'SM2', alg: 'SM2' } as unknown as PublicVerificationJwk;
    const token = await signedBy(es256Signer, { alg: 'SM2', typ: 'vc+jwt', kid: es256Jwk.kid }, sampleCredential());
    expect(await verdicts(token, [relabelled])).toMatchObject({ service: 'key', page: 'key' });
    expect(() => importVerificationKeys({ keys: [relabelled] })).toThrow(CryptoError);
  });
});

describe('published key sets with SM2 keys', () => {
  it('importVerificationKeys and readJwks accept P-256 and SM2 keys together, in the published form', async () => {
    const jwks = buildJwks(keys);
    expect(jwks.keys.map((k) => k.crv)).toEqual(['P-256', 'SM2']);
    expect(importVerificationKeys(JSON.parse(JSON.stringify(jwks)))).toEqual(jwks.keys);
    expect((await readJwks(JSON.parse(JSON.stringify(jwks)))).map((k) => k.kid)).toEqual([es256Jwk.kid, sm2Jwk.kid]);
  });

  it.each([
    ['a kid that is not the thumbprint', () => ({ ...sm2Jwk, kid: es256Jwk.kid })],
    ['alg ES256 on an SM2 key', () => ({ ...sm2Jwk, alg: 'ES256' })],
    ['a point off the SM2 curve', () => ({ ...sm2Jwk, y: encodeBase64url(Buffer.from(Buffer.from(sm2Jwk.y, 'base64url').map((b, i) => (i === 31 ? b ^ 1 : b)))) })],
    ['a private member', () => ({ ...sm2Jwk, d: sm2Jwk.x })],
    ['crv "sm2"', () => ({ ...sm2Jwk, crv: 'sm2' })],
  ])('both refuse %s', async (_name, make) => {
    const set = { keys: [make()] };
    expect(() => importVerificationKeys(set)).toThrow(CryptoError);
    await expect(readJwks(set)).rejects.toThrow();
  });
});
