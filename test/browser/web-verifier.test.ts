import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { signCertificate, signJwt, verifyCertificate } from '#shared/domain/certificate.ts';
import { buildStatusListCredential, encodeStatusList } from '#shared/domain/status-list.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { verifyCertificateToken } from '../../web/verifier/certificate.ts';
import { compressToken, tokenFromFragment } from '../../web/verifier/qr-link.ts';
import { b64json, parts, signedBy } from '../shared/domain/certificate/support/forge.ts';
import { sampleCredential, SAMPLE_VALID_AT } from '../shared/domain/certificate/support/sample-credential.ts';

/**
 * The page's verifier (WebCrypto, no Node crypto) run under Node: it must reach the same
 * verdict, at the same check, as the service's `verifyCertificate` on genuine and forged tokens,
 * and read status lists the service signs.
 */

const service = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const attacker = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const now = SAMPLE_VALID_AT;
let keys: PublicVerificationJwk[];
let kid: string;
let genuine: string;

beforeAll(async () => {
  keys = [await service.publicJwk()];
  kid = keys[0]!.kid;
  genuine = await signCertificate(sampleCredential(), service);
});

const header = (extra: Record<string, unknown> = {}) => ({ alg: 'ES256', typ: 'vc+jwt', kid, ...extra });

/** Forged or malformed tokens, each refused by the service at some step. */
const cases: [string, () => Promise<string>][] = [
  ['genuine', async () => genuine],
  ['garbage', async () => 'not a token'],
  ['four parts', async () => `${genuine}.x`],
  ['padding', async () => `${genuine}=`],
  ['whitespace inside', async () => genuine.replace('.', ' .')],
  ['non-canonical last character', async () => { const [h, p, s] = parts(genuine); return `${h}.${p}.${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`; }],
  ['alg none', async () => { const [, p] = parts(genuine); return `${b64json({ alg: 'none', typ: 'vc+jwt', kid })}.${p}.`; }],
  ['alg HS256', async () => signedBy(service, header({ alg: 'HS256' }), sampleCredential())],
  ['typ JWT', async () => signedBy(service, header({ typ: 'JWT' }), sampleCredential())],
  ['embedded jwk', async () => signedBy(service, header({ jwk: { kty: 'EC' } }), sampleCredential())],
  ['jku', async () => signedBy(service, header({ jku: 'https://evil.example/jwks' }), sampleCredential())],
  ['x5c', async () => signedBy(service, header({ x5c: ['MII'] }), sampleCredential())],
  ['crit', async () => signedBy(service, header({ crit: ['exp'] }), sampleCredential())],
  ['b64 false', async () => signedBy(service, header({ b64: false }), sampleCredential())],
  ['extra header member', async () => signedBy(service, header({ cty: 'vc' }), sampleCredential())],
  ['duplicate header member', async () => { const [, p, s] = parts(genuine); return `${b64json(`{"alg":"ES256","typ":"vc+jwt","kid":"${kid}","kid":"${kid}"}`)}.${p}.${s}`; }],
  ['unknown kid', async () => signCertificate(sampleCredential(), attacker)],
  ['attacker signature under our kid', async () => signedBy(attacker, header(), sampleCredential())],
  ['tampered payload', async () => { const [h, , s] = parts(genuine); return `${h}.${b64json({ ...sampleCredential(), issuer: 'https://evil.example' })}.${s}`; }],
  ['short signature', async () => { const [h, p, s] = parts(genuine); return `${h}.${p}.${s.slice(0, 40)}`; }],
  ['payload not a certificate', async () => signedBy(service, header(), { hello: 'world' })],
  ['payload with a duplicate member', async () => signedBy(service, header(), `{"a":1,"a":2}`)],
  ['expired', async () => signCertificate(sampleCredential({ validFrom: '2020-01-01T00:00:00Z', validUntil: '2021-01-01T00:00:00Z' }), service)],
  ['not yet valid', async () => signCertificate(sampleCredential({ validFrom: '2030-01-01T00:00:00Z', validUntil: '2031-01-01T00:00:00Z' }), service)],
];

