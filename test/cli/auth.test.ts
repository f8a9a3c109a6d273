import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KEYS_DIR, ROLE_CLIENT_IDS } from '#local/dev-clients.ts';
import { type LocalService, startLocalService } from '#local/local-service.ts';
import { issueRequestNow, runDcc, runDccHere } from './support/run-dcc.ts';

/**
 * An exchange gets access as the README says, against the real local service (its token
 * endpoint, DynamoDB Local, the API Gateway authorizer imitation): it generates its key pair with
 * `dcc keygen`, the admin registers the public key set with `dcc admin exchange register`
 * (authenticating with the local admin client's key from the data directory), the exchange
 * obtains a token with its private key and issues a certificate, which verifies. Then a
 * rotation: old and new keys together, then the new alone, after which the old key's assertions
 * are refused with `invalid_client`. Last, the README's token request for integrators without
 * `dcc` (openssl and curl, and the node one-liner) is run as printed there.
 */

const execFileAsync = promisify(execFile);
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

let dir: string;
let service: LocalService | undefined;
let adminEnv: Record<string, string>;
let cacheCount = 0;

function running(): LocalService {
  if (!service) throw new Error('the service did not start');
  return service;
}

/** A fresh token cache: each call starts with nothing cached, so the key given really is used. */
function freshCache(): string {
  return join(dir, `cache-${++cacheCount}`);
}

/** The environment of a client with `keyFile`, its own fresh cache. */
function clientEnv(clientId: string, keyFile: string, cache = freshCache()): Record<string, string> {
  return { DCC_API_URL: running().url, DCC_CLIENT_ID: clientId, DCC_CLIENT_KEY: keyFile, XDG_CACHE_HOME: cache };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-auth-'));
  const dataDir = join(dir, 'data');
  service = await startLocalService({ dataDir, port: 0, log: { info: () => undefined, error: () => undefined }, accessLog: false });
  adminEnv = clientEnv(ROLE_CLIENT_IDS.admin, join(dataDir, CLIENT_KEYS_DIR, `${ROLE_CLIENT_IDS.admin}.pem`));
});

