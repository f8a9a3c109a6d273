import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildHttpApiEvent, createLambdaContext } from '#local/api-gateway-event.ts';
import { buildApp } from '#shared/app/app.ts';
import { type Config, loadConfig } from '#shared/app/config.ts';
import { endpoints } from '#shared/http/endpoints/table.ts';

/**
 * The composition root without AWS or a JVM: apps are built from a configuration object, several
 * in one process, with the clock and SDK clients injected, and none of it reads or writes the
 * process environment.
 */

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-app-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => ddb.reset());
afterAll(() => ddb.restore());

/** A client that never reaches a network: the document client over it is mocked. */
const offline = () => new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

function localConfig(name: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DCC_SIGNER: 'local',
    DCC_LOCAL_KEY_FILE: join(dir, `${name}-signing.pem`),
    DCC_LOG_KEY_FILE: join(dir, `${name}-log.pem`),
    DCC_TABLE_NAME: `dcc-${name}`,
    DCC_ISSUER: `https://${name}.dcc.localhost`,
    DCC_PUBLIC_BASE_URL: `https://api.${name}.dcc.localhost`,
    DCC_LOG_ORIGIN: `${name}.dcc.localhost/log`,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...overrides,
  });
}

async function jwksOf(handler: ReturnType<(typeof endpoints)['get-jwks']>): Promise<{ keys: { kid: string }[] }> {
  const event = buildHttpApiEvent(
    { method: 'GET', target: '/.well-known/jwks.json', rawHeaders: ['host', 'dcc.localhost'], body: Buffer.alloc(0), sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', localPort: 443 },
    { routeKey: 'GET /.well-known/jwks.json', pathParameters: {}, requestId: 'r1', now: new Date() },
  );
  const result = await handler(event, createLambdaContext({ functionName: 'get-jwks', timeoutMs: 10_000 }));
  expect(result.statusCode).toBe(200);
  return JSON.parse(String(result.body)) as { keys: { kid: string }[] };
}

describe('buildApp', () => {
  it('builds independent apps in one process, each from its own configuration, leaving the environment alone', async () => {
    const environment = { ...process.env };
    const a = buildApp(localConfig('a'), { dynamodb: offline() });
    const b = buildApp(localConfig('b'), { dynamodb: offline() });
    const [jwksA, jwksB] = await Promise.all([jwksOf(endpoints['get-jwks'](a)), jwksOf(endpoints['get-jwks'](b))]);
    expect(jwksA.keys).toHaveLength(1);
    expect(jwksB.keys).toHaveLength(1);
    expect(jwksA.keys[0]?.kid).not.toBe(jwksB.keys[0]?.kid);
    // Each app signs with its own key and names its own issuer and status lists.
    expect((await (await a.signer()).publicJwk()).kid).toBe(jwksA.keys[0]?.kid);
    expect(a.policy.issuer).toBe('https://a.dcc.localhost');
    expect(b.statusListUrl('3')).toBe('https://api.b.dcc.localhost/v1/status-lists/3');
    expect(process.env).toEqual(environment);
  });

  it('makes the log integrator on first use, with the configured log key, once', async () => {
    const app = buildApp(localConfig('log'), { dynamodb: offline() });
    await expect(stat(join(dir, 'log-log.pem'))).rejects.toThrow();
    const integrator = await app.log.integrator();
    expect((await stat(join(dir, 'log-log.pem'))).isFile()).toBe(true);
    expect(await app.log.integrator()).toBe(integrator);
  });

  it('looks exchanges up again once the cache has expired by the injected clock', async () => {
    ddb.onAnyCommand().resolves({});
    let now = new Date('2031-03-01T00:00:00Z');
    const app = buildApp(localConfig('cache', { DCC_EXCHANGE_CACHE_SECONDS: '60' }), { dynamodb: offline(), clock: () => now });
    expect(app.clock()).toBe(now);
    expect(await app.resolveExchange('client-1')).toBeNull();
    expect(await app.resolveExchange('client-1')).toBeNull();
    expect(ddb.calls()).toHaveLength(1);
    now = new Date(now.getTime() + 59_000);
    await app.resolveExchange('client-1');
    expect(ddb.calls()).toHaveLength(1);
    now = new Date(now.getTime() + 2_000);
    await app.resolveExchange('client-1');
    expect(ddb.calls()).toHaveLength(2);
  });

  it('forgets a failed exchange look-up', async () => {
    ddb.onAnyCommand().rejectsOnce(new Error('throttled')).resolves({});
    const app = buildApp(localConfig('retry'), { dynamodb: offline() });
    await expect(app.resolveExchange('client-2')).rejects.toThrow('throttled');
    expect(await app.resolveExchange('client-2')).toBeNull();
    expect(ddb.calls()).toHaveLength(2);
  });

  it('writes no metrics when the configuration switches them off, and writes them otherwise', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const quiet = buildApp(localConfig('quiet'), { dynamodb: offline() });
      quiet.metrics.addMetric('CertificatesIssued', 'Count', 1);
      quiet.metrics.publishStoredMetrics();
      expect(quiet.metrics.hasStoredMetrics()).toBe(false);
      expect(write.mock.calls.filter(([chunk]) => String(chunk).includes('CertificatesIssued'))).toEqual([]);

      const loud = buildApp(localConfig('loud', { POWERTOOLS_METRICS_DISABLED: 'false' }), { dynamodb: offline() });
      loud.metrics.addMetric('CertificatesIssued', 'Count', 1);
      loud.metrics.publishStoredMetrics();
      const emitted = write.mock.calls.map(([chunk]) => String(chunk)).filter((line) => line.includes('CertificatesIssued'));
      expect(emitted).toHaveLength(1);
      expect(emitted[0]).toContain('DataComplianceCertificates');
    } finally {
      write.mockRestore();
    }
  });
});
