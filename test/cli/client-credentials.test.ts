import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jwkThumbprint } from '#shared/crypto/jwk-thumbprint.ts';
import { ASSERTION_LIFETIME_SECONDS, buildClientAssertion } from '../../cli/client-assertion.ts';
import { loadClientKey } from '../../cli/client-key.ts';
import { clientJwksOf } from '../../cli/client-jwks.ts';
import { MAX_CLIENT_KEYS } from '#shared/domain/client-registration.ts';
import type { AssertionAlgorithm as ClientAlg } from '#shared/domain/oauth.ts';
import { EXPIRY_MARGIN_SECONDS, TokenCache, tokenCacheDir } from '../../cli/token-cache.ts';
import { runDccHere } from './support/run-dcc.ts';

/**
 * `dcc` as an OAuth client, without the service: key files, the assertion it signs (decoded and
 * verified with the public key), the key sets it checks before registering them, the token cache
 * with a clock of the test's choosing, and the whole exchange against a small token endpoint and
 * API written here (node:http on 127.0.0.1) that checks every assertion as the contract says
 * (signature by a registered key, iss = sub = client id, aud = its own URL, exp at most 300 s
 * ahead, jti once). The same flow against the real service is test/cli/auth.test.ts.
 */

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-auth-unit-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function keyFile(name: string, key: ReturnType<typeof generateKeyPairSync>['privateKey'], as: 'pem' | 'jwk' = 'pem'): Promise<string> {
  const file = join(dir, `${name}.${as === 'pem' ? 'pem' : 'json'}`);
  await writeFile(file, as === 'pem' ? (key.export({ format: 'pem', type: 'pkcs8' }) as string) : JSON.stringify(key.export({ format: 'jwk' })), { mode: 0o600 });
  return file;
}

const pairs = {
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  EdDSA: () => generateKeyPairSync('ed25519'),
} satisfies Record<ClientAlg, unknown>;

describe('client keys', () => {
  it.each(Object.entries(pairs))('reads a %s key from PKCS#8 PEM and from a private JWK, kid = RFC 7638 thumbprint', async (alg, make) => {
    const { privateKey, publicKey } = make();
    const publicJwk = publicKey.export({ format: 'jwk' });
    for (const as of ['pem', 'jwk'] as const) {
      const key = await loadClientKey(await keyFile(`${alg}-${as}`, privateKey, as));
      expect(key.alg).toBe(alg);
      expect(key.kid).toBe(jwkThumbprint(publicJwk));
      expect(key.publicJwk).not.toHaveProperty('d');
      expect(key.publicJwk).toMatchObject({ ...publicJwk, alg, use: 'sig' });
    }
  });

  it('takes --client-key-id over the JWK kid over the thumbprint', async () => {
    const { privateKey } = pairs.ES256();
    const file = join(dir, 'with-kid.json');
    await writeFile(file, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'key-2027' }));
    expect((await loadClientKey(file)).kid).toBe('key-2027');
    expect((await loadClientKey(file, 'given')).kid).toBe('given');
  });

  it('refuses keys the service would refuse, and files that are not private keys, with the reason', async () => {
    const refusals: [string, string, RegExp][] = [
      ['p384', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, /secp384r1.*P-256/],
      ['rsa1024', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, /1024 bits is too short/],
      ['ed448', generateKeyPairSync('ed448').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, /ed448 key cannot sign/],
      ['public', pairs.ES256().publicKey.export({ format: 'pem', type: 'spki' }) as string, /not a private key/],
      ['public-jwk', JSON.stringify(pairs.ES256().publicKey.export({ format: 'jwk' })), /is a public key/],
      ['jwks', JSON.stringify({ keys: [] }), /is a key set/],
      ['encrypted', pairs.ES256().privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }) as string, /is encrypted/],
      ['garbage', 'hello', /neither a PEM private key nor a private JWK/],
    ];
    for (const [name, text, message] of refusals) {
      const file = join(dir, `refused-${name}`);
      await writeFile(file, text);
      await expect(loadClientKey(file), name).rejects.toThrow(message);
    }
    await expect(loadClientKey(join(dir, 'missing.pem'))).rejects.toThrow(/cannot read the client key .*ENOENT/);
  });
});

