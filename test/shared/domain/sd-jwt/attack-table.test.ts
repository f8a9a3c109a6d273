import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VC_SD_JWT_TYPE, signJwt } from '#shared/domain/certificate.ts';
import { decodeBase64urlStrict, encodeBase64url } from '#shared/crypto/portable-bytes.ts';
import { parseJsonStrict } from '#shared/crypto/strict-json.ts';
import { presentCertificate, verifyCertificatePresentation } from '#shared/domain/sd-jwt/certificate-sd-jwt.ts';
import {
  type HolderPrivateJwk,
  createKbJwt,
  decodeDisclosure,
  joinSdJwt,
  objectDisclosure,
  sha256Base64url,
  splitSdJwt,
} from '#shared/domain/sd-jwt/sd-jwt.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { issueSdJwt } from '#shared/services/issue-sd-jwt.ts';
import { revokeCertificate } from '#shared/services/revoke-certificate.ts';
import { issuerJwtVerifier } from '#shared/domain/sd-jwt/issuer-jwt-verifier.ts';
import { verifyPresentedToken } from '#shared/services/verify-certificate.ts';
import { FIXTURE_NOW, validIssueRequest } from '../../../fixtures/issue-request.ts';
import { TEST_EXCHANGE, certificateServices } from '../../../support/certificate-services.ts';

/**
 * The attack table of selectively disclosable certificates: each row a presentation (or an
 * issuer-signed form, made with the issuer's own key to stand for a faulty or hostile issuer
 * build) that must be refused, and the check that refuses it. Every row is run through the
 * service's verifier; the offline rows also through the domain verifier the CLI and page share.
 */

const IN_WINDOW = new Date('2027-03-01T00:00:00Z');
const AUD = 'https://bank.example/loans';
const NONCE = 'n-7f3a9c';

function holderKey(): HolderPrivateJwk {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, d: jwk.d! };
}
const publicOf = ({ kty, crv, x, y }: HolderPrivateJwk) => ({ kty, crv, x, y });

/** A certificate, its unbound SD-JWT and one bound to `holder`, and verifiers over the same stores. */
async function setting() {
  const services = certificateServices();
  const { record } = await issueCertificate(services.issueDeps, TEST_EXCHANGE, validIssueRequest(), FIXTURE_NOW);
  const sdDeps = { store: services.stores.certificates, sdJwts: services.stores.sdJwts, signer: async () => services.signer };
  const { sdJwt } = await issueSdJwt(sdDeps, TEST_EXCHANGE, record.id, undefined, FIXTURE_NOW);
  const holder = holderKey();
  const bound = (await issueSdJwt(sdDeps, TEST_EXCHANGE, record.id, publicOf(holder), FIXTURE_NOW)).sdJwt;
  const keys = [await services.signer.publicJwk()];
  const deps = { store: services.stores.certificates, sdJwts: services.stores.sdJwts, keys: async () => keys, clockSkewSeconds: 300 };
  const offline = (text: string, keyBinding?: { aud: string; nonce: string }) =>
    verifyCertificatePresentation(text, issuerJwtVerifier(keys), IN_WINDOW, { clockSkewSeconds: 300, ...(keyBinding ? { keyBinding } : {}) });
  const online = (text: string, keyBinding?: { aud: string; nonce: string }) =>
    verifyPresentedToken(deps, text, IN_WINDOW, keyBinding ? { keyBinding } : {});
  /** Signs `payload` as the issuer would, for rows that stand for a faulty issuer. */
  const issuerSigns = async (payload: object, disclosures: string[]) => joinSdJwt(await signJwt(payload, services.signer, VC_SD_JWT_TYPE), disclosures);
  return { services, record, sdJwt, bound, holder, offline, online, issuerSigns, sdDeps };
}

const payloadOf = (text: string) => parseJsonStrict(decodeBase64urlStrict(splitSdJwt(text).issuerJwt.split('.')[1]!), 'p') as Record<string, any>;
const failedCheck = (result: { checks: { name: string; ok: boolean; detail?: string }[] }) => result.checks.find((c) => !c.ok);
const enc = (value: unknown) => encodeBase64url(new TextEncoder().encode(JSON.stringify(value)));