afterAll(async () => {
  await service?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('an exchange gets access with its own key pair', () => {
  let oldKey: { kid: string; pem: string; jwks: string };
  let newKey: { kid: string; pem: string; jwks: string };
  let certificate: { id: string; token: string };

  it('keygen, then the admin registers the public key set (201), and shows it', async () => {
    // The executable itself, as an exchange's operator runs it.
    const generated = await runDcc(['keygen', join(dir, 'hz-sde'), '--json']);
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    const printed = JSON.parse(generated.stdout) as { kid: string; privateKey: string; jwks: string };
    oldKey = { kid: printed.kid, pem: printed.privateKey, jwks: printed.jwks };

    const registered = await runDccHere(['admin', 'exchange', 'register', 'hz-sde', '--name', 'Hangzhou Data Exchange', '--jwks', oldKey.jwks], {
      env: adminEnv,
    });
    expect(registered.stderr).toBe('');
    expect(registered.code).toBe(0);
    expect(registered.stdout).toMatch(/^Registered\nExchange {6}hz-sde\n/);
    expect(registered.stdout).toContain(`Keys          ${oldKey.kid} (EC P-256 ES256)`);

    const shown = await runDccHere(['admin', 'exchange', 'show', 'hz-sde', '--json'], { env: adminEnv });
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout) as { name: string; status: string; jwks: { keys: Record<string, unknown>[] } };
    expect(view).toMatchObject({ name: 'Hangzhou Data Exchange', status: 'active' });
    expect(view.jwks.keys.map((k) => k['kid'])).toEqual([oldKey.kid]);
    expect(view.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('the exchange obtains a token with its key and issues a certificate, which verifies', async () => {
    const cache = freshCache();
    const request = join(dir, 'request.json');
    await writeFile(request, JSON.stringify(issueRequestNow('AUTH-E2E-1')));
    const issued = await runDcc(['issue', request, '--json'], { env: clientEnv('hz-sde', oldKey.pem, cache) });
    expect(issued.stderr).toBe('');
    expect(issued.code).toBe(0);
    certificate = JSON.parse(issued.stdout) as { id: string; token: string };
    expect(decodeJwt(certificate.token)).toMatchObject({ credentialSubject: { transaction: { exchange: { id: 'hz-sde', name: 'Hangzhou Data Exchange' } } } });

    // The token dcc obtained is the service's RS256 access token for client hz-sde, cached 0600.
    const cachedFiles = await readdirJson(join(cache, 'dcc'));
    expect(cachedFiles).toHaveLength(1);
    const [cached] = cachedFiles as [{ accessToken: string }];
    expect(decodeProtectedHeader(cached.accessToken)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(decodeJwt(cached.accessToken)).toMatchObject({ client_id: 'hz-sde', sub: 'hz-sde', scope: 'dcc/issue' });

    const verified = await runDccHere(['verify', '-', '--jwks', `${running().url}/.well-known/jwks.json`, '--online'], { stdin: certificate.token });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^VALID/);
  });

  it('an exchange may not register exchanges: the admin route refuses its token (exit 1)', async () => {
    const run = await runDccHere(['admin', 'exchange', 'show', 'hz-sde'], { env: clientEnv('hz-sde', oldKey.pem) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error 403/);
  });

  it('rotation: old and new keys together, then the new alone; the old key is then refused with invalid_client', async () => {
    const generated = await runDccHere(['keygen', join(dir, 'hz-sde-2027'), '--alg', 'EdDSA', '--json']);
    expect(generated.code).toBe(0);
    const printed = JSON.parse(generated.stdout) as { kid: string; privateKey: string; jwks: string };
    newKey = { kid: printed.kid, pem: printed.privateKey, jwks: printed.jwks };

    const both = await runDccHere(['admin', 'exchange', 'register', 'hz-sde', '--name', 'Hangzhou Data Exchange', '--jwks', oldKey.jwks, '--jwks', newKey.jwks], {
      env: adminEnv,
    });
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(/^Replaced\n/);
    for (const key of [oldKey, newKey]) {
      const get = await runDccHere(['get', certificate.id, '--json'], { env: clientEnv('hz-sde', key.pem) });
      expect(get.stderr).toBe('');
      expect(get.code).toBe(0);
    }

    const only = await runDccHere(['admin', 'exchange', 'register', 'hz-sde', '--name', 'Hangzhou Data Exchange', '--jwks', newKey.jwks, '--json'], { env: adminEnv });
    expect(only.code).toBe(0);
    expect((JSON.parse(only.stdout) as { jwks: { keys: { kid: string }[] } }).jwks.keys.map((k) => k.kid)).toEqual([newKey.kid]);

    const refused = await runDccHere(['get', certificate.id], { env: clientEnv('hz-sde', oldKey.pem) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^dcc: the token endpoint refused client hz-sde: HTTP 401 invalid_client/);
    const accepted = await runDccHere(['get', certificate.id, '--json'], { env: clientEnv('hz-sde', newKey.pem) });
    expect(accepted.code).toBe(0);
    expect(JSON.parse(accepted.stdout)).toMatchObject({ id: certificate.id, status: 'active' });
  });

  it('a suspended exchange obtains no token; reinstated, it does again', async () => {
    const register = (status: string) =>
      runDccHere(['admin', 'exchange', 'register', 'hz-sde', '--name', 'Hangzhou Data Exchange', '--jwks', newKey.jwks, '--status', status], { env: adminEnv });
    expect((await register('suspended')).code).toBe(0);
    const refused = await runDccHere(['get', certificate.id], { env: clientEnv('hz-sde', newKey.pem) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused client hz-sde: HTTP 401 invalid_client/);
    expect((await register('active')).code).toBe(0);
    expect((await runDccHere(['get', certificate.id], { env: clientEnv('hz-sde', newKey.pem) })).code).toBe(0);
  });

  it('the admin registers an auditor client (RS256 key), which then reads the audit trail', async () => {
    const generated = await runDccHere(['keygen', join(dir, 'auditor'), '--alg', 'RS256', '--json']);
    const printed = JSON.parse(generated.stdout) as { privateKey: string; jwks: string };
    const registered = await runDccHere(
      ['admin', 'client', 'register', 'auditor.cac.gov.cn', '--role', 'auditor', '--name', 'Provincial data authority', '--jwks', printed.jwks],
      { env: adminEnv },
    );
    expect(registered.stderr).toBe('');
    expect(registered.code).toBe(0);
    expect(registered.stdout).toMatch(/^Registered\n/);
    expect(registered.stdout).toContain('Role          auditor');
    const get = await runDccHere(['get', certificate.id, '--json'], { env: clientEnv('auditor.cac.gov.cn', printed.privateKey) });
    expect(get.stderr).toBe('');
    expect(get.code).toBe(0);
    // An auditor may not issue.
    const issue = await runDccHere(['issue', '-'], { env: clientEnv('auditor.cac.gov.cn', printed.privateKey), stdin: JSON.stringify(issueRequestNow('AUTH-E2E-AUDITOR')) });
    expect(issue.code).toBe(1);
    expect(issue.stderr).toMatch(/^error 403/);
  });

  it('the service refuses what dcc would have refused too: an unknown exchange shows 404, exit 1', async () => {
    const run = await runDccHere(['admin', 'exchange', 'show', 'nowhere'], { env: adminEnv });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error 404/);
  });

  it("the README's token request without dcc (openssl + curl, and the node one-liner) gets a token that works", async () => {
    const blocks = testedReadmeBlocks(await readFile(README, 'utf8'));
    expect(blocks).toHaveLength(2);
    const ed = await runDccHere(['keygen', join(dir, 'curl-client'), '--alg', 'EdDSA', '--json']);
    const es = await runDccHere(['keygen', join(dir, 'node-client'), '--json']);
    const keys = [JSON.parse(ed.stdout), JSON.parse(es.stdout)] as { privateKey: string; jwks: string }[];
    for (const [i, block] of blocks.entries()) {
      const exchangeId = ['curl-client', 'node-client'][i] as string;
      const key = keys[i] as { privateKey: string; jwks: string };
      expect((await runDccHere(['admin', 'exchange', 'register', exchangeId, '--name', exchangeId, '--jwks', key.jwks], { env: adminEnv })).code).toBe(0);
      const { stdout } = await execFileAsync('bash', ['-euo', 'pipefail', '-c', block], {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '', API: running().url, CLIENT_ID: exchangeId, KEY: key.privateKey },
      });
      const response = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { access_token: string; token_type: string; scope: string };
      expect(response).toMatchObject({ token_type: 'Bearer', scope: 'dcc/issue' });
      const issued = await runDccHere(['issue', '-', '--json', '--token', response.access_token, '--api', running().url], {
        stdin: JSON.stringify(issueRequestNow(`AUTH-E2E-README-${i}`)),
      });
      expect(issued.stderr).toBe('');
      expect(issued.code).toBe(0);
    }
  });
});

/** The shell blocks of the README marked as run by this file, in order. */
function testedReadmeBlocks(readme: string): string[] {
  const marker = '<!-- run by test/cli/auth.test.ts -->';
  return readme
    .split(marker)
    .slice(1)
    .map((after) => {
      const match = /^\s*```sh\n([\s\S]*?)\n```/.exec(after);
      if (!match?.[1]) throw new Error('a marked README block is not a sh code block');
      return match[1];
    });
}

async function readdirJson(folder: string): Promise<{ accessToken: string }[]> {
  const names = (await readdir(folder)).filter((n) => n.endsWith('.json'));
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(folder, n), 'utf8')) as { accessToken: string }));
}