describe('the client assertion', () => {
  it.each(Object.keys(pairs) as ClientAlg[])('%s: header alg and kid, iss = sub = client id, aud = token endpoint, 60 s, random jti; verifies with the public key', async (alg) => {
    const { privateKey, publicKey } = pairs[alg]();
    const key = await loadClientKey(await keyFile(`assert-${alg}`, privateKey));
    const now = new Date('2031-05-06T07:08:09.750Z');
    const endpoint = 'https://dcc.example.gov.cn/oauth2/token';
    const assertion = await buildClientAssertion({ key, clientId: 'hz-sde', tokenEndpoint: endpoint, now });
    expect(decodeProtectedHeader(assertion)).toEqual({ alg, kid: key.kid });
    const claims = decodeJwt(assertion);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sub']);
    const iat = Math.floor(now.getTime() / 1000);
    expect(claims).toMatchObject({ iss: 'hz-sde', sub: 'hz-sde', aud: endpoint, iat, exp: iat + ASSERTION_LIFETIME_SECONDS });
    expect(ASSERTION_LIFETIME_SECONDS).toBeLessThanOrEqual(300);
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const verified = await jwtVerify(assertion, publicKey, { algorithms: [alg], audience: endpoint, issuer: 'hz-sde', subject: 'hz-sde', currentDate: now });
    expect(verified.payload.jti).toBe(claims.jti);
    // Another key of the same kind does not verify it.
    await expect(jwtVerify(assertion, pairs[alg]().publicKey, { algorithms: [alg], currentDate: now })).rejects.toThrow(/signature verification failed/);
    const again = await buildClientAssertion({ key, clientId: 'hz-sde', tokenEndpoint: endpoint, now });
    expect(decodeJwt(again).jti).not.toBe(claims.jti);
  });
});

describe('client key sets before registration', () => {
  const publicJwk = (alg: ClientAlg, kid: string = randomUUID()) => ({ ...pairs[alg]().publicKey.export({ format: 'jwk' }), kid });

  it('accepts 1 to 5 public keys of the three kinds, keeps only their public members, merges files', () => {
    const a = publicJwk('ES256', 'a');
    const b = { ...publicJwk('EdDSA', 'b'), alg: 'EdDSA', use: 'sig', x5c: ['MII…'] };
    const c = publicJwk('RS256', 'c');
    const jwks = clientJwksOf([
      { name: 'old.jwks.json', json: { keys: [a, b] } },
      { name: 'new.jwks.json', json: { keys: [a, c] } },
    ]);
    expect(jwks.keys.map((k) => k.kid)).toEqual(['a', 'b', 'c']);
    expect(jwks.keys[1]).toEqual({ kty: 'OKP', crv: 'Ed25519', x: b.x, kid: 'b', alg: 'EdDSA', use: 'sig' });
  });

  it('refuses a private key with a clear message, and every other rule broken', () => {
    const cases: [unknown, RegExp][] = [
      [{ keys: [{ ...pairs.ES256().privateKey.export({ format: 'jwk' }), kid: 'p' }] }, /is a private key \(it has "d"\).*nothing was sent/],
      [{ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 's' }] }, /is a private key \(it has "k"\)/],
      [{ keys: [] }, /holds no key/],
      [{ keys: Array.from({ length: MAX_CLIENT_KEYS + 1 }, (_, i) => publicJwk('EdDSA', `k${i}`)) }, /6 keys: a client registers at most 5/],
      [{ keys: [publicJwk('ES256', 'same'), publicJwk('ES256', 'same')] }, /kid "same" names two different keys/],
      [{ keys: [{ ...publicJwk('ES256'), kid: undefined }] }, /has no "kid"/],
      [{ keys: [{ ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }), kid: 'x' }] }, /P-256/],
      [{ keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'r' }] }, /too short/],
      [{ keys: [{ ...publicJwk('ES256'), alg: 'RS256' }] }, /says "alg": "RS256", but the key signs ES256/],
      [{ keys: [{ ...publicJwk('ES256'), use: 'enc' }] }, /"use": "enc"/],
      [{ keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', kid: 'bad' }] }, /not a usable public key/],
      [[1, 2], /not a key set/],
    ];
    for (const [json, message] of cases) expect(() => clientJwksOf([{ name: 'f.json', json }])).toThrow(message);
  });
});