describe('presentations that verify', () => {
  it('a minimal presentation: every always-visible claim, nothing else; the five disclosable claims reported hidden', async () => {
    const { sdJwt, offline, online, record } = await setting();
    const minimal = await presentCertificate(sdJwt, { disclose: [] });
    expect(minimal).toBe(`${splitSdJwt(sdJwt).issuerJwt}~`);
    for (const result of [await offline(minimal), await online(minimal)]) {
      expect(result).toMatchObject({ verified: true, status: 'active' });
    }
    const { presentation } = await online(minimal);
    expect(presentation).toMatchObject({ disclosed: [], hidden: ['amount', 'provider', 'consumer', 'dataProduct', 'purpose'], holderBound: false });
    const claims = presentation!.claims;
    expect(claims.certificateNo).toBe(record.certificateNo);
    expect(claims.credentialSubject.transaction.exchange.id).toBe(TEST_EXCHANGE.id);
    expect(claims.credentialSubject.compliance.checks.length).toBeGreaterThan(0);
    expect(claims.credentialStatus.statusListIndex).toBe(String(record.statusListIndex));
    expect(claims.credentialSubject.transaction.amount).toBeUndefined();
    expect(claims.credentialSubject.provider).toBeUndefined();
    expect(claims.credentialSubject.usage.purpose).toBeUndefined();
  });

  it('a chosen disclosure shows exactly the chosen claims, with the certificate\'s values', async () => {
    const { sdJwt, online } = await setting();
    const request = validIssueRequest();
    const result = await online(await presentCertificate(sdJwt, { disclose: ['amount', 'provider'] }));
    expect(result).toMatchObject({ verified: true, presentation: { disclosed: ['amount', 'provider'], hidden: ['consumer', 'dataProduct', 'purpose'] } });
    expect(result.presentation!.claims.credentialSubject.transaction.amount).toEqual(request.amount);
    expect(result.presentation!.claims.credentialSubject.provider).toEqual(request.provider);
  });

  it('a holder-bound presentation with its Key Binding JWT for the expected audience and nonce', async () => {
    const { bound, holder, online, offline } = await setting();
    const presented = await presentCertificate(bound, { disclose: ['amount'], keyBinding: { privateJwk: holder, aud: AUD, nonce: NONCE, iat: IN_WINDOW } });
    expect(await offline(presented, { aud: AUD, nonce: NONCE })).toMatchObject({ verified: true });
    const result = await online(presented, { aud: AUD, nonce: NONCE });
    expect(result).toMatchObject({ verified: true, presentation: { holderBound: true, disclosed: ['amount'] } });
    expect(result.checks.map((c) => c.name)).toContain('key-binding');
  });
});

