import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { builtCredentialText } from '#shared/domain/built-credentials.ts';
import { signCertificate, verifyCertificate } from '#shared/domain/certificate.ts';
import { buildCredential, canonicalRequestHash, type IssuanceContext, newCertificateId } from '#shared/domain/credential-builder.ts';
import { DCC_CONTEXT_DOCUMENT, VC_V2_TERMS_USED } from '#shared/domain/credential-context.ts';
import { MAX_TOKEN_LENGTH } from '#shared/domain/schemas/api.ts';
import { type Credential, CredentialSchema } from '#shared/domain/schemas/credential.ts';
import { IssueRequestSchema, type IssueRequest } from '#shared/domain/schemas/issue-request.ts';
import { FIXTURE_NOW, FIXTURE_STATUS_LIST, fixtureIssuance, validIssueRequest } from '../../fixtures/issue-request.ts';

const STATUS_LIST = FIXTURE_STATUS_LIST;

/** The fixtures' issuance, at position 4711 of the fixtures' list. */
function context(overrides: Partial<IssuanceContext> = {}): IssuanceContext {
  return fixtureIssuance({ status: { statusListCredential: STATUS_LIST, statusListIndex: 4711 }, ...overrides });
}

describe('newCertificateId', () => {
  it('is a lower-case UUIDv7 carrying the issue time', () => {
    const id = newCertificateId(FIXTURE_NOW);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(FIXTURE_NOW.getTime());
  });

  it('is fresh on every call and sorts by issue time', () => {
    const ids = Array.from({ length: 100 }, () => newCertificateId(FIXTURE_NOW));
    expect(new Set(ids).size).toBe(100);
    const later = newCertificateId(new Date(FIXTURE_NOW.getTime() + 1));
    for (const id of ids) expect(id < later).toBe(true);
  });

  it('refuses an invalid date', () => {
    expect(() => newCertificateId(new Date(Number.NaN))).toThrow(TypeError);
  });
});

