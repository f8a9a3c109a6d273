import { compactVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { StoredCertificate } from '#shared/domain/records.ts';
import type { CertificateSigner } from '#shared/domain/signer.ts';
import { decodeStatusList, isRevoked, STATUS_LIST_SIZE } from '#shared/domain/status-list.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { StatusListPublisher } from '#shared/services/status-list.ts';
import { FIXTURE_NOW, validIssueRequest } from '../../fixtures/issue-request.ts';
import { TEST_EXCHANGE, TEST_ISSUER, certificateServices, testStatusListUrl } from '../../support/certificate-services.ts';

/**
 * The status list publisher on the in-memory store with a real P-256 key: the credential it
 * serves is decoded and its bits read with the domain's own codec.
 */

const now = new Date('2026-12-02T10:00:00.000Z');

/** Issues `count` certificates (fresh transactions) and returns them as stored. */
async function issueMany(services: ReturnType<typeof certificateServices>, count: number): Promise<StoredCertificate[]> {
  const out: StoredCertificate[] = [];
  for (let i = 0; i < count; i++) {
    const request = { ...validIssueRequest(), transactionRef: `SDE-2026-${String(i).padStart(6, '0')}` };
    const { record } = await issueCertificate(services.issueDeps, TEST_EXCHANGE, request, new Date(FIXTURE_NOW));
    out.push((await services.stores.certificates.get(record.id)) as StoredCertificate);
  }
  return out;
}

function publisherOn(services: ReturnType<typeof certificateServices>, ttlSeconds = 300, signer: CertificateSigner = services.signer) {
  return new StatusListPublisher({
    store: services.stores.statusLists,
    signer,
    issuer: TEST_ISSUER,
    statusListUrl: testStatusListUrl,
    ttlSeconds,
  });
}

/** The verified header and payload of a served list, and its bitstring. */
async function open(jwt: string, signer: CertificateSigner) {
  const { payload, protectedHeader } = await compactVerify(jwt, await signer.publicJwk(), { algorithms: ['ES256'] });
  const credential = JSON.parse(Buffer.from(payload).toString('utf8'));
  return { header: protectedHeader, credential, bits: decodeStatusList(credential.credentialSubject.encodedList) };
}

const revoke = (services: ReturnType<typeof certificateServices>, c: StoredCertificate) =>
  services.stores.certificates.revoke({ certificateId: c.id, reason: 'data-breach', comment: null, revokedAt: now.toISOString(), actor: 'admin-1' });

describe('StatusListPublisher', () => {
  it('serves a signed BitstringStatusListCredential of the list, every bit clear before any revocation', async () => {
    const services = certificateServices();
    const [c] = await issueMany(services, 1);
    const served = await publisherOn(services).get('0', now);
    expect(served).not.toBeNull();
    const { header, credential, bits } = await open(served?.jwt as string, services.signer);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'vc+jwt' });
    expect(credential).toMatchObject({
      id: testStatusListUrl('0'),
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: TEST_ISSUER,
      validFrom: now.toISOString(),
      credentialSubject: { id: `${testStatusListUrl('0')}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation' },
    });
    expect(bits.length * 8).toBe(STATUS_LIST_SIZE);
    expect(isRevoked(bits, c?.statusList.index as number)).toBe(false);
  });

  it('reflects a revocation on the very next request', async () => {
    const services = certificateServices();
    const [a, b, c] = await issueMany(services, 3);
    const publisher = publisherOn(services);
    await publisher.get('0', now);
    await revoke(services, b as StoredCertificate);

    const { bits } = await open((await publisher.get('0', now))?.jwt as string, services.signer);
    expect(isRevoked(bits, (b as StoredCertificate).statusList.index)).toBe(true);
    expect(isRevoked(bits, (a as StoredCertificate).statusList.index)).toBe(false);
    expect(isRevoked(bits, (c as StoredCertificate).statusList.index)).toBe(false);
  });

  it('signs only when the list has changed', async () => {
    const services = certificateServices();
    const [a, b] = await issueMany(services, 2);
    const publisher = publisherOn(services);
    const signedForIssues = services.signer.signatures;

    const first = await publisher.get('0', now);
    const second = await publisher.get('0', new Date(now.getTime() + 60_000));
    expect(services.signer.signatures - signedForIssues).toBe(1);
    expect(second?.jwt).toBe(first?.jwt);

    await revoke(services, a as StoredCertificate);
    const third = await publisher.get('0', now);
    await publisher.get('0', now);
    expect(services.signer.signatures - signedForIssues).toBe(2);
    expect(third?.jwt).not.toBe(first?.jwt);

    await revoke(services, b as StoredCertificate);
    await publisher.get('0', now);
    expect(services.signer.signatures - signedForIssues).toBe(3);
  });

  it('keeps each list apart: a revocation in one list signs only that list again', async () => {
    // Lists of two entries: the third certificate opens list 1.
    const services = certificateServices({ statusListSize: 2 });
    const [, , inSecond] = await issueMany(services, 3);
    expect(inSecond?.statusList).toEqual({ listId: '1', index: 0 });
    const publisher = publisherOn(services);
    await publisher.get('0', now);
    await publisher.get('1', now);
    const before = services.signer.signatures;

    await revoke(services, inSecond as StoredCertificate);
    const list0 = await publisher.get('0', now);
    const list1 = await publisher.get('1', now);
    expect(services.signer.signatures - before).toBe(1);
    expect(isRevoked((await open(list1?.jwt as string, services.signer)).bits, 0)).toBe(true);
    expect((await open(list0?.jwt as string, services.signer)).credential.id).toBe(testStatusListUrl('0'));
    expect(isRevoked((await open(list0?.jwt as string, services.signer)).bits, 0)).toBe(false);
  });

  it('never lets a cache keep the list longer than its ttl', async () => {
    for (const ttlSeconds of [0, 1, 300, 86_400]) {
      const services = certificateServices();
      await issueMany(services, 1);
      const served = await publisherOn(services, ttlSeconds).get('0', now);
      const { credential } = await open(served?.jwt as string, services.signer);
      expect(credential.credentialSubject.ttl).toBe(ttlSeconds * 1000);
      expect((served?.maxAgeSeconds as number) * 1000).toBeLessThanOrEqual(credential.credentialSubject.ttl);
    }
  });

  it('answers null for a list no certificate was ever placed in, without signing', async () => {
    const services = certificateServices();
    await issueMany(services, 1);
    const publisher = publisherOn(services);
    const before = services.signer.signatures;
    for (const listId of ['1', '01', '999999999', 'x', '']) expect(await publisher.get(listId, now)).toBeNull();
    expect(services.signer.signatures).toBe(before);
  });

  it('does not keep a failed signature: the next request signs again', async () => {
    const services = certificateServices();
    await issueMany(services, 1);
    let failures = 1;
    const flaky: CertificateSigner = {
      sign: (input) => (failures-- > 0 ? Promise.reject(new Error('KMS throttled')) : services.signer.sign(input)),
      publicJwk: () => services.signer.publicJwk(),
    };
    const publisher = publisherOn(services, 300, flaky);
    await expect(publisher.get('0', now)).rejects.toThrow('KMS throttled');
    const served = await publisher.get('0', now);
    expect((await open(served?.jwt as string, services.signer)).credential.id).toBe(testStatusListUrl('0'));
  });
});
