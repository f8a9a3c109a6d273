import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { compactVerify, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { SignerError } from '#shared/crypto/errors.ts';
import { jwkFromKeyObject } from '#shared/crypto/jwks.ts';
import { signCertificate, signJwt, verifyCertificate } from '#shared/domain/certificate.ts';
import { buildCredential } from '#shared/domain/credential-builder.ts';
import type { Credential } from '#shared/domain/schemas/credential.ts';
import type { CertificateSigner, PublicVerificationJwk } from '#shared/domain/signer.ts';
import { FIXTURE_NOW, FIXTURE_STATUS_LIST, fixtureIssuance, validIssueRequest } from '../../../fixtures/issue-request.ts';
import { parts } from './support/forge.ts';
import { sampleCredential, SAMPLE_VALID_AT } from './support/sample-credential.ts';

const newSigner = (): LocalCertificateSigner =>
  LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);

const signer = newSigner();
const inWindow = SAMPLE_VALID_AT;
const ALL_CHECKS = ['format', 'header', 'key', 'signature', 'payload', 'validity'];

describe('verifyCertificate on a header it has judged before', () => {
  it('resolves the key afresh for every key set: a remembered header passes on nothing but its own rules', async () => {
    const token = await signCertificate(sampleCredential(), signer);
    const jwk = await signer.publicJwk();
    const other = await newSigner().publicJwk();
    const verdict = async (keys: PublicVerificationJwk[]) => {
      const result = await verifyCertificate(token, keys, inWindow);
      return { status: result.status, failed: result.checks.filter((c) => !c.ok).map((c) => c.name) };
    };
    expect(await verdict([jwk])).toEqual({ status: 'active', failed: [] });
    // The same header, now with a key set that lacks its kid, then with it again.
    expect(await verdict([other])).toEqual({ status: 'invalid', failed: ['key'] });
    expect(await verdict([jwk])).toEqual({ status: 'active', failed: [] });
    // A key set with the kid but another key under it (a kid that is not its key's thumbprint).
    expect((await verdict([{ ...other, kid: jwk.kid }])).status).toBe('invalid');
  });
});

describe('signCertificate', () => {
  it('produces header {"alg":"ES256","typ":"vc+jwt","kid":<thumbprint>} byte for byte, and the credential as payload', async () => {
    const credential = sampleCredential();
    const token = await signCertificate(credential, signer);
    const [h, p, s] = parts(token);
    const jwk = await signer.publicJwk();
    expect(Buffer.from(h, 'base64url').toString()).toBe(`{"alg":"ES256","typ":"vc+jwt","kid":"${jwk.kid}"}`);
    expect(Buffer.from(p, 'base64url').toString('utf8')).toBe(JSON.stringify(credential));
    expect(Buffer.from(s, 'base64url')).toHaveLength(64);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('verifies with jose on its own (compactVerify and jwtVerify with typ vc+jwt)', async () => {
    const credential = sampleCredential();
    const token = await signCertificate(credential, signer);
    const jwk = await signer.publicJwk();
    const { payload, protectedHeader } = await compactVerify(token, jwk, { algorithms: ['ES256'] });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'vc+jwt', kid: jwk.kid });
    expect(JSON.parse(Buffer.from(payload).toString('utf8'))).toEqual(credential);
    const jwt = await jwtVerify(token, jwk, { algorithms: ['ES256'], typ: 'vc+jwt', currentDate: inWindow });
    expect(jwt.payload['certificateNo']).toBe(credential.certificateNo);
  });

  it('refuses an invalid credential without asking the signer to sign', async () => {
    let signatures = 0;
    const counting: CertificateSigner = {
      sign: (input) => {
        signatures++;
        return signer.sign(input);
      },
      publicJwk: () => signer.publicJwk(),
    };
    const broken = { ...sampleCredential(), certificateNo: '12345' } as Credential;
    await expect(signCertificate(broken, counting)).rejects.toThrow(TypeError);
    await expect(signCertificate(broken, counting)).rejects.toThrow(/certificateNo/);
    expect(signatures).toBe(0);
  });
});

describe('signJwt self-check', () => {
  it('refuses a signature that does not verify under the signer\'s own published key', async () => {
    const other = newSigner();
    // Signs with one key but publishes another: what a KMS alias moved to a new key looks like.
    const confused: CertificateSigner = { sign: (i) => other.sign(i), publicJwk: () => signer.publicJwk() };
    const error = await signJwt({ a: 1 }, confused).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignerError);
    expect((error as SignerError).code).toBe('signer-signature-mismatch');
  });

  it('refuses a signer that returns anything but 64 bytes', async () => {
    const short: CertificateSigner = {
      sign: async (i) => (await signer.sign(i)).subarray(0, 63),
      publicJwk: () => signer.publicJwk(),
    };
    await expect(signJwt({ a: 1 }, short)).rejects.toMatchObject({ code: 'signer-signature-malformed' });
  });
});

