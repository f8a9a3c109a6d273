import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { type ApiEvent, httpRoute } from '#shared/http/handler.ts';
import { type InputContract, inputContract, REFUSED } from '#shared/domain/schemas/input-contract.ts';
import { apiEvent, lambdaContext } from '../../../bench/support.ts';
import { zodContract } from '../../support/zod-contract.ts';

/**
 * The refusal path of a route's contract: the predicate judges every request, and only a value
 * it refuses waits for the schema, imported then. The 400 is the one the schema alone gives; an
 * import that fails is a 500 for that request and is tried again on the next; the schema, once
 * loaded, is loaded once; and should the predicate refuse what the schema accepts, the schema
 * decides.
 */

const Schema = z.strictObject({ token: z.string().check(z.maxLength(10)) });

function route(body: InputContract<z.output<typeof Schema>>) {
  const deps = {
    logger: new Logger({ serviceName: 'dcc-test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'dcc-test', serviceName: 'dcc-test' }),
    resolveExchange: async () => null,
    clock: () => new Date('2026-11-20T08:30:00Z'),
  };
  const handler = httpRoute({ name: 'verify-certificate', body }, () => deps, async ({ body: parsed }) => ({ status: 200, json: { echoed: parsed.token } }));
  return async (value: unknown) => {
    const event: ApiEvent = apiEvent({ method: 'POST', target: '/v1/verify', routeKey: 'POST /v1/verify', body: value, caller: 'public' });
    const result = await handler(event, lambdaContext('verify-certificate'));
    return { statusCode: result.statusCode, headers: result.headers, body: result.body };
  };
}

describe('a route holding a contract', () => {
  it('refuses with the problem document of the schema, importing it on the first refusal only, again after a failed import', async () => {
    let loads = 0;
    const contract = inputContract<z.output<typeof Schema>>(
      (value) => {
        const parsed = Schema.safeParse(value);
        return parsed.success ? parsed.data : REFUSED;
      },
      async () => {
        loads++;
        if (loads === 1) throw new Error('the chunk could not be loaded');
        return Schema;
      },
    );
    const call = route(contract);
    const reference = route(zodContract(Schema));

    expect((await call({ token: 'abc' })).statusCode).toBe(200);
    expect(loads).toBe(0);

    const refused = { token: 'far too long a token', extra: 1 };
    expect((await call(refused)).statusCode).toBe(500);
    const answer = await call(refused);
    expect(answer.statusCode).toBe(400);
    expect(answer).toEqual(await reference(refused));
    expect(JSON.parse(answer.body ?? '{}')).toMatchObject({ errors: expect.arrayContaining([expect.objectContaining({ pointer: '/token' })]) });
    await call([]);
    expect(loads).toBe(2);
  });

  it('lets the schema decide when the predicate refuses a value the schema accepts', async () => {
    const call = route(inputContract(() => REFUSED, async () => Schema));
    const answer = await call({ token: 'abc' });
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body ?? '{}')).toEqual({ echoed: 'abc' });
  });
});
