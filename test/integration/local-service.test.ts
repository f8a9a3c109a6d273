import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { validIssueRequest } from '../fixtures/issue-request.ts';

/**
 * The whole local service in this process, on a free port with a temporary data directory:
 * real DynamoDB Local (persistent), real handler modules, real token endpoint.
 */

let dataDir: string;
let service: LocalService | undefined;
const errors: string[] = [];
const log = { info: () => undefined, error: (message: string, error?: unknown) => errors.push(`${message}: ${String(error)}`) };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dcc-local-service-'));
  service = await startLocalService({ dataDir, port: 0, log, accessLog: false });
});

afterAll(async () => {
  await service?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function running(): LocalService {
  if (!service) throw new Error('the service did not start');
  return service;
}

/** The fixture request with times around the real clock, since the handlers judge by the real clock. */
function issueRequest(transactionRef: string) {
  const day = 86_400_000;
  const now = Date.now();
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const request = validIssueRequest();
  request.transactionRef = transactionRef;
  request.tradedAt = iso(now - 3_600_000);
  request.compliance.assessedAt = iso(now - 2 * day);
  request.usage.validFrom = iso(now + day);
  request.usage.validUntil = iso(now + 300 * day);
  return request;
}

async function issue(token: string, transactionRef: string): Promise<Response> {
  return fetch(`${running().url}/v1/certificates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(issueRequest(transactionRef)),
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function javaProcessesFor(dir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('java') && line.includes(dir));
}

describe('the local service', () => {
  it('is healthy once started, with its keys and database in the data directory', async () => {
    const s = running();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', dynamodb: 'ok' });
    for (const file of ['signing-key.pem', 'access-token-key.pem', 'clients/demo-exchange.pem', 'clients/admin.local.pem']) {
      expect((await stat(join(dataDir, file))).mode & 0o777).toBe(0o600);
    }
    expect((await stat(join(dataDir, 'dynamodb'))).isDirectory()).toBe(true);
    expect(s.environment).toMatchObject({ DCC_SIGNER: 'local', DCC_PUBLIC_BASE_URL: s.url, DCC_DYNAMODB_ENDPOINT: s.dynamoDb.endpoint });
  });

  it('serves the public JWKS with the signing key', async () => {
    const r = await fetch(`${running().url}/.well-known/jwks.json`);
    expect(r.status).toBe(200);
    const jwks = (await r.json()) as { keys: { kid: string; crv: string }[] };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    expect(jwks.keys[0]?.crv).toBe('P-256');
  });

  it('lets an exchange token through to the real issue route and an auditor read the result', async () => {
    const s = running();
    const exchange = await s.devClients.token({ role: 'exchange' });
    const created = await issue(exchange, 'LOCAL-IT-0001');
    expect(created.status).toBe(201);
    const record = (await created.json()) as { id: string; status: string; token: string };
    expect(record.status).toBe('active');
    expect(created.headers.get('location')).toBe(`/v1/certificates/${record.id}`);

    const auditor = await s.devClients.token({ role: 'auditor' });
    const read = await fetch(`${s.url}/v1/certificates/${record.id}`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { token: string }).token).toBe(record.token);

    const verified = await fetch(`${s.url}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: record.token }),
    });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ verified: false, status: 'not-yet-valid' });
  });

  it('refuses a missing token with 401 and a token without the route scope with 403', async () => {
    const s = running();
    const none = await fetch(`${s.url}/v1/certificates/00000000-0000-7000-8000-000000000000`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    const auditor = await s.devClients.token({ role: 'auditor' });
    const wrongScope = await issue(auditor, 'LOCAL-IT-0002');
    expect(wrongScope.status).toBe(403);
    expect(await wrongScope.json()).toMatchObject({ code: 'insufficient-scope' });
  });

  it('admits an exchange registered while it runs (as `npm run token -- exchange <id>` does)', async () => {
    const s = running();
    // No token at all for an exchange nobody registered: the token endpoint does not know the client.
    await expect(s.devClients.token({ role: 'exchange', exchangeId: 'late-exchange' })).rejects.toThrow(/invalid_client/);
    expect(await s.devClients.registerExchange('late-exchange', { name: 'Late Data Exchange' })).toEqual({ created: true });
    const token = await s.devClients.token({ role: 'exchange', exchangeId: 'late-exchange' });
    const created = await issue(token, 'LOCAL-IT-0003');
    expect(created.status).toBe(201);
    expect(errors).toEqual([]);
  });

  it('stops without leaving DynamoDB Local behind, and keeps the data for the next start', async () => {
    const first = running();
    const { pid } = first.dynamoDb;
    const exchange = await first.devClients.token({ role: 'exchange' });
    const created = (await (await issue(exchange, 'LOCAL-IT-0004')).json()) as { id: string; token: string };
    const firstKid = (await (await first.app.authorizationServer.signer()).publicJwk()).kid;

    await first.stop();
    service = undefined;
    expect(processAlive(pid)).toBe(false);
    expect(javaProcessesFor(dataDir)).toEqual([]);
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();

    service = await startLocalService({ dataDir, port: 0, log, accessLog: false });
    const second = running();
    expect(second.dynamoDb.pid).not.toBe(pid);
    expect((await (await second.app.authorizationServer.signer()).publicJwk()).kid).toBe(firstKid);
    const admin = await second.devClients.token({ role: 'admin' });
    const read = await fetch(`${second.url}/v1/certificates/${created.id}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { token: string }).token).toBe(created.token);
    // The exchange registered before the restart is still registered (in the table).
    const late = await second.devClients.token({ role: 'exchange', exchangeId: 'late-exchange' });
    const found = await fetch(`${second.url}/v1/certificates?transactionRef=LOCAL-IT-0003`, { headers: { authorization: `Bearer ${late}` } });
    expect(found.status).toBe(200);
  });

  it('refuses a second service on the same data directory, in the same process too', async () => {
    await expect(startLocalService({ dataDir, port: 0, log })).rejects.toThrow(/Another local service \(pid \d+, this process\) uses/);
    // The refusal left the running service alone.
    expect((await fetch(`${running().url}/healthz`)).status).toBe(200);
  });
});

describe('two local services in one process', () => {
  it('each serves its own data directory, keys and database, and issues certificates', { timeout: 240_000 }, async () => {
    const dirs = await Promise.all([1, 2].map((n) => mkdtemp(join(tmpdir(), `dcc-local-pair-${n}-`))));
    const services: LocalService[] = [];
    try {
      for (const dir of dirs) services.push(await startLocalService({ dataDir: dir, port: 0, log, accessLog: false }));
      const [a, b] = services as [LocalService, LocalService];
      expect(a.url).not.toBe(b.url);
      expect(a.dynamoDb.endpoint).not.toBe(b.dynamoDb.endpoint);
      expect(a.app).not.toBe(b.app);

      const issued = [];
      for (const s of services) {
        const token = await s.devClients.token({ role: 'exchange' });
        const r = await fetch(`${s.url}/v1/certificates`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(issueRequest('LOCAL-PAIR-0001')),
        });
        expect(r.status).toBe(201);
        const record = (await r.json()) as { id: string; token: string; statusListCredential: string };
        // Status lists are published under each service's own URL.
        expect(record.statusListCredential.startsWith(`${s.url}/v1/status-lists/`)).toBe(true);
        issued.push(record);
      }
      // The same transaction on both: two certificates, each on record at its own service only.
      expect(issued[0]?.id).not.toBe(issued[1]?.id);
      const auditor = await a.devClients.token({ role: 'auditor' });
      expect((await fetch(`${a.url}/v1/certificates/${issued[0]?.id}`, { headers: { authorization: `Bearer ${auditor}` } })).status).toBe(200);
      expect((await fetch(`${a.url}/v1/certificates/${issued[1]?.id}`, { headers: { authorization: `Bearer ${auditor}` } })).status).toBe(404);
      // Each verifies against its own keys: the other's certificate is signed with a key it does not publish.
      const verify = async (s: LocalService, token: string) =>
        (await (await fetch(`${s.url}/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) })).json()) as {
          checks: { name: string; ok: boolean }[];
        };
      expect((await verify(b, issued[1]?.token ?? '')).checks.find((c) => c.name === 'registered')?.ok).toBe(true);
      expect((await verify(b, issued[0]?.token ?? '')).checks.find((c) => c.name === 'key')?.ok).toBe(false);

      // Stopping one leaves the other serving.
      await a.stop();
      expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
    } finally {
      for (const s of services) await s.stop();
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
    expect(errors).toEqual([]);
  });
});