describe('attack table', () => {
  it('1. a changed salt: the disclosure\'s digest is no longer one the issuer signed', async () => {
    const { sdJwt, offline, online } = await setting();
    const amount = await decodeDisclosure(splitSdJwt(sdJwt).disclosures[0]!);
    const resalted = await objectDisclosure(amount.name!, amount.value, 'AAAAAAAAAAAAAAAAAAAAAA');
    const forged = joinSdJwt(splitSdJwt(sdJwt).issuerJwt, [resalted.encoded]);
    for (const result of [await offline(forged), await online(forged)]) {
      expect(failedCheck(result)).toMatchObject({ name: 'disclosures', detail: expect.stringMatching(/not referenced/) });
    }
  });

  it('2. a changed value: the amount made smaller under the original salt', async () => {
    const { sdJwt, online } = await setting();
    const amount = await decodeDisclosure(splitSdJwt(sdJwt).disclosures[0]!);
    const lowered = await objectDisclosure('amount', { ...(amount.value as object), value: '1.00' }, amount.salt);
    const result = await online(joinSdJwt(splitSdJwt(sdJwt).issuerJwt, [lowered.encoded]));
    expect(failedCheck(result)).toMatchObject({ name: 'disclosures', detail: expect.stringMatching(/not referenced/) });
  });

  it('3. a disclosure whose digest is not referenced: one taken from another certificate\'s form', async () => {
    const a = await setting();
    const b = await setting();
    const borrowed = joinSdJwt(splitSdJwt(a.sdJwt).issuerJwt, [splitSdJwt(b.sdJwt).disclosures[1]!]);
    expect(failedCheck(await a.online(borrowed))).toMatchObject({ name: 'disclosures', detail: expect.stringMatching(/not referenced/) });
  });

  it('4. a digest referenced twice: by the holder (a disclosure repeated) and in a signed payload', async () => {
    const { sdJwt, online, offline, issuerSigns } = await setting();
    const parts = splitSdJwt(sdJwt);
    const repeated = joinSdJwt(parts.issuerJwt, [parts.disclosures[0]!, parts.disclosures[0]!]);
    expect(failedCheck(await online(repeated))).toMatchObject({ name: 'disclosures', detail: expect.stringMatching(/twice/) });
    const payload = payloadOf(sdJwt);
    payload.credentialSubject.usage._sd = [...payload.credentialSubject.transaction._sd];
    const signed = await issuerSigns(payload, [parts.disclosures[0]!]);
    expect(failedCheck(await offline(signed))).toMatchObject({ name: 'disclosures', detail: expect.stringMatching(/more than once/) });
  });

  it('5. a disclosure of an always-visible claim: added by the holder, or signed by the issuer in place of the plain claim', async () => {
    const { sdJwt, online, offline, issuerSigns, record } = await setting();
    const parts = splitSdJwt(sdJwt);
    const number = await objectDisclosure('certificateNo', record.certificateNo);
    expect(failedCheck(await online(joinSdJwt(parts.issuerJwt, [number.encoded])))).toMatchObject({ name: 'disclosures' });

    // The exchange hidden behind a digest: refused before any disclosure is looked at.
    const payload = payloadOf(sdJwt);
    const exchange = await objectDisclosure('exchange', payload.credentialSubject.transaction.exchange);
    delete payload.credentialSubject.transaction.exchange;
    payload.credentialSubject.transaction._sd = [...payload.credentialSubject.transaction._sd, exchange.digest].sort();
    const hidden = await issuerSigns(payload, [exchange.encoded]);
    expect(failedCheck(await offline(hidden))).toMatchObject({ name: 'payload', detail: expect.stringMatching(/exchange/) });

    // A disclosure of an always-visible claim that is also in plain sight.
    const again = payloadOf(sdJwt);
    const ref = await objectDisclosure('transactionRef', 'OTHER-REF');
    again.credentialSubject.transaction._sd = [ref.digest];
    expect(failedCheck(await offline(await issuerSigns(again, [ref.encoded])))).toMatchObject({
      name: 'disclosures',
      detail: expect.stringMatching(/already a member/),
    });
  });

  it('6. an array-element disclosure in an object position', async () => {
    const { sdJwt, offline, issuerSigns } = await setting();
    const payload = payloadOf(sdJwt);
    const element = enc(['c2FsdHNhbHRzYWx0', { value: '1.00', currency: 'CNY' }]);
    payload.credentialSubject.transaction._sd = [await sha256Base64url(element)];
    const signed = await issuerSigns(payload, [element]);
    expect(failedCheck(await offline(signed))).toMatchObject({ name: 'disclosures', detail: expect.stringMatching(/array-element/) });
  });

  it('7. _sd reordered or padded by the holder: the issuer\'s signature no longer holds', async () => {
    const { sdJwt, online } = await setting();
    const parts = splitSdJwt(sdJwt);
    const [header, , signature] = parts.issuerJwt.split('.');
    const reordered = payloadOf(sdJwt);
    reordered.credentialSubject._sd.reverse();
    const padded = payloadOf(sdJwt);
    padded.credentialSubject._sd = [...padded.credentialSubject._sd, await sha256Base64url('decoy')].sort();
    for (const payload of [reordered, padded]) {
      const forged = joinSdJwt(`${header}.${enc(payload)}.${signature}`, parts.disclosures);
      expect(failedCheck(await online(forged))).toMatchObject({ name: 'signature' });
    }
  });

  it('7b. _sd unsorted or padded with decoys even under the issuer\'s signature: not the shape we issue', async () => {
    const { sdJwt, offline, issuerSigns } = await setting();
    const unsorted = payloadOf(sdJwt);
    unsorted.credentialSubject._sd = [...unsorted.credentialSubject._sd].sort().reverse();
    expect(failedCheck(await offline(await issuerSigns(unsorted, [])))).toMatchObject({ name: 'payload', detail: expect.stringMatching(/ascending/) });
    const padded = payloadOf(sdJwt);
    padded.credentialSubject._sd = [...padded.credentialSubject._sd, await sha256Base64url('decoy')].sort();
    expect(failedCheck(await offline(await issuerSigns(padded, [])))).toMatchObject({ name: 'payload', detail: expect.stringMatching(/exactly 3/) });
  });

  it('8. _sd_alg other than sha-256, signed by the issuer', async () => {
    const { sdJwt, offline, issuerSigns } = await setting();
    for (const alg of ['sha-512', 'SHA-256', undefined]) {
      const payload = payloadOf(sdJwt);
      if (alg === undefined) delete payload._sd_alg;
      else payload._sd_alg = alg;
      expect(failedCheck(await offline(await issuerSigns(payload, [])))).toMatchObject({ name: 'payload', detail: expect.stringMatching(/_sd_alg/) });
    }
  });

  describe('9. key binding', () => {
    async function boundPresentation(overrides: { aud?: string; nonce?: string; iat?: Date } = {}, disclose: ('amount' | 'provider')[] = ['amount']) {
      const s = await setting();
      const presented = await presentCertificate(s.bound, {
        disclose,
        keyBinding: { privateJwk: s.holder, aud: overrides.aud ?? AUD, nonce: overrides.nonce ?? NONCE, iat: overrides.iat ?? IN_WINDOW },
      });
      return { ...s, presented };
    }

    it('wrong aud', async () => {
      const { presented, online } = await boundPresentation({ aud: 'https://other.example' });
      expect(failedCheck(await online(presented, { aud: AUD, nonce: NONCE }))).toMatchObject({ name: 'key-binding', detail: expect.stringMatching(/meant for/) });
    });

    it('wrong nonce', async () => {
      const { presented, online } = await boundPresentation({ nonce: 'old-nonce' });
      expect(failedCheck(await online(presented, { aud: AUD, nonce: NONCE }))).toMatchObject({ name: 'key-binding', detail: expect.stringMatching(/nonce/) });
    });

    it('stale iat (ten minutes old) and an iat in the future', async () => {
      const stale = await boundPresentation({ iat: new Date(IN_WINDOW.getTime() - 600_000 - 301_000) });
      expect(failedCheck(await stale.online(stale.presented, { aud: AUD, nonce: NONCE }))).toMatchObject({ name: 'key-binding', detail: expect.stringMatching(/older than/) });
      const future = await boundPresentation({ iat: new Date(IN_WINDOW.getTime() + 3_600_000) });
      expect(failedCheck(await future.online(future.presented, { aud: AUD, nonce: NONCE }))).toMatchObject({ name: 'key-binding', detail: expect.stringMatching(/future/) });
    });

    it('the sd_hash of another presentation: a KB-JWT moved onto a presentation with more disclosures', async () => {
      const s = await boundPresentation({}, ['amount']);
      const kbJwt = splitSdJwt(s.presented).kbJwt!;
      const more = await presentCertificate(s.bound, { disclose: ['amount', 'provider'], keyBinding: { privateJwk: s.holder, aud: AUD, nonce: NONCE, iat: IN_WINDOW } });
      const moved = `${splitSdJwt(more).hashedPart}${kbJwt}`;
      expect(failedCheck(await s.online(moved, { aud: AUD, nonce: NONCE }))).toMatchObject({ name: 'key-binding', detail: expect.stringMatching(/sd_hash/) });
    });

    it('no KB-JWT, a KB-JWT by another key, a KB-JWT on an unbound form, no expected aud/nonce', async () => {
      const s = await boundPresentation();
      const bare = splitSdJwt(s.presented).hashedPart;
      expect(failedCheck(await s.online(bare, { aud: AUD, nonce: NONCE }))).toMatchObject({ name: 'key-binding', detail: expect.stringMatching(/no Key Binding JWT/) });
      const stranger = await createKbJwt(bare, { privateJwk: holderKey(), aud: AUD, nonce: NONCE, iat: IN_WINDOW });
      expect(failedCheck(await s.online(`${bare}${stranger}`, { aud: AUD, nonce: NONCE }))).toMatchObject({ name: 'key-binding', detail: expect.stringMatching(/not signed by the holder key/) });
      const unbound = `${splitSdJwt(s.sdJwt).issuerJwt}~`;
      const onUnbound = await createKbJwt(unbound, { privateJwk: s.holder, aud: AUD, nonce: NONCE, iat: IN_WINDOW });
      expect(failedCheck(await s.online(`${unbound}${onUnbound}`, { aud: AUD, nonce: NONCE }))).toMatchObject({ name: 'key-binding', detail: expect.stringMatching(/names no holder key/) });
      expect(failedCheck(await s.online(s.presented))).toMatchObject({ name: 'key-binding', detail: expect.stringMatching(/audience and nonce/) });
    });
  });

  it('10. a presentation of a revoked certificate, of either form, is revoked', async () => {
    const { sdJwt, bound, holder, online, services, record } = await setting();
    const minimal = await presentCertificate(sdJwt, { disclose: [] });
    const boundPresentation = await presentCertificate(bound, { disclose: [], keyBinding: { privateJwk: holder, aud: AUD, nonce: NONCE, iat: IN_WINDOW } });
    await revokeCertificate(services.stores.certificates, { certificateId: record.id, reason: 'data-breach', comment: null, actor: 'admin' }, IN_WINDOW);
    expect(await online(minimal)).toMatchObject({ verified: false, status: 'revoked', revocation: { reason: 'data-breach' } });
    expect(await online(boundPresentation, { aud: AUD, nonce: NONCE })).toMatchObject({ verified: false, status: 'revoked' });
  });

  it('11. a genuine form the service did not issue for that certificate and holder is not on record', async () => {
    const { sdJwt, online, issuerSigns } = await setting();
    const again = await issuerSigns(payloadOf(sdJwt), []);
    const result = await online(again);
    expect(result.checks.find((c) => c.name === 'disclosures')).toMatchObject({ ok: true });
    expect(failedCheck(result)).toMatchObject({ name: 'registered' });
  });
});