describe('verifyCertificate on genuine certificates', () => {
  it('round-trips: verified, active, every check passed in order, the credential and kid returned', async () => {
    const credential = sampleCredential();
    const token = await signCertificate(credential, signer);
    const jwk = await signer.publicJwk();
    const result = await verifyCertificate(token, [jwk], inWindow);
    expect(result.verified).toBe(true);
    expect(result.status).toBe('active');
    expect(result.checks).toEqual(ALL_CHECKS.map((name) => ({ name, ok: true })));
    expect(result.certificate).toEqual(credential);
    expect(result.kid).toBe(jwk.kid);
  });

  it('round-trips the credential exactly as the service builds it from an issue request', async () => {
    const credential = await buildCredential(validIssueRequest(), fixtureIssuance({ status: { statusListCredential: FIXTURE_STATUS_LIST, statusListIndex: 4242 } }));
    const token = await signCertificate(credential, signer);
    const result = await verifyCertificate(token, [await signer.publicJwk()], inWindow);
    expect(result.status).toBe('active');
    expect(result.certificate).toEqual(credential);
    // Issued before the usage window opens: valid only from validFrom on.
    expect((await verifyCertificate(token, [await signer.publicJwk()], FIXTURE_NOW)).status).toBe('not-yet-valid');
  });

  it('finds the signing key among several (key rotation: the retired key still verifies)', async () => {
    const retired = newSigner();
    const token = await signCertificate(sampleCredential(), retired);
    const keys = [await signer.publicJwk(), await retired.publicJwk()];
    const result = await verifyCertificate(token, keys, inWindow);
    expect(result.status).toBe('active');
    expect(result.kid).toBe(keys[1]?.kid);
  });

  it('applies the window with the configured skew at both ends', async () => {
    const credential = sampleCredential();
    const token = await signCertificate(credential, signer);
    const keys = [await signer.publicJwk()];
    const from = Date.parse(credential.validFrom);
    const until = Date.parse(credential.validUntil);
    const at = async (ms: number, skew?: number) =>
      (await verifyCertificate(token, keys, new Date(ms), skew === undefined ? {} : { clockSkewSeconds: skew })).status;
    expect(await at(from)).toBe('active');
    expect(await at(until)).toBe('active');
    expect(await at(from - 1)).toBe('not-yet-valid');
    expect(await at(until + 1)).toBe('expired');
    expect(await at(from - 299_000, 300)).toBe('active');
    expect(await at(until + 299_000, 300)).toBe('active');
    expect(await at(from - 301_000, 300)).toBe('not-yet-valid');
    expect(await at(until + 301_000, 300)).toBe('expired');
  });

  it('treats options misuse as a programming error', async () => {
    const token = await signCertificate(sampleCredential(), signer);
    const keys = [await signer.publicJwk()];
    await expect(verifyCertificate(token, keys, new Date(Number.NaN))).rejects.toThrow(TypeError);
    await expect(verifyCertificate(token, keys, inWindow, { clockSkewSeconds: -1 })).rejects.toThrow(TypeError);
  });
});

describe('verifyCertificate never throws on bad tokens', () => {
  it('reports arbitrary strings as invalid at the format check', async () => {
    const keys = [await signer.publicJwk()];
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        const result = await verifyCertificate(text, keys, inWindow);
        expect(result.verified).toBe(false);
        expect(result.status).toBe('invalid');
        expect(result.checks.at(-1)?.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('reports non-string tokens as invalid instead of throwing', async () => {
    const keys = [await signer.publicJwk()];
    for (const value of [undefined, null, 42, {}, ['a.b.c']]) {
      const result = await verifyCertificate(value as unknown as string, keys, inWindow);
      expect(result.checks).toEqual([{ name: 'format', ok: false, detail: 'The token is not a string.' }]);
    }
  });

  it('never verifies a genuine token with any single character changed', async () => {
    const token = await signCertificate(sampleCredential(), signer);
    const keys = [await signer.publicJwk()];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.= \n';
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: token.length - 1 }),
        fc.constantFrom(...alphabet),
        async (position, replacement) => {
          fc.pre(token[position] !== replacement);
          const mutated = token.slice(0, position) + replacement + token.slice(position + 1);
          const result = await verifyCertificate(mutated, keys, inWindow);
          expect(result.verified).toBe(false);
          expect(result.status).toBe('invalid');
          const failed = result.checks.filter((c) => !c.ok);
          expect(failed).toHaveLength(1);
          expect(result.checks.at(-1)).toBe(failed[0]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('does not report later checks once one has failed (they are omitted, not passed)', async () => {
    const token = await signCertificate(sampleCredential(), signer);
    const [h, p, s] = parts(token);
    const result = await verifyCertificate(`${h}.${p}.${s}=`, [await signer.publicJwk()], inWindow);
    expect(result.checks.map((c) => c.name)).toEqual(['format']);
    expect(result.certificate).toBeUndefined();
    expect(result.kid).toBeUndefined();
  });
});

describe('verifyCertificate and the published keys', () => {
  it('refuses a published key whose kid lies (another key under the signer\'s kid)', async () => {
    const token = await signCertificate(sampleCredential(), signer);
    const impostor = jwkFromKeyObject(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const lying: PublicVerificationJwk = { ...impostor, kid: (await signer.publicJwk()).kid };
    const result = await verifyCertificate(token, [lying], inWindow);
    expect(result.status).toBe('invalid');
    expect(result.checks.at(-1)).toMatchObject({ name: 'key', ok: false });
    expect(result.checks.at(-1)?.detail).toMatch(/not the key its kid names/);
  });

  it('refuses when no key is published at all', async () => {
    const token = await signCertificate(sampleCredential(), signer);
    const result = await verifyCertificate(token, [], inWindow);
    expect(result.checks.at(-1)).toMatchObject({ name: 'key', ok: false });
  });
});
