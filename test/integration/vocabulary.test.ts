import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contexts as w3cContexts } from '@digitalbazaar/credentials-context';
import { decodeList, getCredentialStatus, statusTypeMatches } from '@digitalbazaar/vc-bitstring-status-list';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { decodeJwt } from 'jose';
import jsonld from 'jsonld';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { VC_V2_CONTEXT, VOCABULARY_PATHS, VOCABULARY_SRI } from '#shared/domain/credential-context.ts';
import type { Credential } from '#shared/domain/schemas/credential.ts';
import { decodeStatusList, isRevoked } from '#shared/domain/status-list.ts';
import { issueThroughService } from '../support/local-issue.ts';

/**
 * The certificate's vocabulary as tools we did not write read it, against a running local
 * service: Digital Bazaar's `jsonld` expands a real certificate in safe mode, loading only the
 * VC 2.0 context and the context the service serves; `ajv` validates it against the JSON Schema
 * the service serves; `@digitalbazaar/vc-bitstring-status-list` reads the same status bits as
 * our own decoder, for an active and a revoked certificate.
 */

let dir: string;
let service: LocalService;
let active: Credential;
let revoked: Credential;
let statusListToken: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-vocabulary-'));
  service = await startLocalService({ dataDir: dir, port: 0, log: { info: () => undefined, error: () => undefined }, accessLog: false });
  const exchange = await service.devClients.token({ role: 'exchange' });
  const admin = await service.devClients.token({ role: 'admin' });
  const first = await issueThroughService(service, 'VOCABULARY-ACTIVE', exchange);
  const second = await issueThroughService(service, 'VOCABULARY-REVOKED', exchange);
  const revocation = await fetch(`${service.url}/v1/certificates/${second.id}/revoke`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'compliance-violation' }),
  });
  expect(revocation.status).toBe(200);
  active = decodeJwt(first.token) as unknown as Credential;
  revoked = decodeJwt(second.token) as unknown as Credential;
  const list = await fetch(revoked.credentialStatus.statusListCredential);
  expect(list.status).toBe(200);
  statusListToken = (await list.text()).trim();
}, 180_000);

afterAll(async () => {
  await service?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sri = (bytes: Buffer) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

describe('the vocabulary the service publishes', () => {
  it('every new certificate names the served context and schema, and pins both by digest', () => {
    const context = `${service.url}${VOCABULARY_PATHS.context}`;
    const schema = `${service.url}${VOCABULARY_PATHS.schema}`;
    expect(active['@context']).toEqual([VC_V2_CONTEXT, context]);
    expect(active.credentialSchema).toEqual({ id: schema, type: 'JsonSchema' });
    expect(active.relatedResource).toEqual([
      { id: context, digestSRI: VOCABULARY_SRI.context },
      { id: schema, digestSRI: VOCABULARY_SRI.schema },
    ]);
  });

  it('serves each document at its URL: immutable, its media type, the digest the certificate pins', async () => {
    for (const [index, resource] of (active.relatedResource ?? []).entries()) {
      const response = await fetch(resource.id);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(index === 0 ? 'application/ld+json' : 'application/schema+json');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(sri(Buffer.from(await response.arrayBuffer()))).toBe(resource.digestSRI);
    }
  });

  it('answers 404 with a problem for a document it does not publish', async () => {
    const response = await fetch(`${service.url}/ns/data-compliance/v2.jsonld`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('jsonld (Digital Bazaar) expands a real certificate', () => {
  const loaded: string[] = [];
  /** Loads the VC 2.0 context from the W3C package and ours from the service; nothing else. */
  const documentLoader = async (url: string) => {
    loaded.push(url);
    if (url === VC_V2_CONTEXT) return { contextUrl: null, documentUrl: url, document: w3cContexts.get(url) };
    if (url === `${service.url}${VOCABULARY_PATHS.context}`) {
      return { contextUrl: null, documentUrl: url, document: await (await fetch(url)).json() };
    }
    throw new Error(`the test loads no other document: ${url}`);
  };
  const expand = (document: object) => jsonld.expand(document as jsonld.JsonLdDocument, { documentLoader, safe: true } as unknown as jsonld.Options.Expand);

  it('in safe mode, with no term dropped or undefined, loading only the two contexts', async () => {
    const expanded = await expand(active);
    expect(new Set(loaded)).toEqual(new Set([VC_V2_CONTEXT, `${service.url}${VOCABULARY_PATHS.context}`]));
    const text = JSON.stringify(expanded);
    for (const term of ['certificateNo', 'transactionRef', 'unifiedSocialCreditCode', 'dataProductId', 'exchangeId', 'checkResult', 'assessedAt']) {
      expect(text).toContain(`https://w3id.org/data-compliance#${term}`);
    }
    expect(text).toContain('https://www.w3.org/2018/credentials#credentialSchema');
    expect(text).toContain('https://www.w3.org/2018/credentials#digestSRI');
  });

  it('and refuses, in safe mode, a certificate with a member the contexts do not define', async () => {
    const extended = { ...active, credentialSubject: { ...active.credentialSubject, unknownMember: 'x' } };
    await expect(expand(extended)).rejects.toThrow();
  });
});

describe('ajv validates a real certificate against the served JSON Schema', () => {
  const validator = async () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats.default(ajv);
    return ajv.compile((await (await fetch(active.credentialSchema!.id)).json()) as object);
  };

  it('accepts the active and the revoked certificate', async () => {
    const validate = await validator();
    expect(validate(active), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(revoked), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuses a certificate with an unknown member, a missing one, or a malformed code', async () => {
    const validate = await validator();
    expect(validate({ ...active, extra: true })).toBe(false);
    const { certificateNo: _omitted, ...missing } = active;
    expect(validate(missing)).toBe(false);
    expect(validate({ ...active, credentialSubject: { ...active.credentialSubject, provider: { ...active.credentialSubject.provider, uscc: 'not-a-code' } } })).toBe(false);
  });
});

describe('@digitalbazaar/vc-bitstring-status-list reads the real status list as we do', () => {
  it('finds our status entry, and decodes the same bit for the active and the revoked certificate', async () => {
    const list = decodeJwt(statusListToken) as { credentialSubject: { encodedList: string } };
    const theirs = await decodeList({ encodedList: list.credentialSubject.encodedList });
    const ours = decodeStatusList(list.credentialSubject.encodedList);
    expect(theirs.length).toBe(ours.length * 8);
    for (const [credential, expected] of [
      [active, false],
      [revoked, true],
    ] as const) {
      expect(statusTypeMatches({ credential })).toBe(true);
      const entry = getCredentialStatus({ credential, statusPurpose: 'revocation' });
      expect(entry.statusListCredential).toBe(credential.credentialStatus.statusListCredential);
      const index = Number(entry.statusListIndex);
      expect(theirs.getStatus(index)).toBe(expected);
      expect(isRevoked(ours, index)).toBe(expected);
    }
  });
});