describe('the page verifier agrees with the service verifier', () => {
  it.each(cases)('%s', async (_name, make) => {
    const token = await make();
    const server = await verifyCertificate(token, keys, now, { clockSkewSeconds: 300 });
    const page = await verifyCertificateToken(token, keys, now, { clockSkewSeconds: 300 });
    expect(page.status).toBe(server.status);
    expect(page.verified).toBe(server.verified);
    expect(page.checks.map((c) => [c.name, c.ok])).toEqual(server.checks.map((c) => [c.name, c.ok]));
    expect(page.certificate).toEqual(server.certificate);
  });
});

describe('revocation through the signed status list', () => {
  const listUrl = 'https://dcc.example.gov.cn/v1/status-lists/0';
  const signedList = (revoked: number[], overrides: { id?: string; issuer?: string } = {}) =>
    signJwt(
      buildStatusListCredential({
        id: overrides.id ?? listUrl,
        issuer: overrides.issuer ?? 'https://dcc.example.gov.cn',
        validFrom: '2027-02-28T00:00:00Z',
        ttlMs: 300_000,
        encodedList: encodeStatusList(revoked),
      }),
      service,
    );

  it('reads the bit: clear is active, set is revoked', async () => {
    const clear = await signedList([1, 2, 3]);
    const set = await signedList([7]);
    const fetched: string[] = [];
    const active = await verifyCertificateToken(genuine, keys, now, { fetchStatusList: async (url) => (fetched.push(url), clear) });
    expect(active).toMatchObject({ status: 'active', verified: true });
    expect(fetched).toEqual([listUrl]);
    const revoked = await verifyCertificateToken(genuine, keys, now, { fetchStatusList: async () => set });
    expect(revoked).toMatchObject({ status: 'revoked', verified: false });
    expect(revoked.checks.at(-1)).toEqual({ name: 'status', ok: false, detail: `Revoked: bit 7 of ${listUrl} is set.` });
  });

  it('trusts no list it cannot verify: forged, another list, another issuer, unreachable', async () => {
    const forged = await signJwt(
      buildStatusListCredential({ id: listUrl, issuer: 'https://dcc.example.gov.cn', validFrom: '2027-02-28T00:00:00Z', encodedList: encodeStatusList([]) }),
      attacker,
    );
    const outcomes = await Promise.all(
      [forged, await signedList([], { id: 'https://dcc.example.gov.cn/v1/status-lists/1' }), await signedList([], { issuer: 'https://evil.example' })].map(
        (list) => verifyCertificateToken(genuine, keys, now, { fetchStatusList: async () => list }),
      ),
    );
    const unreachable = await verifyCertificateToken(genuine, keys, now, { fetchStatusList: async () => { throw new Error('HTTP 503'); } });
    for (const outcome of [...outcomes, unreachable]) {
      expect(outcome).toMatchObject({ status: 'status-unknown', verified: false });
    }
    expect(outcomes.map((o) => o.checks.at(-1)?.detail)).toEqual([
      expect.stringContaining('not genuine (key'),
      expect.stringContaining('not the list the certificate names'),
      expect.stringContaining("not by the certificate's issuer"),
    ]);
  });
});

describe('QR links', () => {
  it('carry the exact token in far fewer characters', async () => {
    const fragment = await compressToken(genuine);
    expect(fragment).toMatch(/^z=[A-Za-z0-9_-]+$/);
    expect(fragment.length).toBeLessThan(genuine.length * 0.6);
    expect(await tokenFromFragment(fragment)).toBe(genuine);
    expect(await tokenFromFragment(genuine)).toBe(genuine);
  });

  it('refuse a damaged link instead of guessing', async () => {
    const fragment = await compressToken(genuine);
    await expect(tokenFromFragment(fragment.slice(0, 60))).rejects.toThrow(/link/);
    await expect(tokenFromFragment('z=***')).rejects.toThrow(/base64url/);
  });
});