describe('the token cache', () => {
  const key = { api: 'https://dcc.example.gov.cn', clientId: 'hz-sde', scope: '' };

  it('lives in $XDG_CACHE_HOME/dcc, else ~/.cache/dcc', () => {
    expect(tokenCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/a' })).toBe('/x/cache/dcc');
    expect(tokenCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/a' })).toBe('/home/a/.cache/dcc');
    expect(tokenCacheDir({ HOME: '/home/a' })).toBe('/home/a/.cache/dcc');
  });

  it('keeps a token in a 0600 file until a minute before it expires, per API, client and scope', async () => {
    const cache = new TokenCache(join(dir, 'cache-a'));
    const expiresAt = Date.parse('2031-01-01T01:00:00Z');
    await cache.put(key, { accessToken: 'T1', expiresAt });
    const files = await readdir(cache.dir);
    expect(files).toHaveLength(1);
    expect((await stat(join(cache.dir, files[0] as string))).mode & 0o777).toBe(0o600);
    expect((await stat(cache.dir)).mode & 0o077).toBe(0);
    const last = new Date(expiresAt - EXPIRY_MARGIN_SECONDS * 1000 - 1);
    expect(await cache.get(key, last)).toEqual({ accessToken: 'T1', expiresAt });
    expect(await cache.get(key, new Date(expiresAt - EXPIRY_MARGIN_SECONDS * 1000))).toBeUndefined();
    expect(await cache.get({ ...key, scope: 'dcc/read' }, last)).toBeUndefined();
    expect(await cache.get({ ...key, clientId: 'other' }, last)).toBeUndefined();
    expect(await cache.get({ ...key, api: 'https://elsewhere.example' }, last)).toBeUndefined();
    await cache.delete(key);
    expect(await cache.get(key, last)).toBeUndefined();
  });

  it('never uses (and removes) a token file others can read', async () => {
    const cache = new TokenCache(join(dir, 'cache-b'));
    await cache.put(key, { accessToken: 'T1', expiresAt: Date.parse('2031-01-01T01:00:00Z') });
    const [file] = await readdir(cache.dir);
    await chmod(join(cache.dir, file as string), 0o644);
    expect(await cache.get(key, new Date('2031-01-01T00:00:00Z'))).toBeUndefined();
    expect(await readdir(cache.dir)).toEqual([]);
  });
});

/**
 * A token endpoint and an API in one node:http server. The token endpoint checks assertions as
 * the contract says; the API admits tokens it issued that it has not been told to reject.
 */
interface FakeService {
  url: string;
  server: Server;
  tokenRequests: URLSearchParams[];
  apiRequests: { path: string; authorization: string | undefined }[];
  /** Access tokens the API answers 401 to (revoked, say). */
  rejected: Set<string>;
  /** Whether the API answers 401 to every token. */
  rejectAll: boolean;
  /** What the token endpoint says for the next requests, instead of checking. */
  refuseWith?: { status: number; body: unknown };
  expiresIn: number;
  /** The token endpoint's clock: the test's, as dcc's. */
  now: () => Date;
}

async function startFakeService(clientId: string, jwks: { keys: object[] }): Promise<FakeService> {
  const seenJti = new Set<string>();
  const issued = new Set<string>();
  const state = { tokenRequests: [], apiRequests: [], rejected: new Set<string>(), rejectAll: false, expiresIn: 3600, now: () => new Date() } as unknown as FakeService;
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const base = state.url;
    if (req.url === '/.well-known/openid-configuration') {
      return json(res, 200, { issuer: base, token_endpoint: `${base}/oauth2/token`, token_endpoint_auth_methods_supported: ['private_key_jwt'] });
    }
    if (req.url === '/oauth2/token' && req.method === 'POST') {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      state.tokenRequests.push(form);
      if (state.refuseWith) return json(res, state.refuseWith.status, state.refuseWith.body);
      const assertion = form.get('client_assertion') ?? '';
      try {
        if (form.get('grant_type') !== 'client_credentials') throw new Error('grant');
        if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new Error('type');
        const { payload } = await jwtVerify(assertion, createLocalJWKSet(jwks as never), {
          algorithms: ['ES256', 'RS256', 'EdDSA'],
          issuer: clientId,
          subject: clientId,
          audience: `${base}/oauth2/token`,
          requiredClaims: ['exp', 'iat', 'jti'],
          currentDate: state.now(),
        });
        if ((payload.exp as number) > state.now().getTime() / 1000 + 300) throw new Error('exp');
        if (seenJti.has(payload.jti as string)) throw new Error('replay');
        seenJti.add(payload.jti as string);
      } catch (error) {
        return json(res, 401, { error: 'invalid_client', error_description: `assertion refused (${(error as Error).message})` });
      }
      const token = `at-${randomUUID()}`;
      issued.add(token);
      return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: state.expiresIn, scope: form.get('scope') ?? 'dcc/issue' });
    }
    const authorization = req.headers.authorization;
    state.apiRequests.push({ path: req.url ?? '', authorization });
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    if (!issued.has(token) || state.rejected.has(token) || state.rejectAll) return json(res, 401, { title: 'Unauthorized', status: 401 });
    return json(res, 200, { exchangeId: 'hz-sde', name: 'Hangzhou Data Exchange', status: 'active', jwks });
  };
  state.server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

