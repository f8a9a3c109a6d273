import { describe, expect, it } from 'vitest';
import { problemResponse } from '#shared/http/problems.ts';
import { committedDocument, ContractRecorder, type ObservedResponse, OpenApiContract } from './openapi-contract.ts';

/**
 * The contract check itself: it accepts what the document describes and refuses each kind of
 * drift (an undocumented status, route, media type or body), so that a green HTTP suite means
 * something.
 */

const contract = new OpenApiContract(committedDocument());
const id = '01900000-0000-7000-8000-000000000000';
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const problem = (code: Parameters<typeof problemResponse>[0]) => {
  const r = problemResponse(code, 'detail');
  return { status: r.statusCode, contentType: r.headers['content-type'], body: Buffer.from(r.body) };
};
const check = (r: Partial<ObservedResponse> & Pick<ObservedResponse, 'status' | 'body'>) =>
  contract.check({ method: 'GET', path: `/v1/certificates/${id}`, contentType: 'application/json', ...r });

describe('the OpenAPI contract check', () => {
  it('accepts documented answers: problem documents with their codes, text, the gateway\'s refusals', () => {
    expect(check(problem('certificate-not-found'))).toEqual([]);
    expect(check(problem('unauthorized'))).toEqual([]);
    expect(check({ status: 401, body: json({ message: 'Unauthorized' }) })).toEqual([]);
    expect(check({ path: '/v1/log/checkpoint', status: 200, contentType: 'text/plain; charset=utf-8', body: Buffer.from('origin\n1\nroot\n') })).toEqual([]);
    expect(check({ path: '/v1/nothing-here', ...problem('not-found') })).toEqual([]);
    expect(check({ method: 'DELETE', ...problem('method-not-allowed') })).toEqual([]);
  });

  it('refuses a status the operation does not document', () => {
    expect(check({ status: 418, body: json({}) })).toEqual(['status 418 is not documented for get-certificate']);
    expect(check(problem('already-revoked'))[0]).toMatch(/status 409 is not documented/);
  });

  it('refuses a problem code the status does not list for the operation', () => {
    expect(check(problem('status-list-not-found')).join()).toMatch(/code/);
  });

  it('refuses an undocumented media type and a body that does not match its schema', () => {
    expect(check({ status: 200, contentType: 'text/plain', body: Buffer.from('hello') })[0]).toMatch(/content type text\/plain is not documented/);
    expect(check({ status: 200, body: Buffer.from('{') })).toEqual(['the application/json body is not JSON']);
    expect(check({ status: 200, body: json({ id }) }).join('\n')).toMatch(/must have required property 'certificateNo'/);
    expect(check({ path: '/v1/status-lists/0', status: 200, contentType: 'application/vc+jwt', body: Buffer.from('not a jws') })[0]).toMatch(/must match pattern/);
  });

  it('refuses an answer on a path no route serves unless it is the gateway\'s own refusal', () => {
    expect(check({ path: '/v1/nothing-here', status: 200, body: json({}) })[0]).toMatch(/matches no route/);
  });

  it('counts every response it checks and keeps each problem for the test to fail on', () => {
    const recorder = new ContractRecorder(contract);
    recorder.observe('server', { method: 'GET', path: '/v1/log/key', status: 418, contentType: 'text/plain', body: Buffer.alloc(0) });
    expect(recorder.counts.server).toBe(0);
    recorder.activate();
    recorder.observe('server', { method: 'GET', path: '/v1/log/key', status: 418, contentType: 'text/plain', body: Buffer.alloc(0) });
    recorder.observe('fetch', { method: 'GET', path: '/healthz', status: 200, contentType: 'application/json', body: json({ ok: true }) });
    recorder.observe('lambda', { method: 'GET', path: '/v1/log/key', handler: 'log-key', ...problem('not-found') });
    expect(recorder.counts).toEqual({ server: 1, fetch: 0, lambda: 1 });
    expect(recorder.takeViolations()).toEqual(['GET /v1/log/key -> 418 (server): status 418 is not documented for log-key']);
    expect(recorder.takeViolations()).toEqual([]);
  });
});
