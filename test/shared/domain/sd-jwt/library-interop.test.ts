import { type JsonWebKey, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { SDJwtInstance } from '@sd-jwt/core';
import { describe, expect, it } from 'vitest';
import { parseCompactJwsStrict } from '#shared/crypto/compact-jws.ts';
import { parseJsonStrict } from '#shared/crypto/strict-json.ts';
import { verifyCertificatePresentation } from '#shared/domain/sd-jwt/certificate-sd-jwt.ts';
import { type HolderPrivateJwk, joinSdJwt, splitSdJwt } from '#shared/domain/sd-jwt/sd-jwt.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { issueSdJwt } from '#shared/services/issue-sd-jwt.ts';
import { issuerJwtVerifier } from '#shared/domain/sd-jwt/issuer-jwt-verifier.ts';
import { FIXTURE_NOW, validIssueRequest } from '../../../fixtures/issue-request.ts';
import { TEST_EXCHANGE, certificateServices } from '../../../support/certificate-services.ts';

/**
 * Our SD-JWTs against an implementation nobody on this team wrote: the OpenWallet Foundation's
 * `@sd-jwt/core` 0.19 (0.20 cannot be installed: its dependency `@owf/identity-common` alpha was
 * unpublished). It verifies what we issue and derives presentations our verifiers accept; and the
 * last cases pin down why verification is our own code: the library accepts presentations that
 * RFC 9901 requires a verifier to refuse.
 */

const IN_WINDOW = new Date('2027-03-01T00:00:00Z');
const hasher = (data: string | ArrayBuffer, alg: string) => {
  if (alg !== 'sha-256') throw new Error(`unexpected ${alg}`);
  return new Uint8Array(createHash('sha256').update(typeof data === 'string' ? data : new Uint8Array(data)).digest());
};

async function setting(holder?: HolderPrivateJwk) {
  const services = certificateServices();
  const { record } = await issueCertificate(services.issueDeps, TEST_EXCHANGE, validIssueRequest(), FIXTURE_NOW);
  const holderJwk = holder ? { kty: holder.kty, crv: holder.crv, x: holder.x, y: holder.y } : undefined;
  const { sdJwt } = await issueSdJwt(
    { store: services.stores.certificates, sdJwts: services.stores.sdJwts, signer: async () => services.signer },
    TEST_EXCHANGE,
    record.id,
    holderJwk,
    FIXTURE_NOW,
  );
  const issuerKey = createPublicKey({ key: { ...(await services.signer.publicJwk()) } as JsonWebKey, format: 'jwk' });
  const library = new SDJwtInstance({
    hasher,
    hashAlg: 'sha-256',
    verifier: (data: string, signature: string) => verify('sha256', Buffer.from(data), { key: issuerKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url')),
    ...(holder
      ? {
          kbSignAlg: 'ES256',
          kbSigner: (data: string) =>
            sign('sha256', Buffer.from(data), { key: createPrivateKey({ key: { ...holder } as JsonWebKey, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }).toString('base64url'),
        }
      : {}),
  });
  const keys = [await services.signer.publicJwk()];
  const ours = (text: string, keyBinding?: { aud: string; nonce: string }) =>
    verifyCertificatePresentation(text, issuerJwtVerifier(keys), IN_WINDOW, { clockSkewSeconds: 300, ...(keyBinding ? { keyBinding } : {}) });
  return { record, sdJwt, library, ours };
}

describe('@sd-jwt/core 0.19 and our SD-JWTs', () => {
  it('verifies the form we issue and reconstructs exactly the certificate as signed', async () => {
    const { record, sdJwt, library } = await setting();
    const { payload } = await library.verify(sdJwt, { currentDate: Math.floor(IN_WINDOW.getTime() / 1000) });
    const certificate = parseJsonStrict(parseCompactJwsStrict(record.token).payload) as Record<string, unknown>;
    expect(payload).toEqual(certificate);
  });

  it('derives presentations that our verifier accepts, with the claims it chose', async () => {
    const { sdJwt, library, ours } = await setting();
    const presented = await library.present(sdJwt, { credentialSubject: { provider: true, usage: { purpose: true } } } as never);
    const result = await ours(presented);
    expect(result).toMatchObject({ verified: true, presentation: { disclosed: ['provider', 'purpose'], hidden: ['amount', 'consumer', 'dataProduct'] } });
  });

  it('signs Key Binding JWTs that our verifier accepts for the right audience and nonce, and refuses for another nonce', async () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const holder: HolderPrivateJwk = { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, d: jwk.d! };
    const { sdJwt, library, ours } = await setting(holder);
    const presented = await library.present(sdJwt, { credentialSubject: { transaction: { amount: true } } } as never, {
      kb: { payload: { aud: 'https://bank.example', nonce: 'n-1', iat: Math.floor(IN_WINDOW.getTime() / 1000) } },
    });
    expect(await ours(presented, { aud: 'https://bank.example', nonce: 'n-1' })).toMatchObject({ verified: true, presentation: { disclosed: ['amount'] } });
    expect(await ours(presented, { aud: 'https://bank.example', nonce: 'n-2' })).toMatchObject({ verified: false, checks: expect.arrayContaining([expect.objectContaining({ name: 'key-binding', ok: false })]) });
  });

  it('accepts what RFC 9901 tells a verifier to refuse, where ours refuses: why verification is not delegated to it', async () => {
    const { sdJwt, library, ours } = await setting();
    const parts = splitSdJwt(sdJwt);
    const at = { currentDate: Math.floor(IN_WINDOW.getTime() / 1000) };
    // The same disclosure twice.
    const repeated = joinSdJwt(parts.issuerJwt, [parts.disclosures[0]!, parts.disclosures[0]!]);
    await expect(library.verify(repeated, at)).resolves.toBeDefined();
    expect((await ours(repeated)).checks.at(-1)).toMatchObject({ name: 'disclosures', ok: false });
    // A disclosure no digest references (one of another certificate).
    const other = await setting();
    const stray = joinSdJwt(parts.issuerJwt, [splitSdJwt(other.sdJwt).disclosures[0]!]);
    await expect(library.verify(stray, at)).resolves.toBeDefined();
    expect((await ours(stray)).checks.at(-1)).toMatchObject({ name: 'disclosures', ok: false });
  });
});
