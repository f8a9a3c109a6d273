import { createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compactVerify, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64urlStrict, encodeBase64url } from '#shared/crypto/base64url.ts';
import { parseCompactJwsStrict } from '#shared/crypto/compact-jws.ts';
import { jwkFromKeyObject } from '#shared/crypto/jwks.ts';
import { verifyCertificate, verifyCertificatesNow, type CertificateVerification } from '#shared/domain/certificate.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { revokeCertificate } from '#shared/services/revoke-certificate.ts';
import { type VerifyDeps, verifyPresentedToken } from '#shared/services/verify-certificate.ts';
import { FIXTURE_NOW, validIssueRequest } from '../../../fixtures/issue-request.ts';
import { certificateServices, TEST_EXCHANGE } from '../../../support/certificate-services.ts';
import { b64json, parts } from './support/forge.ts';
import { sampleCredential, SAMPLE_VALID_AT } from './support/sample-credential.ts';

/**
 * The node:crypto signature path against jose's `compactVerify`, the reference it replaced: over
 * a corpus of genuine, tampered, malleated, out-of-range, wrongly keyed and revoked tokens, both
 * give the same verdict, the same status and the same checks (names, outcomes and details).
 * The attack table runs both paths on each of its rows too (attack-table.test.ts).
 */

/** The order of the P-256 group. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const GENUINE = 1_000;

const toBytes32 = (value: bigint): Uint8Array => Uint8Array.from(Buffer.from(value.toString(16).padStart(64, '0'), 'hex'));
const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

/** The verdict as a caller sees it; the decoded certificate is compared only by presence. */
const verdictOf = (result: CertificateVerification | Awaited<ReturnType<typeof verifyPresentedToken>>) => ({
  verified: result.verified,
  status: result.status,
  checks: result.checks,
  certificate: result.certificate !== undefined,
});

const keyPair = (): { privateKey: KeyObject; jwk: PublicVerificationJwk } => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, jwk: jwkFromKeyObject(publicKey) };
};
const service = keyPair();
const attacker = keyPair();
const utf8 = new TextEncoder();

function signed(privateKey: KeyObject, header: unknown, payload: unknown): string {
  const input = `${b64json(header)}.${b64json(payload)}`;
  return `${input}.${encodeBase64url(sign('sha256', utf8.encode(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`;
}

/** Flips one bit of a part's decoded bytes; the part stays canonical base64url. */
function flipBit(token: string, part: 0 | 1 | 2, bit: number): string {
  const encoded = parts(token);
  const bytes = decodeBase64urlStrict(encoded[part], 'part');
  bytes[Math.floor(bit / 8) % bytes.length]! ^= 1 << bit % 8;
  encoded[part] = encodeBase64url(bytes);
  return encoded.join('.');
}

/** Replaces r and s (big-endian integers, written as 32 bytes each). */
function withRs(token: string, map: (r: bigint, s: bigint) => [bigint, bigint]): string {
  const [h, p, sig] = parts(token);
  const rs = decodeBase64urlStrict(sig, 'signature');
  const [r, s] = map(toBigInt(rs.subarray(0, 32)), toBigInt(rs.subarray(32)));
  const out = new Uint8Array(64);
  out.set(toBytes32(r % 2n ** 256n), 0);
  out.set(toBytes32(s % 2n ** 256n), 32);
  return `${h}.${p}.${encodeBase64url(out)}`;
}

/** Deterministic, so a failure names a token that can be rebuilt. */
function* numbers(seed: number): Generator<number> {
  let x = seed >>> 0;
  for (;;) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield (x >>> 0) / 2 ** 32;
  }
}

