import { describe, expect, it } from 'vitest';
import { newCertificateNumber } from '#shared/domain/certificate-number.ts';
import { buildCredential, newCertificateId } from '#shared/domain/credential-builder.ts';
import { zodIssuesToProblems } from '#shared/domain/problems.ts';
import { CredentialSchema } from '#shared/domain/schemas/credential.ts';
import { FIXTURE_NOW, FIXTURE_VOCABULARY, validIssueRequest } from '../../fixtures/issue-request.ts';

/** A built credential as a loose JSON value, so tests can tamper with it as an attacker would. */
type Payload = Record<string, any>;

function builtCredential() {
  const now = new Date(FIXTURE_NOW);
  const request = validIssueRequest();
  request.usage.crossBorder = { destination: 'SG', assessmentRef: 'CAC-2026-0099' };
  return buildCredential(request, {
    certificateId: newCertificateId(now),
    certificateNo: newCertificateNumber(now),
    issuer: 'https://dcc.example.gov.cn',
    exchange: { id: 'sde', name: 'Shanghai Data Exchange' },
    now,
    status: { statusListCredential: 'https://dcc.example.gov.cn/v1/status-lists/0', statusListIndex: 12 },
    vocabulary: FIXTURE_VOCABULARY,
  });
}

const built = await builtCredential();

function payload(): Payload {
  return JSON.parse(JSON.stringify(built)) as Payload;
}

function pointers(mutate: (p: Payload) => void): string[] {
  const p = payload();
  mutate(p);
  const parsed = CredentialSchema.safeParse(p);
  return parsed.success ? [] : zodIssuesToProblems(parsed.error).map((x) => x.pointer);
}

describe('CredentialSchema (untrusted payloads)', () => {
  it('accepts what the builder produces', () => {
    expect(pointers(() => undefined)).toEqual([]);
  });

  it('refuses unknown members anywhere, including JWT claims other than iat', () => {
    expect(pointers((p) => (p.exp = 1_900_000_000))).toEqual(['/exp']);
    expect(pointers((p) => (p.proof = {}))).toEqual(['/proof']);
    expect(pointers((p) => (p.credentialSubject.id = 'did:example:1'))).toEqual(['/credentialSubject/id']);
    expect(pointers((p) => (p.credentialSubject.transaction.exchange.url = 'x'))).toEqual(['/credentialSubject/transaction/exchange/url']);
    expect(pointers((p) => (p.credentialStatus.statusSize = 1))).toEqual(['/credentialStatus/statusSize']);
  });

  it('requires the exact contexts and types, in order', () => {
    expect(pointers((p) => p['@context'].reverse())).toEqual(['/@context/0', '/@context/1']);
    expect(pointers((p) => p['@context'].push('https://example.org/extra'))).toEqual(['/@context']);
    expect(pointers((p) => (p.type = ['VerifiableCredential']))).toEqual(['/type']);
    expect(pointers((p) => (p.type = 'DataComplianceCertificate'))).toEqual(['/type']);
  });

  it('requires an urn:uuid id with a UUIDv7 and a valid certificate number', () => {
    expect(pointers((p) => (p.id = p.id.replace('urn:uuid:', '')))).toEqual(['/id']);
    expect(pointers((p) => (p.id = 'urn:uuid:3b241101-e2bb-4255-8caf-4136c566a962'))).toEqual(['/id']);
    expect(pointers((p) => (p.certificateNo = p.certificateNo.slice(0, 19) + String((Number(p.certificateNo[19]) + 1) % 10)))).toEqual([
      '/certificateNo',
    ]);
  });

  it('checks the status entry: constants, decimal-string index, and an id that matches', () => {
    expect(pointers((p) => (p.credentialStatus.statusPurpose = 'suspension'))).toEqual(['/credentialStatus/statusPurpose']);
    expect(pointers((p) => (p.credentialStatus.type = 'StatusList2021Entry'))).toEqual(['/credentialStatus/type']);
    expect(pointers((p) => (p.credentialStatus.statusListIndex = 12))).toContain('/credentialStatus/statusListIndex');
    expect(pointers((p) => (p.credentialStatus.statusListIndex = '012'))).toContain('/credentialStatus/statusListIndex');
    expect(pointers((p) => (p.credentialStatus.id = 'https://dcc.example.gov.cn/v1/status-lists/0#13'))).toEqual(['/credentialStatus/id']);
    expect(pointers((p) => (p.credentialStatus.statusListCredential = 'ftp://x/0'))).toContain('/credentialStatus/statusListCredential');
  });

  it('checks the subject as strictly as the request', () => {
    expect(pointers((p) => (p.credentialSubject.provider.uscc = '91330100799655058C'))).toEqual(['/credentialSubject/provider/uscc']);
    expect(pointers((p) => (p.credentialSubject.transaction.amount.value = '1.001'))).toEqual(['/credentialSubject/transaction/amount/value']);
    expect(pointers((p) => (p.credentialSubject.usage.crossBorder.assessmentRef = null))).toEqual([
      '/credentialSubject/usage/crossBorder/assessmentRef',
    ]);
    expect(pointers((p) => p.credentialSubject.compliance.checks.push({ code: 'traceability', result: 'pass' }))).toEqual([
      '/credentialSubject/compliance/checks/4',
    ]);
    expect(pointers((p) => p.credentialSubject.usage.rights.push('process-use'))).toEqual(['/credentialSubject/usage/rights/1']);
    expect(pointers((p) => (p.credentialSubject.supersedes = 'not-an-id'))).toEqual(['/credentialSubject/supersedes']);
  });

  it('requires iat as whole seconds in a plausible range', () => {
    expect(pointers((p) => (p.iat = p.iat + 0.5))).toEqual(['/iat']);
    expect(pointers((p) => (p.iat = String(p.iat)))).toEqual(['/iat']);
    expect(pointers((p) => (p.iat = FIXTURE_NOW.getTime()))).toEqual(['/iat']);
    expect(pointers((p) => delete p.iat)).toEqual(['/iat']);
  });

  it('refuses dates that are not RFC 3339 with an offset', () => {
    expect(pointers((p) => (p.validUntil = '2027-11-30'))).toEqual(['/validUntil']);
    expect(pointers((p) => (p.credentialSubject.transaction.tradedAt = '2026-02-30T00:00:00Z'))).toEqual([
      '/credentialSubject/transaction/tradedAt',
    ]);
  });
});
