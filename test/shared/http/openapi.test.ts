import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildHttpApiEvent, createLambdaContext } from '#local/api-gateway-event.ts';
import { TOKEN_REQUEST_FIELDS } from '#shared/domain/oauth.ts';
import { getOpenApiEndpoint } from '#shared/http/endpoints/get-openapi.ts';
import { openApiDocumentText, openApiPath, problemCodesOf } from '#shared/http/openapi.ts';
import { problemCatalog } from '#shared/http/problems.ts';
import { ROLE_SCOPE, routeKey, routes } from '#shared/http/routes.ts';
import { OPENAPI_FILE, OPENAPI_MODULE, VOCABULARY_MODULE, openApiModuleSource, vocabularyModuleSource } from '../../../scripts/build-openapi.ts';

/**
 * The API description: the committed file is exactly what the routes table and the zod schemas
 * render to, it covers every route with every status the route can answer, Redocly's linter
 * passes it with no problem at all, and the service serves the same bytes.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
type Json = Record<string, unknown>;
type Operation = { operationId: string; security: Record<string, string[]>[]; responses: Record<string, Json>; requestBody?: Json; parameters?: Json[] };

const committed = await readFile(`${root}${OPENAPI_FILE}`, 'utf8');
const document = JSON.parse(committed) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Json>; securitySchemes: Json } };
const operationOf = (route: (typeof routes)[number]) => document.paths[openApiPath(route)]?.[route.method.toLowerCase()];

describe('openapi.json', () => {
  it(`is up to date with the routes table and the schemas (else run: npx tsx scripts/build-openapi.ts)`, () => {
    expect(committed === openApiDocumentText(), `${OPENAPI_FILE} is stale: run npx tsx scripts/build-openapi.ts`).toBe(true);
  });

  it(`is served from a generated module with the same bytes (else run: npx tsx scripts/build-openapi.ts)`, async () => {
    const generated = await readFile(`${root}${OPENAPI_MODULE}`, 'utf8');
    expect(generated === openApiModuleSource(committed), `${OPENAPI_MODULE} is stale: run npx tsx scripts/build-openapi.ts`).toBe(true);
  });

  it(`is generated with the vocabulary's documents, which get-vocabulary serves (else run: npx tsx scripts/build-openapi.ts)`, async () => {
    const generated = await readFile(`${root}${VOCABULARY_MODULE}`, 'utf8');
    expect(generated === vocabularyModuleSource(), `${VOCABULARY_MODULE} is stale: run npx tsx scripts/build-openapi.ts`).toBe(true);
  });

  it('describes every route of the table, and nothing else', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${openApiPath(r)}`).sort());
    for (const route of routes) expect(operationOf(route)?.operationId, routeKey(route)).toBe(route.handler);
  });

  it('documents every status each route can answer: its successes, its refusals, 500 and 503', () => {
    for (const route of routes) {
      const operation = operationOf(route)!;
      const statuses = Object.keys(operation.responses).map(Number);
      const refusals = problemCodesOf(route).map((code) => problemCatalog[code].status);
      expect(statuses.filter((s) => s >= 400), route.handler).toEqual([...new Set([...refusals, ...(route.handler === 'oauth-token' ? [400, 401] : [])])].sort((a, b) => a - b));
      expect(statuses.some((s) => s === 200 || s === 201), route.handler).toBe(true);
      expect(statuses, route.handler).toEqual(expect.arrayContaining([500, 503]));
      if (route.access !== 'public') expect(statuses, route.handler).toEqual(expect.arrayContaining([401, 403]));
      if (operation.requestBody && route.handler !== 'oauth-token') expect(statuses, route.handler).toEqual(expect.arrayContaining([400, 413, 415]));
      if (operation.parameters) expect(statuses, route.handler).toContain(400);
    }
    // Spot checks of refusals only the use cases know of.
    const codesOf = (handler: string, status: number) =>
      ((operationOf(routes.find((r) => r.handler === handler)!)!.responses[String(status)]!['content'] as Json)['application/problem+json'] as { schema: { allOf: [unknown, { properties: { code: { enum: string[] } } }] } }).schema.allOf[1].properties.code.enum;
    expect(codesOf('revoke-certificate', 409)).toEqual(['already-revoked']);
    expect(codesOf('issue-certificate', 422)).toEqual(['compliance-rule-violation']);
    expect(codesOf('get-certificate', 404)).toEqual(['certificate-not-found']);
    expect(codesOf('put-exchange', 409)).toEqual(['client-id-taken']);
  });

  it('lists every code of the problem catalog on some operation, but the gateway\'s own 405', () => {
    const listed = new Set(routes.flatMap((r) => problemCodesOf(r)));
    expect(Object.keys(problemCatalog).filter((code) => !listed.has(code as keyof typeof problemCatalog))).toEqual(['method-not-allowed']);
  });

  it('takes security from the routes table: public routes need nothing, the others any one of their scopes', () => {
    const scheme = document.components.securitySchemes['oauth2'] as { type: string; flows: { clientCredentials: { tokenUrl: string; scopes: Json } } };
    expect(scheme.type).toBe('oauth2');
    expect(scheme.flows.clientCredentials.tokenUrl).toBe('/oauth2/token');
    expect(Object.keys(scheme.flows.clientCredentials.scopes).sort()).toEqual(Object.values(ROLE_SCOPE).sort());
    for (const route of routes) {
      const { security } = operationOf(route)!;
      if (route.auth === 'public') expect(security, route.handler).toEqual([]);
      else expect(security, route.handler).toEqual(route.auth.anyScope.map((scope) => ({ oauth2: [scope] })));
    }
  });

  it("carries the walkthrough's issue request as the example, and it is valid against the documented schema", async () => {
    const example = JSON.parse(await readFile(`${root}examples/issue-request.json`, 'utf8')) as unknown;
    const media = (document.paths['/v1/certificates']!['post']!.requestBody!['content'] as Json)['application/json'] as { example: unknown };
    expect(media.example).toEqual(example);
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
    ((addFormatsModule as unknown as { default?: (a: Ajv2020) => void }).default ?? (addFormatsModule as unknown as (a: Ajv2020) => void))(ajv);
    const validate = ajv.compile(document.components.schemas['IssueRequest']!);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...(example as Json), amount: 'a lot' })).toBe(false);
  });

  it('describes the token request with exactly the form fields the token endpoint reads', () => {
    const form = document.components.schemas['TokenRequest'] as { properties: Json; required: string[] };
    expect(Object.keys(form.properties).sort()).toEqual(Object.values(TOKEN_REQUEST_FIELDS).sort());
    expect(form.required.sort()).toEqual(['client_assertion', 'client_assertion_type', 'grant_type']);
  });

  it('passes redocly lint (redocly.yaml) with no error and no warning', async () => {
    const redocly = `${root}node_modules/.bin/redocly`;
    const run = await promisify(execFile)(redocly, ['lint', '--format=json'], {
      cwd: root,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`redocly lint failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    const report = JSON.parse(run.stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    process.stdout.write(`redocly lint openapi.json: ${report.totals.errors} errors, ${report.totals.warnings} warnings\n`);
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('is what GET /openapi.json serves, byte for byte, to any origin', async () => {
    const handler = getOpenApiEndpoint({
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'dcc-test' }),
      resolveExchange: async () => null,
      clock: () => new Date(),
    });
    const event = buildHttpApiEvent(
      { method: 'GET', target: '/openapi.json', rawHeaders: ['host', 'dcc.localhost'], body: Buffer.alloc(0), sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', localPort: 443 },
      { routeKey: 'GET /openapi.json', pathParameters: {}, requestId: 'r1', now: new Date() },
    );
    const result = await handler(event, createLambdaContext({ functionName: 'get-openapi', timeoutMs: 10_000 }));
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    expect(result.body === committed).toBe(true);
  });
});
