import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { signJwt, verifyCertificate } from '#shared/domain/certificate.ts';
import { buildCredential } from '#shared/domain/credential-builder.ts';
import {
  DCC_CONTEXT_DOCUMENT,
  DCC_CONTEXT_V1,
  DCC_CONTEXT_V1_BYTES,
  VOCABULARY_PATHS,
  VOCABULARY_SRI,
  vocabularyUrls,
} from '#shared/domain/credential-context.ts';
import { credentialJsonSchemaText } from '#shared/domain/credential-json-schema.ts';
import { type Credential, vocabularyLinksProblem } from '#shared/domain/schemas/credential.ts';
import { FIXTURE_NOW, FIXTURE_STATUS_LIST, fixtureIssuance, validIssueRequest } from '../../fixtures/issue-request.ts';

const sri = (text: string) => `sha384-${createHash('sha384').update(text, 'utf8').digest('base64')}`;

const built = await buildCredential(validIssueRequest(), fixtureIssuance({ status: { statusListCredential: FIXTURE_STATUS_LIST, statusListIndex: 3 } }));

/** The fixture credential (frozen). */
const credential = (): Credential => built;

/** A mutable copy of the fixture credential. */
const copy = (): Credential => JSON.parse(JSON.stringify(credential())) as Credential;

describe('the published documents of version 1', () => {
  it('keep the bytes their digests name: a change of either is a new version', () => {
    expect(sri(DCC_CONTEXT_V1_BYTES)).toBe(VOCABULARY_SRI.context);
    expect(sri(credentialJsonSchemaText())).toBe(VOCABULARY_SRI.schema);
  });

  it('the context is JSON-LD 1.1 with protected terms and leaves iat to the VC 2.0 context', () => {
    const parsed = JSON.parse(DCC_CONTEXT_V1_BYTES) as typeof DCC_CONTEXT_DOCUMENT;
    expect(parsed).toEqual(DCC_CONTEXT_DOCUMENT);
    expect(parsed['@context']['@protected']).toBe(true);
    expect(Object.keys(parsed['@context'])).not.toContain('iat');
  });

  it('the schema is draft 2020-12, closed at the top, with no deployment in it', () => {
    const schema = JSON.parse(credentialJsonSchemaText()) as Record<string, unknown>;
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['additionalProperties']).toBe(false);
    expect(schema['$id']).toBeUndefined();
    expect(credentialJsonSchemaText()).not.toContain('dcc.example.gov.cn');
  });
});

describe('vocabularyUrls', () => {
  it('places both documents under the public base URL, with or without a trailing slash', () => {
    expect(vocabularyUrls('https://api.example.cn/')).toEqual({
      context: `https://api.example.cn${VOCABULARY_PATHS.context}`,
      schema: `https://api.example.cn${VOCABULARY_PATHS.schema}`,
    });
    expect(vocabularyUrls('https://api.example.cn/dcc')).toEqual(vocabularyUrls('https://api.example.cn/dcc/'));
  });
});

describe('vocabularyLinksProblem', () => {
  it('accepts what the builder makes', () => {
    expect(vocabularyLinksProblem(credential())).toBeNull();
  });

  it('accepts a certificate of the older context with no links, and refuses one with links', () => {
    const older = copy();
    older['@context'] = [older['@context'][0], DCC_CONTEXT_V1];
    const { credentialSchema: _schema, relatedResource: _resources, ...bare } = older;
    expect(vocabularyLinksProblem(bare)).toBeNull();
    expect(vocabularyLinksProblem(older)?.path).toBe('/credentialSchema');
  });

  it('refuses a schema or a pinned document from another place than the context', () => {
    const elsewhere = copy();
    elsewhere.credentialSchema = { id: `https://evil.example${VOCABULARY_PATHS.schema}`, type: 'JsonSchema' };
    expect(vocabularyLinksProblem(elsewhere)?.path).toBe('/credentialSchema');
    const unpinned = copy();
    unpinned.relatedResource![1] = { id: `https://evil.example${VOCABULARY_PATHS.schema}`, digestSRI: VOCABULARY_SRI.schema };
    expect(vocabularyLinksProblem(unpinned)?.path).toBe('/relatedResource');
  });

  it('refuses a digest of other bytes', () => {
    const other = copy();
    other.relatedResource![0].digestSRI = sri('{"@context":{}}\n');
    expect(vocabularyLinksProblem(other)).toEqual({ path: '/relatedResource/0/digestSRI', message: 'is not the digest of version 1 of the context' });
    const schema = copy();
    schema.relatedResource![1].digestSRI = VOCABULARY_SRI.context;
    expect(vocabularyLinksProblem(schema)?.path).toBe('/relatedResource/1/digestSRI');
  });
});

describe('verifyCertificate and the vocabulary links', () => {
  const signer = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);

  it('fails the payload check of a signed certificate that pins other context bytes', async () => {
    const tampered = copy();
    tampered.relatedResource![0].digestSRI = sri('{}');
    const token = await signJwt(tampered, signer);
    const result = await verifyCertificate(token, [await signer.publicJwk()], FIXTURE_NOW);
    expect(result.status).toBe('invalid');
    expect(result.checks.find((check) => check.name === 'payload')).toMatchObject({ ok: false });
    expect(JSON.stringify(result.checks)).toContain('/relatedResource/0/digestSRI');
  });

  it('passes the same certificate with the right digests', async () => {
    const token = await signJwt(copy(), signer);
    const result = await verifyCertificate(token, [await signer.publicJwk()], new Date(FIXTURE_NOW.getTime() + 3_600_000));
    expect(result.checks.find((check) => check.name === 'payload')).toMatchObject({ ok: true });
  });
});
