import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { type ApiEvent, type RouteLayers, httpRoute } from '#shared/http/handler.ts';
import { apiEvent, lambdaContext } from '../../../bench/support.ts';
import { zodContract } from '../../support/zod-contract.ts';

/**
 * The benchmark opens endpoints with fewer layers (`bare`, `middy`) to say what middy and
 * Powertools cost; its figures mean something only if those do the same work and give the same
 * answers as the chain production runs (`full`).
 */
function route(layers: RouteLayers) {
  const deps = {
    logger: new Logger({ serviceName: 'dcc-test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'dcc-test', serviceName: 'dcc-test' }),
    resolveExchange: async () => null,
    clock: () => new Date('2026-11-20T08:30:00Z'),
    layers,
  };
  return httpRoute({ name: 'verify-certificate', body: zodContract(z.strictObject({ token: z.string().check(z.maxLength(10)) })) }, () => deps, async ({ body }) => ({
    status: 200,
    json: { echoed: body.token },
  }));
}

const verifyEvent = (body: unknown, change: (event: ApiEvent) => void = () => undefined): ApiEvent => {
  const event = apiEvent({ method: 'POST', target: '/v1/verify', routeKey: 'POST /v1/verify', body, caller: 'public' });
  change(event);
  return event;
};

const requests: [string, () => ApiEvent, number][] = [
  ['a valid body', () => verifyEvent({ token: 'abc' }), 200],
  ['a base64 body', () => verifyEvent({ token: 'abc' }, (e) => Object.assign(e, { body: Buffer.from('{"token":"b64"}').toString('base64'), isBase64Encoded: true })), 200],
  ['malformed JSON', () => verifyEvent({ token: 'abc' }, (e) => Object.assign(e, { body: '{"token":' })), 400],
  ['a body the schema refuses', () => verifyEvent({ token: 'far too long a token' }), 400],
  ['another media type', () => verifyEvent({ token: 'abc' }, (e) => Object.assign(e, { headers: { ...e.headers, 'content-type': 'text/plain' } })), 415],
  ['no body', () => verifyEvent(undefined), 415],
];

describe('a route opened with fewer layers answers as the full chain does', () => {
  it.each(requests)('%s', async (_, make, status) => {
    const answers = await Promise.all(
      (['full', 'middy', 'bare'] as const).map(async (layers) => {
        const result = await route(layers)(make(), lambdaContext('verify-certificate'));
        return { statusCode: result.statusCode, headers: result.headers, body: result.body };
      }),
    );
    expect(answers[0]?.statusCode).toBe(status);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });
});

describe('the body is parsed in the chain', () => {
  it.each(['full', 'middy', 'bare'] as const)('%s: malformed JSON is a 400 malformed-json that does not repeat the text', async (layers) => {
    const event = verifyEvent({ token: 'abc' }, (e) => Object.assign(e, { body: '{"token": Unexpected' }));
    const result = await route(layers)(event, lambdaContext('verify-certificate'));
    expect(result.statusCode).toBe(400);
    const doc = JSON.parse(String(result.body)) as { code: string; detail: string };
    expect(doc.code).toBe('malformed-json');
    expect(doc.detail).not.toContain('Unexpected');
  });

  it.each(['full', 'middy', 'bare'] as const)('%s: a JSON body with a charset reaches the route parsed', async (layers) => {
    const event = verifyEvent({ token: 'abc' }, (e) => Object.assign(e, { headers: { ...e.headers, 'content-type': 'application/json; charset=utf-8' } }));
    const result = await route(layers)(event, lambdaContext('verify-certificate'));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(String(result.body))).toEqual({ echoed: 'abc' });
  });
});
