import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { issueSdJwt } from '#shared/services/issue-sd-jwt.ts';
import { revokeCertificate } from '#shared/services/revoke-certificate.ts';
import { FIXTURE_NOW, validIssueRequest } from '../../fixtures/issue-request.ts';
import { TEST_EXCHANGE, certificateServices } from '../../support/certificate-services.ts';

/** Issuing the selectively disclosable form on request: who may, what it costs, and that it never changes. */

const OTHER_EXCHANGE = { ...TEST_EXCHANGE, id: 'sh-data-exchange', name: 'Shanghai Data Exchange', clientIds: ['sh-client'] };
const holderJwk = () => {
  const { kty, crv, x, y } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  return { kty, crv, x, y };
};

async function setting() {
  const services = certificateServices();
  const { record } = await issueCertificate(services.issueDeps, TEST_EXCHANGE, validIssueRequest(), FIXTURE_NOW);
  let signerAsked = 0;
  const deps = {
    store: services.stores.certificates,
    sdJwts: services.stores.sdJwts,
    signer: async () => {
      signerAsked += 1;
      return services.signer;
    },
  };
  const signaturesBefore = services.signer.signatures;
  return { ...services, record, deps, signatures: () => services.signer.signatures - signaturesBefore, signerAsked: () => signerAsked };
}

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return 'none';
};

describe('issueSdJwt', () => {
  it('signs once, stores once, and answers every later request with the same bytes and no signature', async () => {
    const { deps, record, signatures, stores } = await setting();
    const first = await issueSdJwt(deps, TEST_EXCHANGE, record.id, undefined, FIXTURE_NOW);
    expect(first.created).toBe(true);
    expect(first.sdJwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+(~[\w-]+){5}~$/);
    expect(signatures()).toBe(1);
    const again = await issueSdJwt(deps, TEST_EXCHANGE, record.id, undefined, FIXTURE_NOW);
    expect(again).toEqual({ created: false, sdJwt: first.sdJwt });
    expect(signatures()).toBe(1);
    expect(stores.sdJwts.writes).toBe(1);
  });

  it('issues one form per holder key, each once; the same key twice is the same form', async () => {
    const { deps, record, signatures } = await setting();
    const provider = holderJwk();
    const consumer = holderJwk();
    const a = await issueSdJwt(deps, TEST_EXCHANGE, record.id, provider, FIXTURE_NOW);
    const b = await issueSdJwt(deps, TEST_EXCHANGE, record.id, consumer, FIXTURE_NOW);
    expect(a.sdJwt).not.toBe(b.sdJwt);
    expect(await issueSdJwt(deps, TEST_EXCHANGE, record.id, { ...provider, kid: 'mine' }, FIXTURE_NOW)).toEqual({ created: false, sdJwt: a.sdJwt });
    expect(signatures()).toBe(2);
  });

  it('answers another exchange as for a certificate that does not exist, signing and writing nothing', async () => {
    const { deps, record, signatures, stores, signerAsked } = await setting();
    expect(await codeOf(issueSdJwt(deps, OTHER_EXCHANGE, record.id, undefined, FIXTURE_NOW))).toBe('certificate-not-found');
    expect(await codeOf(issueSdJwt(deps, TEST_EXCHANGE, '01890a5d-ac96-774b-bcce-b302099a8057', undefined, FIXTURE_NOW))).toBe('certificate-not-found');
    expect([signatures(), stores.sdJwts.writes, signerAsked()]).toEqual([0, 0, 0]);
  });

  it('signs no new form of a revoked certificate, and still returns one issued before', async () => {
    const { deps, record, stores } = await setting();
    const before = await issueSdJwt(deps, TEST_EXCHANGE, record.id, undefined, FIXTURE_NOW);
    await revokeCertificate(stores.certificates, { certificateId: record.id, reason: 'issued-in-error', comment: null, actor: 'admin' }, FIXTURE_NOW);
    expect(await issueSdJwt(deps, TEST_EXCHANGE, record.id, undefined, FIXTURE_NOW)).toEqual({ created: false, sdJwt: before.sdJwt });
    expect(await codeOf(issueSdJwt(deps, TEST_EXCHANGE, record.id, holderJwk(), FIXTURE_NOW))).toBe('already-revoked');
  });

  it('refuses a holder key that is not a public P-256 point', async () => {
    const { deps, record } = await setting();
    const { x } = holderJwk();
    expect(await codeOf(issueSdJwt(deps, TEST_EXCHANGE, record.id, { kty: 'EC', crv: 'P-256', x, y: x }, FIXTURE_NOW))).toBe('validation-failed');
    const priv = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    expect(await codeOf(issueSdJwt(deps, TEST_EXCHANGE, record.id, priv, FIXTURE_NOW))).toBe('validation-failed');
  });
});