describe('dcc with client credentials', () => {
  let service: FakeService;
  let keyPath: string;
  let cacheHome: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    const { privateKey, publicKey } = pairs.ES256();
    keyPath = await keyFile('flow', privateKey);
    const jwk = publicKey.export({ format: 'jwk' });
    service = await startFakeService('hz-sde', { keys: [{ ...jwk, kid: jwkThumbprint(jwk), alg: 'ES256' }] });
  });

  afterAll(async () => {
    await new Promise((resolve) => service.server.close(resolve));
  });

  beforeEach(async () => {
    cacheHome = await mkdtemp(join(dir, 'xdg-'));
    env = { DCC_API_URL: service.url, XDG_CACHE_HOME: cacheHome, DCC_CLIENT_ID: 'hz-sde', DCC_CLIENT_KEY: keyPath };
    service.tokenRequests.length = 0;
    service.apiRequests.length = 0;
    delete service.refuseWith;
    service.expiresIn = 3600;
  });

  const show = (now: Date, extra: Record<string, string> = {}) => {
    service.now = () => now;
    return runDccHere(['admin', 'exchange', 'show', 'hz-sde', '--json'], { env: { ...env, ...extra }, now: () => now });
  };

  it('obtains one token, caches it 0600, and reuses it until a minute before it expires', async () => {
    const t0 = new Date();
    const first = await show(t0);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ exchangeId: 'hz-sde' });
    expect(service.tokenRequests).toHaveLength(1);
    expect(service.tokenRequests[0]?.get('client_id')).toBe('hz-sde');
    expect(service.tokenRequests[0]?.has('scope')).toBe(false);
    const files = await readdir(join(cacheHome, 'dcc'));
    expect(files).toHaveLength(1);
    expect((await stat(join(cacheHome, 'dcc', files[0] as string))).mode & 0o777).toBe(0o600);
    const cached = JSON.parse(await readFile(join(cacheHome, 'dcc', files[0] as string), 'utf8')) as { accessToken: string; expiresAt: number };
    expect(cached.expiresAt).toBe(t0.getTime() + 3600_000);

    // 59 minutes later (injected clock) the same token is sent; a second later, a new one is fetched.
    expect((await show(new Date(t0.getTime() + 3540_000 - 1))).code).toBe(0);
    expect(service.tokenRequests).toHaveLength(1);
    expect(service.apiRequests[1]?.authorization).toBe(`Bearer ${cached.accessToken}`);
    expect((await show(new Date(t0.getTime() + 3540_000))).code).toBe(0);
    expect(service.tokenRequests).toHaveLength(2);
    expect(service.apiRequests[2]?.authorization).not.toBe(`Bearer ${cached.accessToken}`);
  });

  it('keeps tokens apart per scope', async () => {
    const now = new Date();
    await show(now, {});
    await runDccHere(['admin', 'exchange', 'show', 'hz-sde', '--scope', 'dcc/read'], { env, now: () => now });
    expect(service.tokenRequests.map((f) => f.get('scope'))).toEqual([null, 'dcc/read']);
    expect(await readdir(join(cacheHome, 'dcc'))).toHaveLength(2);
  });

  it('on a 401 forgets the cached token and retries once with a new one', async () => {
    const now = new Date();
    await show(now);
    const [file] = await readdir(join(cacheHome, 'dcc'));
    const old = (JSON.parse(await readFile(join(cacheHome, 'dcc', file as string), 'utf8')) as { accessToken: string }).accessToken;
    service.rejected.add(old);
    const run = await show(now);
    expect(run.code).toBe(0);
    expect(service.tokenRequests).toHaveLength(2);
    expect(service.apiRequests.slice(1).map((r) => r.authorization === `Bearer ${old}`)).toEqual([true, false]);
    const fresh = (JSON.parse(await readFile(join(cacheHome, 'dcc', file as string), 'utf8')) as { accessToken: string }).accessToken;
    expect(fresh).not.toBe(old);

    // A second 401 is the answer: exit 1, the problem printed, no third attempt.
    service.rejectAll = true;
    try {
      const refused = await show(now);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^error 401 Unauthorized/);
      expect(service.tokenRequests).toHaveLength(3);
      expect(service.apiRequests).toHaveLength(5);
    } finally {
      service.rejectAll = false;
    }
  });

  it('reports a refused assertion with the OAuth error, exit 1, nothing cached', async () => {
    service.refuseWith = { status: 401, body: { error: 'invalid_client', error_description: 'no registered key has kid "x"' } };
    const run = await show(new Date());
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('dcc: the token endpoint refused client hz-sde: HTTP 401 invalid_client — no registered key has kid "x"\n');
    expect(service.apiRequests).toHaveLength(0);
    await expect(readdir(join(cacheHome, 'dcc'))).rejects.toThrow(/ENOENT/);
  });

  it('signs with the wrong key and is refused by the endpoint (the assertion really is checked)', async () => {
    const other = await keyFile('other', pairs.ES256().privateKey);
    const run = await show(new Date(), { DCC_CLIENT_KEY: other });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refused client hz-sde: HTTP 401 invalid_client/);
  });

  it('chooses credentials without ambiguity: usage errors exit 2 before any request', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--token', 't', '--client-id', 'hz-sde'], {}, /either --token or --client-id\/--client-key, not both/],
      [[], { DCC_TOKEN: 't' }, /DCC_TOKEN and DCC_CLIENT_ID\/DCC_CLIENT_KEY are both set/],
      [['--client-id', 'hz-sde'], { DCC_CLIENT_ID: '', DCC_CLIENT_KEY: '' }, /--client-id needs --client-key/],
      [[], { DCC_CLIENT_ID: '' }, /DCC_CLIENT_KEY needs DCC_CLIENT_ID/],
      [[], { DCC_CLIENT_ID: '', DCC_CLIENT_KEY: '' }, /no credentials: pass --client-id and --client-key/],
      [['--client-key', join(dir, 'nope.pem'), '--client-id', 'hz-sde'], {}, /cannot read the client key/],
    ];
    for (const [args, extra, message] of cases) {
      const run = await runDccHere(['admin', 'exchange', 'show', 'hz-sde', ...args], { env: { ...env, ...extra } });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    expect(service.tokenRequests).toHaveLength(0);
    expect(service.apiRequests).toHaveLength(0);
  });

  it('an explicit --token still works, and wins over client credentials in the environment', async () => {
    // The service admits only tokens it issued: get one the usual way, then pass it as --token.
    await show(new Date());
    const [file] = await readdir(join(cacheHome, 'dcc'));
    const token = (JSON.parse(await readFile(join(cacheHome, 'dcc', file as string), 'utf8')) as { accessToken: string }).accessToken;
    const run = await runDccHere(['admin', 'exchange', 'show', 'hz-sde', '--token', token], { env });
    expect(run.code).toBe(0);
    expect(service.apiRequests.at(-1)?.authorization).toBe(`Bearer ${token}`);
    expect(service.tokenRequests).toHaveLength(1);
  });
});