describe('verifyCertificate: node:crypto and jose agree', () => {
  const corpus: { label: string; token: string }[] = [];

  beforeAll(() => {
    const random = numbers(16);
    const next = (): number => random.next().value as number;
    const header = { alg: 'ES256', typ: 'vc+jwt', kid: service.jwk.kid };
    for (let i = 0; i < GENUINE; i++) {
      // The index fills the number's random bytes, so it stays small; the id tells tokens apart.
      const credential = sampleCredential({ id: `urn:uuid:0192f3a4-5b6c-7d8e-9f01-${String(i).padStart(12, '0')}` }, (i % 200) + 1);
      const genuine = signed(service.privateKey, header, credential);
      const bits = (part: 0 | 1 | 2) => Math.floor(next() * parts(genuine)[part].length * 6);
      corpus.push(
        { label: 'genuine', token: genuine },
        { label: 'header bit flip', token: flipBit(genuine, 0, bits(0)) },
        { label: 'payload bit flip', token: flipBit(genuine, 1, bits(1)) },
        { label: 'signature bit flip', token: flipBit(genuine, 2, Math.floor(next() * 512)) },
        // ECDSA is malleable: (r, n − s) is as valid as (r, s); neither path refuses high S.
        { label: 'high S', token: withRs(genuine, (r, s) => [r, N - s]) },
        { label: 'r or s zero', token: withRs(genuine, (r, s) => (i % 2 === 0 ? [0n, s] : [r, 0n])) },
        { label: 'r or s ≥ n', token: withRs(genuine, (r, s) => (i % 2 === 0 ? [r + N, s] : [r, s + N])) },
        { label: 'r or s = n', token: withRs(genuine, (r, s) => (i % 2 === 0 ? [N, s] : [r, N])) },
        { label: 'wrong key', token: signed(attacker.privateKey, header, credential) },
        { label: 'encoded character changed', token: changeCharacter(genuine, next) },
      );
    }
  });

  it(`gives identical verdicts over ${GENUINE * 10} tokens`, async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10_000);
    const keys = [service.jwk];
    const mismatches: string[] = [];
    const failedAt = new Map<string, number>();
    for (const [i, { label, token }] of corpus.entries()) {
      const ours = verdictOf(await verifyCertificate(token, keys, SAMPLE_VALID_AT));
      const reference = verdictOf(await verifyCertificate(token, keys, SAMPLE_VALID_AT, { signatureVerifier: 'jose' }));
      try {
        expect(ours).toEqual(reference);
      } catch {
        if (mismatches.length < 5) mismatches.push(`#${i} ${label}: ${JSON.stringify(ours)} vs ${JSON.stringify(reference)}`);
      }
      const key = `${label} → ${ours.checks.find((c) => !c.ok)?.name ?? 'verified'}`;
      failedAt.set(key, (failedAt.get(key) ?? 0) + 1);
    }
    expect(mismatches).toEqual([]);
    // The corpus reaches the checks it is meant to: otherwise agreement would prove little.
    const count = (key: string): number => failedAt.get(key) ?? 0;
    expect(count('genuine → verified')).toBe(GENUINE);
    expect(count('high S → verified')).toBe(GENUINE);
    for (const label of ['payload bit flip', 'signature bit flip', 'r or s zero', 'r or s ≥ n', 'r or s = n', 'wrong key']) {
      expect(count(`${label} → signature`), label).toBe(GENUINE);
    }
    expect(count('header bit flip → format') + count('header bit flip → header') + count('header bit flip → key')).toBe(GENUINE);
    expect(count('header bit flip → header')).toBeGreaterThan(0);
    expect(count('encoded character changed → format')).toBeGreaterThan(0);
  }, 60_000);

  it('gives every token of the corpus, judged in chunks as dcc judges a batch, the verdict it gets alone', async () => {
    const keys = [service.jwk];
    const tokens = corpus.map((c) => c.token);
    for (let from = 0; from < tokens.length; from += 64) {
      const chunk = tokens.slice(from, from + 64);
      const together = await Promise.all(verifyCertificatesNow(chunk, keys, SAMPLE_VALID_AT));
      const alone = await Promise.all(chunk.map((token) => verifyCertificate(token, keys, SAMPLE_VALID_AT)));
      expect(together).toEqual(alone);
    }
  }, 60_000);

  it('agrees on a key set where the kid is unknown, and on expired and not-yet-valid certificates', async () => {
    const tokens = corpus.filter((c) => c.label === 'genuine').slice(0, 20).map((c) => c.token);
    const cases: [PublicVerificationJwk[], Date, string][] = [
      [[attacker.jwk], SAMPLE_VALID_AT, 'key'],
      [[service.jwk], new Date('2028-01-01T00:00:00Z'), 'validity'],
      [[service.jwk], new Date('2026-01-01T00:00:00Z'), 'validity'],
    ];
    for (const [keys, at, failing] of cases) {
      for (const token of tokens) {
        const ours = verdictOf(await verifyCertificate(token, keys, at));
        expect(ours).toEqual(verdictOf(await verifyCertificate(token, keys, at, { signatureVerifier: 'jose' })));
        expect(ours.checks.at(-1)).toMatchObject({ name: failing, ok: false });
      }
    }
  });
});