describe('buildCredential', () => {
  it('builds a VC 2.0 credential that parses with CredentialSchema', async () => {
    const ctx = context();
    const credential = await buildCredential(validIssueRequest(), ctx);
    expect(CredentialSchema.parse(JSON.parse(JSON.stringify(credential)))).toEqual(credential);
    expect(credential['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://dcc.example.gov.cn/ns/data-compliance/v1.jsonld']);
    expect(credential.credentialSchema).toEqual({ id: 'https://dcc.example.gov.cn/ns/data-compliance/v1.schema.json', type: 'JsonSchema' });
    expect(credential.relatedResource?.map((r) => r.id)).toEqual([credential['@context'][1], credential.credentialSchema?.id]);
    expect(credential.id).toBe(`urn:uuid:${ctx.certificateId}`);
    expect(credential.type).toEqual(['VerifiableCredential', 'DataComplianceCertificate']);
    expect(credential.issuer).toBe('https://dcc.example.gov.cn');
    expect(credential.certificateNo).toBe(ctx.certificateNo);
    expect(credential.iat).toBe(Math.floor(FIXTURE_NOW.getTime() / 1000));
  });

  it('takes the validity window from the usage window', async () => {
    const request = validIssueRequest();
    const credential = await buildCredential(request, context());
    expect(credential.validFrom).toBe(request.usage.validFrom);
    expect(credential.validUntil).toBe(request.usage.validUntil);
  });

  it('takes the exchange from the context', async () => {
    const credential = await buildCredential(validIssueRequest(), context({ exchange: { id: 'hzde', name: 'Hangzhou Data Exchange' } }));
    expect(credential.credentialSubject.transaction.exchange).toEqual({ id: 'hzde', name: 'Hangzhou Data Exchange' });
  });

  it('carries every fact of the request into the subject', async () => {
    const request = validIssueRequest();
    const subject = (await buildCredential(request, context())).credentialSubject;
    expect(subject.transaction).toMatchObject({ transactionRef: request.transactionRef, tradedAt: request.tradedAt, amount: request.amount });
    expect(subject.provider).toEqual(request.provider);
    expect(subject.consumer).toEqual(request.consumer);
    expect(subject.dataProduct).toEqual(request.dataProduct);
    expect(subject.usage).toEqual({ purpose: request.usage.purpose, rights: request.usage.rights });
    expect(subject.compliance).toEqual(request.compliance);
    expect('supersedes' in subject).toBe(false);
  });

  it('adds the cross-border transfer and the superseded certificate when there are any', async () => {
    const request = validIssueRequest();
    request.usage.crossBorder = { destination: 'SG', assessmentRef: 'CAC-2026-0099' };
    request.supersedes = newCertificateId(new Date('2026-11-01T00:00:00Z'));
    const subject = (await buildCredential(request, context())).credentialSubject;
    expect(subject.usage.crossBorder).toEqual({ destination: 'SG', assessmentRef: 'CAC-2026-0099' });
    expect(subject.supersedes).toBe(`urn:uuid:${request.supersedes}`);
  });

  it('writes a Bitstring Status List entry for revocation', async () => {
    const credential = await buildCredential(validIssueRequest(), context());
    expect(credential.credentialStatus).toEqual({
      id: `${STATUS_LIST}#4711`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '4711',
      statusListCredential: STATUS_LIST,
    });
  });

  it('shares no objects with the request, so later changes to it cannot reach the certificate', async () => {
    const request = validIssueRequest();
    const credential = await buildCredential(request, context());
    request.usage.rights.push('hold');
    request.compliance.checks[0]!.result = 'fail';
    request.amount.value = '1.00';
    expect(credential.credentialSubject.usage.rights).toEqual(['process-use']);
    expect(credential.credentialSubject.compliance.checks[0]!.result).toBe('pass');
    expect(credential.credentialSubject.transaction.amount.value).toBe('120000.00');
  });

  it('keeps its JSON text as checked, so a change made afterwards never reaches the signature', async () => {
    const credential = await buildCredential(validIssueRequest(), context());
    expect(builtCredentialText(credential)).toBe(JSON.stringify(credential));
    (credential.credentialSubject.transaction.amount as { value: string }).value = '1.00';
    (credential.credentialSubject.usage.rights as string[]).push('hold');
    const text = builtCredentialText(credential);
    expect(text).not.toBe(JSON.stringify(credential));
    const signer = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    const token = await signCertificate(credential, signer);
    const signed = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as typeof credential;
    expect(signed.credentialSubject.transaction.amount.value).toBe('120000.00');
    expect(signed.credentialSubject.usage.rights).toEqual(['process-use']);
    expect(JSON.stringify(signed)).toBe(text);
    const verdict = await verifyCertificate(token, [await signer.publicJwk()], FIXTURE_NOW);
    expect(verdict.checks.find((c) => c.name === 'signature')?.ok).toBe(true);
    // A copy, however faithful, is not vouched for: it is parsed when it is signed.
    expect(builtCredentialText(structuredClone(credential))).toBeUndefined();
  });

  it('uses only terms that the VC 2.0 context or our own context define', async () => {
    const request = validIssueRequest();
    request.usage.crossBorder = { destination: 'SG', assessmentRef: 'CAC-2026-0099' };
    request.supersedes = newCertificateId(FIXTURE_NOW);
    const defined = new Set<string>([...VC_V2_TERMS_USED, ...Object.keys(DCC_CONTEXT_DOCUMENT['@context'])]);
    const used = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          used.add(k);
          walk(v);
        }
      }
    };
    walk(await buildCredential(request, context()));
    expect([...used].filter((k) => !defined.has(k))).toEqual([]);
    expect(used.size).toBeGreaterThan(40);
  });

  it('refuses to build from a bad context or a request that skipped the rules', async () => {
    await expect(buildCredential(validIssueRequest(), context({ issuer: 'not a url' }))).rejects.toThrow(TypeError);
    await expect(buildCredential(validIssueRequest(), context({ certificateNo: '20261120000000000000' }))).rejects.toThrow(/certificateNo/);
    await expect(buildCredential(validIssueRequest(), context({ certificateId: 'abc' }))).rejects.toThrow(TypeError);
    await expect(
      buildCredential(validIssueRequest(), context({ status: { statusListCredential: STATUS_LIST, statusListIndex: -1 } })),
    ).rejects.toThrow(TypeError);
    const noAssessment = validIssueRequest();
    noAssessment.usage.crossBorder = { destination: 'SG', assessmentRef: null };
    await expect(buildCredential(noAssessment, context())).rejects.toThrow(/assessmentRef/);
  });

  it('fits a certificate with every field at its limit into a token the verify endpoint accepts', async () => {
    const cjk = (n: number) => '数'.repeat(n);
    const request: IssueRequest = IssueRequestSchema.parse({
      ...validIssueRequest(),
      transactionRef: 'T'.repeat(64),
      amount: { value: `${'9'.repeat(18)}.9999`, currency: 'CLF' },
      provider: { name: cjk(200), uscc: '91330100799655058B' },
      consumer: { name: cjk(200), uscc: '91440300708461136T' },
      dataProduct: { ...validIssueRequest().dataProduct, id: cjk(128), name: cjk(200), version: cjk(128), deliveryMethod: 'privacy-computing' },
      usage: {
        ...validIssueRequest().usage,
        purpose: cjk(500),
        rights: ['hold', 'process-use', 'operate'],
        validFrom: '2026-12-01T00:00:00.123456789+08:00',
        validUntil: '2027-11-30T23:59:59.123456789+08:00',
        crossBorder: { destination: 'SG', assessmentRef: cjk(128) },
      },
      compliance: {
        ...validIssueRequest().compliance,
        assessor: { name: cjk(200), uscc: '12330000MB0P047175' },
        reportRef: cjk(128),
        assessedAt: '2026-11-18T10:00:00.123456789+08:00',
        checks: ['source-legality', 'usage-scope', 'traceability', 'risk-control', 'pi-separate-consent', 'cross-border-security-assessment'].map((code) => ({ code, result: 'pass' })),
      },
      supersedes: newCertificateId(FIXTURE_NOW),
    });
    const longUrl = `https://dcc.example.gov.cn/${'p'.repeat(2000)}`;
    const credential: Credential = await buildCredential(request, {
      ...context(),
      issuer: longUrl,
      exchange: { id: cjk(128), name: cjk(200) },
      status: { statusListCredential: longUrl, statusListIndex: 2 ** 31 - 1 },
    });
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
    const header = b64(JSON.stringify({ alg: 'ES256', typ: 'vc+jwt', kid: 'k'.repeat(43) }));
    const token = `${header}.${b64(JSON.stringify(credential))}.${'s'.repeat(86)}`;
    expect(token.length).toBeLessThan(MAX_TOKEN_LENGTH);
    expect(token.length).toBeGreaterThan(MAX_TOKEN_LENGTH / 2);
  });
});