describe('dcc admin checks the key set before sending it', () => {
  it('refuses a private key (JWK or PEM) passed as --jwks, sends nothing, exits 2', async () => {
    const { privateKey } = pairs.ES256();
    const jwkFile = join(dir, 'private-as-jwks.json');
    await writeFile(jwkFile, JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'k' }] }));
    const pemFile = await keyFile('private-as-pem', privateKey);
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const file of [jwkFile, pemFile]) {
        const run = await runDccHere(['admin', 'exchange', 'register', 'hz-sde', '--name', 'Hangzhou Data Exchange', '--jwks', file, '--token', 't', '--api', api]);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(/is a private key.*register the public key set only.*nothing was sent/);
      }
      const badId = await runDccHere(['admin', 'client', 'register', 'auditor', '--role', 'auditor', '--name', 'A', '--jwks', jwkFile, '--token', 't', '--api', api]);
      expect(badId.code).toBe(2);
      expect(badId.stderr).toMatch(/not an auditor or admin client id/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(requests).toBe(0);
  });
});

describe('dcc keygen', () => {
  it.each(['ES256', 'EdDSA', 'RS256'] as const)('%s: a 0600 PKCS#8 private key and a public JWKS whose kid is the thumbprint; never overwrites', async (alg) => {
    const name = join(dir, `keygen-${alg}`);
    const run = await runDccHere(['keygen', name, '--alg', alg, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { kid: string; alg: string; privateKey: string; jwks: string };
    expect(printed).toMatchObject({ alg, privateKey: `${name}.pem`, jwks: `${name}.jwks.json` });
    expect((await stat(`${name}.pem`)).mode & 0o777).toBe(0o600);
    const pem = await readFile(`${name}.pem`, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const jwks = JSON.parse(await readFile(`${name}.jwks.json`, 'utf8')) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    const [jwk] = jwks.keys as [Record<string, string>];
    expect(jwk).not.toHaveProperty('d');
    expect(jwk.kid).toBe(printed.kid);
    expect(jwkThumbprint(createPublicKey(pem).export({ format: 'jwk' }))).toBe(jwk.kid);
    // What keygen writes is what admin accepts and what the client signs with.
    expect(clientJwksOf([{ name: 'k', json: jwks }]).keys).toHaveLength(1);
    const key = await loadClientKey(`${name}.pem`);
    expect(key.kid).toBe(jwk.kid);
    const assertion = await buildClientAssertion({ key, clientId: 'c.d', tokenEndpoint: 'https://x/oauth2/token', now: new Date() });
    await expect(new SignJWT({}).setProtectedHeader({ alg }).sign(key.privateKey)).resolves.toBeTypeOf('string');
    await expect(jwtVerify(assertion, createLocalJWKSet(jwks as never), { algorithms: [alg] })).resolves.toBeTruthy();

    const again = await runDccHere(['keygen', name, '--alg', alg]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists: dcc keygen never overwrites a key/);
    expect(await readFile(`${name}.pem`, 'utf8')).toBe(pem);
  });
});
