import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { createLambdaContext } from '#local/api-gateway-event.ts';
import { type ApiEvent, httpRoute } from '#shared/http/handler.ts';
import { BENCH_EXCHANGE, apiEvent, lambdaContext } from '../../../bench/support.ts';
import { zodContract } from '../../support/zod-contract.ts';

/**
 * What the full chain does with Powertools around every request: the Lambda context in every
 * log line, the caller's keys on the lines of its request and on no later one, and the metrics
 * flushed on success and on error.
 */
function route(work: (n: number) => Promise<void> = async () => undefined) {
  const logger = new Logger({ serviceName: 'dcc-test', logLevel: 'INFO' });
  const metrics = new Metrics({ namespace: 'dcc-test', serviceName: 'dcc-test' });
  const published: string[][] = [];
  // What each flush would write, without writing it.
  vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(function (this: Metrics) {
    published.push(Object.keys((this.serializeMetrics() as unknown as Record<string, unknown>)).filter((k) => k !== '_aws' && k !== 'service'));
    this.clearMetrics();
    return this;
  });
  const exchange = { id: BENCH_EXCHANGE.id, name: BENCH_EXCHANGE.name, clientIds: [BENCH_EXCHANGE.id], status: 'active' as const };
  const deps = { logger, metrics, resolveExchange: async () => exchange, clock: () => new Date('2026-11-20T08:30:00Z') };
  const handler = httpRoute({ name: 'issue-certificate', body: zodContract(z.strictObject({ n: z.number() })) }, () => deps, async ({ body }) => {
    metrics.addMetric('Worked', 'Count', 1);
    await work(body.n);
    return { status: 201, json: { n: body.n } };
  });
  return { handler, published };
}

const issue = (body: unknown, caller: 'exchange' | 'public' = 'exchange'): ApiEvent =>
  apiEvent({ method: 'POST', target: '/v1/certificates', routeKey: 'POST /v1/certificates', body, caller });

/** The JSON lines the logger writes to stdout and stderr while the test runs. */
let lines: Record<string, unknown>[] = [];
beforeEach(() => {
  lines = [];
  const record = (chunk: unknown): boolean => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(record);
  vi.spyOn(process.stderr, 'write').mockImplementation(record);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('the full chain around a request', () => {
  it("writes the Lambda context and the caller's keys on its request's lines, and no key on the next request's", async () => {
    const { handler } = route();
    const first = lambdaContext('issue-certificate');
    expect((await handler(issue({ n: 'not a number' }), first)).statusCode).toBe(400);
    const second = lambdaContext('issue-certificate');
    expect((await handler(issue({ n: 1 }, 'public'), second)).statusCode).toBe(401);

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      message: 'request refused',
      code: 'validation-failed',
      function_request_id: first.awsRequestId,
      function_name: 'issue-certificate',
      function_arn: first.invokedFunctionArn,
      clientId: BENCH_EXCHANGE.id,
      exchangeId: BENCH_EXCHANGE.id,
    });
    expect(lines[1]).toMatchObject({ message: 'request refused', code: 'unauthorized', function_request_id: second.awsRequestId });
    expect(lines[1]).not.toHaveProperty('clientId');
    expect(lines[1]).not.toHaveProperty('exchangeId');
  });

  it('flushes the metrics of a request that succeeds and of one that fails', async () => {
    const { handler, published } = route(async (n) => {
      if (n < 0) throw new Error('the work failed');
    });
    expect((await handler(issue({ n: 1 }), lambdaContext('issue-certificate'))).statusCode).toBe(201);
    expect((await handler(issue({ n: -1 }), lambdaContext('issue-certificate'))).statusCode).toBe(500);
    expect(published).toEqual([['Worked'], ['Worked']]);
    expect(lines.map((l) => l['message'])).toEqual(['unhandled error']);
    expect(lines[0]).toMatchObject({ clientId: BENCH_EXCHANGE.id });
  });

  it('answers 503 with Retry-After when the work outlasts the function, and leaks no key into the next request', async () => {
    const { handler } = route(async () => {
      await sleep(200);
    });
    const late = await handler(issue({ n: 1 }), createLambdaContext({ functionName: 'issue-certificate', timeoutMs: 30 }));
    expect(late.statusCode).toBe(503);
    expect(late.headers?.['retry-after']).toBe('1');
    const next = lambdaContext('issue-certificate');
    expect((await handler(issue({ n: 1 }, 'public'), next)).statusCode).toBe(401);
    const last = lines.at(-1);
    expect(last).toMatchObject({ code: 'unauthorized', function_request_id: next.awsRequestId });
    expect(last).not.toHaveProperty('clientId');
  });
});
