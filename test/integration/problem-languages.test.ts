import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemDocumentSchema } from '#shared/domain/schemas/api-responses.ts';
import { type ApiResponse, type LocalApi, startLocalApi } from '../support/api-client.ts';
import { issueRequestAt } from '../support/issue-requests.ts';

/**
 * Problem documents in the reader's language, through HTTP against the whole local service:
 * `title` and `detail` follow `Accept-Language` (with `Content-Language` saying which and
 * `Vary: Accept-Language`); `status`, `code`, `type` and the pointers of `errors[]` never
 * change; values a detail embeds (ids, numbers) are kept in both.
 */

let local: LocalApi | undefined;
const tokens = { exchange: '', auditor: '' };

beforeAll(async () => {
  local = await startLocalApi('problem-languages');
  tokens.exchange = await local.service.devClients.token({ role: 'exchange' });
  tokens.auditor = await local.service.devClients.token({ role: 'auditor' });
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

/** A well-formed certificate id (UUID version 7) that no certificate has. */
const unknownId = () => `0192f3a4-5b6c-7d8e-9f01-${randomBytes(6).toString('hex')}`;

function running(): LocalApi {
  if (!local) throw new Error('the local service did not start');
  return local;
}

type Problem = ReturnType<typeof ProblemDocumentSchema.parse>;

function problemOf(response: ApiResponse): Problem {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return ProblemDocumentSchema.parse(response.json());
}

/** The same request in English and in Chinese: both documents, after the headers are checked. */
async function inBothLanguages(
  send: (acceptLanguage: string) => Promise<ApiResponse>,
): Promise<{ en: Problem; zh: Problem; status: number }> {
  const en = await send('en-US,en;q=0.9');
  const zh = await send('zh-CN,zh;q=0.9,en;q=0.8');
  expect(zh.status).toBe(en.status);
  expect(en.headers.get('content-language')).toBe('en');
  expect(zh.headers.get('content-language')).toBe('zh-CN');
  for (const r of [en, zh]) expect(r.headers.get('vary')).toMatch(/Accept-Language/i);
  const docs = { en: problemOf(en), zh: problemOf(zh), status: en.status };
  expect(docs.zh.code).toBe(docs.en.code);
  expect(docs.zh.type).toBe(docs.en.type);
  expect(docs.zh.status).toBe(docs.en.status);
  expect(docs.zh.errors.map((e) => e.pointer)).toEqual(docs.en.errors.map((e) => e.pointer));
  expect(docs.zh.title).not.toBe(docs.en.title);
  expect(docs.zh.detail).not.toBe(docs.en.detail);
  return docs;
}

describe('problem documents follow Accept-Language', () => {
  it('404: no such certificate, the id kept in both', async () => {
    const id = unknownId();
    const { en, zh, status } = await inBothLanguages((lang) =>
      running().api.get(`/v1/certificates/${id}`, { token: tokens.auditor, headers: { 'accept-language': lang } }),
    );
    expect(status).toBe(404);
    expect(en).toMatchObject({ code: 'certificate-not-found', type: 'urn:dcc:problem:certificate-not-found', title: 'No such certificate', detail: `No certificate ${id}.` });
    expect(zh).toMatchObject({ code: 'certificate-not-found', type: 'urn:dcc:problem:certificate-not-found', title: '证书不存在', detail: `证书 ${id} 不存在。` });
  });

  it('400: a body that does not match the schema; the field problems keep their pointers', async () => {
    const request = issueRequestAt(new Date()) as unknown as Record<string, unknown>;
    delete request['amount'];
    request['surplus'] = 1;
    const { en, zh } = await inBothLanguages((lang) =>
      running().api.post('/v1/certificates', { token: tokens.exchange, json: request, headers: { 'content-type': 'application/json', 'accept-language': lang } }),
    );
    expect(en).toMatchObject({ code: 'validation-failed', title: 'The request does not match the schema', detail: 'The body does not match the schema (2 problems).' });
    expect(zh).toMatchObject({ code: 'validation-failed', title: '请求不符合接口模式', detail: '请求体不符合接口模式（2 个问题）。' });
    expect(zh.errors.map((e) => e.pointer).sort()).toEqual(['/amount', '/surplus']);
  });

  it('422: compliance rules, counted in the reader\'s words', async () => {
    const request = issueRequestAt(new Date());
    request.compliance.checks = request.compliance.checks.filter((c) => c.code !== 'traceability');
    const { en, zh } = await inBothLanguages((lang) =>
      running().api.post('/v1/certificates', { token: tokens.exchange, json: request, headers: { 'content-type': 'application/json', 'accept-language': lang } }),
    );
    expect(en.code).toBe('compliance-rule-violation');
    expect(en.detail).toMatch(/^The transaction violates \d+ compliance rules?\.$/);
    expect(zh.title).toBe('该交易违反合规规则');
    expect(zh.detail).toMatch(/^该交易违反 \d+ 项合规规则。$/);
  });

  it('409: a conflicting transaction names its reference and certificate number in both', async () => {
    const request = issueRequestAt(new Date());
    const first = await running().api.post('/v1/certificates', { token: tokens.exchange, json: request });
    expect(first.status, first.text).toBe(201);
    const { certificateNo } = first.json<{ certificateNo: string }>();
    const changed = { ...request, amount: { value: '1.00', currency: 'CNY' } };
    const { en, zh } = await inBothLanguages((lang) =>
      running().api.post('/v1/certificates', { token: tokens.exchange, json: changed, headers: { 'content-type': 'application/json', 'accept-language': lang } }),
    );
    expect(en.detail).toBe(`Transaction ${request.transactionRef} already has certificate ${certificateNo}, issued from a different request.`);
    expect(zh).toMatchObject({ code: 'transaction-conflict', title: '该交易已有以不同请求签发的证书' });
    expect(zh.detail).toBe(`交易 ${request.transactionRef} 已有证书 ${certificateNo}，该证书由另一不同请求签发。`);
  });

  it('415: the media type, in the chain before any parsing', async () => {
    const { zh } = await inBothLanguages((lang) =>
      running().api.post('/v1/certificates', { token: tokens.exchange, body: 'x', headers: { 'content-type': 'text/plain', 'accept-language': lang } }),
    );
    expect(zh).toMatchObject({ code: 'unsupported-media-type', title: '请求体必须为 application/json', detail: '不接受 Content-Type text/plain；请发送 application/json。' });
  });

  it('404 of the platform itself (no route) has its title translated too', async () => {
    const zh = await running().api.get('/v1/nowhere', { headers: { 'accept-language': 'zh' } });
    expect(zh.status).toBe(404);
    expect(zh.headers.get('content-language')).toBe('zh-CN');
    expect(problemOf(zh)).toMatchObject({ code: 'not-found', title: '资源不存在', detail: '没有接口处理 /v1/nowhere。' });
  });

  it('negotiates by weight: q-values, wildcards, Traditional Chinese and garbage', async () => {
    const id = unknownId();
    const languageFor = async (header: string | null) => {
      const r = await running().api.get(`/v1/certificates/${id}`, { token: tokens.auditor, headers: header === null ? {} : { 'accept-language': header } });
      expect(r.status).toBe(404);
      return { language: r.headers.get('content-language'), title: problemOf(r).title };
    };
    expect(await languageFor(null)).toEqual({ language: 'en', title: 'No such certificate' });
    expect(await languageFor('en;q=0.5, zh-CN;q=0.9')).toEqual({ language: 'zh-CN', title: '证书不存在' });
    expect(await languageFor('zh-Hans-CN')).toEqual({ language: 'zh-CN', title: '证书不存在' });
    expect(await languageFor('zh-TW, en;q=0.1')).toEqual({ language: 'en', title: 'No such certificate' });
    expect(await languageFor('en;q=0, *')).toEqual({ language: 'zh-CN', title: '证书不存在' });
    expect(await languageFor(';;;,=q, tlh-@@@;q=2')).toEqual({ language: 'en', title: 'No such certificate' });
  });
});