describe('canonicalRequestHash', () => {
  it('is the SHA-256 of the RFC 8785 form of the request', () => {
    // Written out by hand: members sorted at every level, no whitespace.
    const canonical =
      '{"amount":{"currency":"CNY","value":"120000.00"},' +
      '"compliance":{"assessedAt":"2026-11-18T10:00:00Z","assessor":{"name":"Zhejiang Data Compliance Center","uscc":"12330000MB0P047175"},' +
      '"checks":[{"code":"source-legality","result":"pass"},{"code":"usage-scope","result":"pass"},{"code":"traceability","result":"pass"},{"code":"risk-control","result":"pass"}],' +
      '"reportDigest":{"alg":"sha-256","value":"97cbfebd24439f104f64dfeb79b34c722a373b74ff01bd135454c2cdd9a10a42"},"reportRef":"CA-2026-0456"},' +
      '"consumer":{"name":"Tencent Technology (Shenzhen) Co., Ltd.","uscc":"91440300708461136T"},' +
      '"dataProduct":{"classification":"general","deliveryMethod":"api","digest":{"alg":"sha-256","value":"7929612117791959e03f247f20c00c45c7d092aed54dadd2b323bb12763ab0ff"},"id":"DP-7781","name":"Merchant credit features","personalInformation":"none","version":"2026.3"},' +
      '"provider":{"name":"Alibaba (China) Co., Ltd.","uscc":"91330100799655058B"},' +
      '"supersedes":null,"tradedAt":"2026-11-20T08:30:00Z","transactionRef":"SDE-2026-000123",' +
      '"usage":{"crossBorder":null,"purpose":"credit risk modelling","rights":["process-use"],"validFrom":"2026-12-01T00:00:00Z","validUntil":"2027-11-30T23:59:59Z"}}';
    expect(canonicalRequestHash(validIssueRequest())).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('does not depend on member order or on how "none" was spelled', () => {
    const request = validIssueRequest();
    const reordered = JSON.parse(JSON.stringify(request), (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    ) as Record<string, unknown>;
    delete reordered.supersedes;
    expect(canonicalRequestHash(IssueRequestSchema.parse(reordered))).toBe(canonicalRequestHash(request));
  });

  it('changes with any fact of the request, including the order of checks', () => {
    const base = canonicalRequestHash(validIssueRequest());
    const changed = [
      (r: IssueRequest) => (r.amount.value = '120000.0'),
      (r: IssueRequest) => (r.tradedAt = '2026-11-20T16:30:00+08:00'),
      (r: IssueRequest) => r.compliance.checks.reverse(),
      (r: IssueRequest) => (r.usage.purpose += '.'),
    ];
    for (const mutate of changed) {
      const r = validIssueRequest();
      mutate(r);
      expect(canonicalRequestHash(r)).not.toBe(base);
    }
  });
});