/** Changes one character of the encoded token to another base64url (or separator) character. */
function changeCharacter(token: string, next: () => number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=';
  const at = Math.floor(next() * token.length);
  const replacement = alphabet[Math.floor(next() * alphabet.length)] ?? 'A';
  return `${token.slice(0, at)}${replacement}${token.slice(at + 1)}`;
}

describe('the service verify route: node:crypto and jose agree on tokens on record', () => {
  it('gives identical results for active, revoked and tampered certificates', async () => {
    const services = certificateServices();
    const deps: VerifyDeps = { store: services.stores.certificates, keys: async () => [await services.signer.publicJwk()], clockSkewSeconds: 300 };
    const tokens: string[] = [];
    for (let i = 0; i < 20; i++) {
      const request = { ...validIssueRequest(), transactionRef: `SDE-2026-PARITY-${i}` };
      const { record } = await issueCertificate(services.issueDeps, TEST_EXCHANGE, request, new Date(FIXTURE_NOW));
      if (i % 2 === 1) {
        await revokeCertificate(services.stores.certificates, { certificateId: record.id, reason: 'transaction-cancelled', comment: 'parity', actor: 'admin-1' }, new Date(FIXTURE_NOW));
      }
      tokens.push(record.token, flipBit(record.token, 2, i * 7), withRs(record.token, (r, s) => [r, N - s]));
    }
    const statuses = new Map<string, number>();
    for (const token of tokens) {
      const ours = await verifyPresentedToken(deps, token, new Date('2027-03-01T00:00:00Z'));
      const reference = await verifyPresentedToken(deps, token, new Date('2027-03-01T00:00:00Z'), { signatureVerifier: 'jose' });
      expect(verdictOf(ours)).toEqual(verdictOf(reference));
      statuses.set(ours.status, (statuses.get(ours.status) ?? 0) + 1);
    }
    // Revoked on record, active on record, and tampered or malleated copies (not on record: invalid).
    expect(Object.fromEntries(statuses)).toEqual({ active: 10, revoked: 10, invalid: 40 });
  });
});

describe('Wycheproof JWS ES256 cases: the signature engines agree', () => {
  interface JwsGroup {
    public?: JWK;
    tests: { tcId: number; jws: unknown; result: string }[];
  }
  const file = JSON.parse(
    readFileSync(new URL('../../../fixtures/wycheproof/json_web_signature_test.json', import.meta.url), 'utf8'),
  ) as { testGroups: JwsGroup[] };
  const cases = file.testGroups
    .filter((g) => g.public?.alg === 'ES256' && g.public.crv === 'P-256')
    .flatMap((g) => g.tests.map((test) => ({ key: g.public as JWK, test })));

  it('node:crypto on the strictly parsed token and jose on the token accept exactly the same ones', async () => {
    expect(cases).toHaveLength(39);
    let reachedSignature = 0;
    for (const { key, test } of cases) {
      const { kty, crv, x, y } = key;
      // verifyCertificate refuses all of these before the signature (no `typ`, a kid that is not
      // a thumbprint), identically on both paths; the engines are compared where they differ.
      const jwk = { kty, crv, x, y } as PublicVerificationJwk & { kid: string };
      jwk.kid = 'wycheproof';
      const viaCertificate = await verifyCertificate(test.jws as string, [jwk], SAMPLE_VALID_AT);
      expect(viaCertificate).toEqual(await verifyCertificate(test.jws as string, [jwk], SAMPLE_VALID_AT, { signatureVerifier: 'jose' }));
      expect(viaCertificate.verified).toBe(false);

      let parsed;
      try {
        parsed = parseCompactJwsStrict(test.jws as string);
      } catch {
        continue;
      }
      if (parsed.header['alg'] !== 'ES256' || parsed.signature.length !== 64) continue;
      reachedSignature += 1;
      const keyObject = createPublicKey({ key: { kty, crv, x, y } as JsonWebKey, format: 'jwk' });
      let node: boolean;
      try {
        node = verify('sha256', parsed.signingInput, { key: keyObject, dsaEncoding: 'ieee-p1363' }, parsed.signature);
      } catch {
        node = false;
      }
      const jose = await compactVerify(test.jws as string, await importJWK({ kty, crv, x, y }, 'ES256'), { algorithms: ['ES256'] }).then(
        () => true,
        () => false,
      );
      expect(node, `tcId ${test.tcId}`).toBe(jose);
      expect(node, `tcId ${test.tcId}`).toBe(test.result === 'valid');
    }
    expect(reachedSignature).toBeGreaterThan(10);
  });
});
