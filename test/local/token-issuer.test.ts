import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT, base64url, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JwtAuthorizer, claimsAsStrings, createJwtAuthorizer } from '#local/jwt-authorizer.ts';
import {
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  LOCAL_ROLES,
  LOCAL_TOKEN_ISSUER,
  type LocalRole,
  LocalTokenIssuer,
  ROLE_CLIENT_IDS,
} from '#local/token-issuer.ts';
import { routes } from '#shared/http/routes.ts';

let dataDir: string;
let issuer: LocalTokenIssuer;
let authorize: JwtAuthorizer;
let audience: Set<string>;

const ISSUE = ['dcc/issue'];
const READ_ROUTE = ['dcc/issue', 'dcc/read', 'dcc/revoke'];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dcc-token-'));
  issuer = await LocalTokenIssuer.open({ dataDir });
  audience = new Set(['demo-exchange', ROLE_CLIENT_IDS.auditor, ROLE_CLIENT_IDS.admin]);
  authorize = createJwtAuthorizer({
    issuer: LOCAL_TOKEN_ISSUER,
    keys: [{ kid: issuer.keyId, key: issuer.publicKey }],
    audience: () => audience,
  });
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Signs arbitrary claims with the issuer's own private key (read from its file, as an attacker with the file could). */
async function signWithIssuerKey(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const key = createPrivateKey(await readFile(join(dataDir, 'token-issuer.pem'), 'utf8'));
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: 'demo-exchange', sub: 'demo-exchange', scope: 'dcc/issue', iss: LOCAL_TOKEN_ISSUER, iat: now, exp: now + 600, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: issuer.keyId, ...header })
    .sign(key);
}

function expectDenied(decision: Awaited<ReturnType<JwtAuthorizer>>, status: 401 | 403, description?: RegExp) {
  expect(decision.effect).toBe('deny');
  if (decision.effect !== 'deny') return;
  expect(decision.status).toBe(status);
  expect(decision.code).toBe(status === 401 ? 'unauthorized' : 'insufficient-scope');
  expect(decision.challenge).toMatch(/^Bearer/);
  if (description) expect(decision.challenge).toMatch(description);
}

describe('the issuer key file', () => {
  it('is created once as a private PKCS#8 P-256 key and reused', async () => {
    const path = join(dataDir, 'token-issuer.pem');
    const pem = await readFile(path, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(createPrivateKey(pem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const again = await LocalTokenIssuer.open({ dataDir });
    expect(again.keyId).toBe(issuer.keyId);
    expect(await readFile(path, 'utf8')).toBe(pem);
  });

  it('is the same key for every process that races to create it', async () => {
    const fresh = join(dataDir, 'fresh');
    const opened = await Promise.all(Array.from({ length: 8 }, () => LocalTokenIssuer.open({ dataDir: fresh })));
    expect(new Set(opened.map((i) => i.keyId)).size).toBe(1);
  });

  it('refuses a key file that is not a P-256 key', async () => {
    const other = join(dataDir, 'rsa');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { writeFileAtomic } = await import('#shared/adapters/key-file/files.ts');
    await writeFileAtomic(join(other, 'token-issuer.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await expect(LocalTokenIssuer.open({ dataDir: other })).rejects.toThrow(/not a P-256 private key/);
  });
});

describe('issued tokens', () => {
  it('look like Cognito client-credentials access tokens', async () => {
    const token = await issuer.issue({ role: 'exchange', exchangeId: 'hz-data-exchange' });
    const header = decodeProtectedHeader(token);
    expect(header).toEqual({ alg: 'ES256', kid: issuer.keyId });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: LOCAL_TOKEN_ISSUER,
      sub: 'hz-data-exchange',
      client_id: 'hz-data-exchange',
      token_use: 'access',
      scope: 'dcc/issue',
    });
    expect(claims.aud).toBeUndefined();
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect((claims.exp as number) - (claims.iat as number)).toBe(DEFAULT_TOKEN_LIFETIME_SECONDS);
  });

  it('carry the scopes and client id of each role', async () => {
    const scopes = async (t: string) => decodeJwt(t)['scope'];
    expect(await scopes(await issuer.issue({ role: 'exchange' }))).toBe('dcc/issue');
    expect(decodeJwt(await issuer.issue({ role: 'exchange' })).client_id).toBe('demo-exchange');
    expect(await scopes(await issuer.issue({ role: 'auditor' }))).toBe('dcc/read');
    expect(decodeJwt(await issuer.issue({ role: 'auditor' })).sub).toBe(ROLE_CLIENT_IDS.auditor);
    expect(await scopes(await issuer.issue({ role: 'admin' }))).toBe('dcc/read dcc/revoke');
  });

  it('refuse an invalid exchange id', async () => {
    await expect(issuer.issue({ role: 'exchange', exchangeId: 'Bad Id' })).rejects.toThrow(TypeError);
  });
});

describe('the JWT authorizer', () => {
  it('admits a valid token and hands over its claims as strings and its scopes', async () => {
    const token = await issuer.issue({ role: 'admin' });
    const decision = await authorize(`Bearer ${token}`, READ_ROUTE);
    expect(decision.effect).toBe('allow');
    if (decision.effect !== 'allow') return;
    expect(decision.scopes).toEqual(['dcc/read', 'dcc/revoke']);
    expect(decision.claims['client_id']).toBe(ROLE_CLIENT_IDS.admin);
    expect(decision.claims['iat']).toBe(String(decodeJwt(token).iat));
    expect(decision.claims['version']).toBe('2');
    expect(Object.values(decision.claims).every((v) => typeof v === 'string')).toBe(true);
  });

  it('accepts the token without the Bearer prefix, and the prefix in any case', async () => {
    const token = await issuer.issue({ role: 'exchange' });
    expect((await authorize(token, ISSUE)).effect).toBe('allow');
    expect((await authorize(`bearer ${token}`, ISSUE)).effect).toBe('allow');
  });

  it('refuses a request without a token with a bare Bearer challenge', async () => {
    for (const header of [undefined, '', '   ']) {
      const d = await authorize(header, ISSUE);
      expectDenied(d, 401);
      if (d.effect === 'deny') expect(d.challenge).toBe('Bearer');
    }
  });

  it('refuses an expired token', async () => {
    const past = await LocalTokenIssuer.open({ dataDir, lifetimeSeconds: 60, now: () => new Date(Date.now() - 61_000) });
    expectDenied(await authorize(`Bearer ${await past.issue({ role: 'exchange' })}`, ISSUE), 401, /error="invalid_token" error_description="the token has expired"/);
  });

  it('refuses a token that is not valid yet, or issued in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectDenied(await authorize(await signWithIssuerKey({ nbf: now + 120 }), ISSUE), 401, /not valid yet/);
    expectDenied(await authorize(await signWithIssuerKey({ iat: now + 120 }), ISSUE), 401, /issued in the future/);
  });

  it('refuses a token without exp', async () => {
    expectDenied(await authorize(await signWithIssuerKey({ exp: undefined }), ISSUE), 401);
  });

  it('refuses a token of another issuer, even signed with the right key', async () => {
    expectDenied(await authorize(await signWithIssuerKey({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x' }), ISSUE), 401, /valid issuer/);
  });

  it('refuses HS256 signed with the public key as the HMAC secret (algorithm confusion)', async () => {
    const spki = issuer.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const now = Math.floor(Date.now() / 1000);
    for (const secret of [new TextEncoder().encode(spki), new TextEncoder().encode(JSON.stringify(await issuer.publicJwk()))]) {
      const forged = await new SignJWT({ client_id: 'demo-exchange', scope: 'dcc/issue dcc/revoke', iss: LOCAL_TOKEN_ISSUER, iat: now, exp: now + 600 })
        .setProtectedHeader({ alg: 'HS256', kid: issuer.keyId })
        .sign(secret);
      expectDenied(await authorize(`Bearer ${forged}`, ISSUE), 401, /algorithm that is not allowed/);
    }
  });

  it('refuses an unsecured (alg none) token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsecured = new UnsecuredJWT({ client_id: 'demo-exchange', scope: 'dcc/issue', iss: LOCAL_TOKEN_ISSUER, iat: now, exp: now + 600 }).encode();
    // `none` tokens carry no kid; give them ours to get past the key lookup.
    const [, payload] = unsecured.split('.');
    const withKid = `${base64url.encode(JSON.stringify({ alg: 'none', kid: issuer.keyId }))}.${payload}.`;
    expectDenied(await authorize(unsecured, ISSUE), 401);
    expectDenied(await authorize(withKid, ISSUE), 401);
  });

  it('refuses a tampered token', async () => {
    const token = await issuer.issue({ role: 'auditor' });
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
    claims.scope = 'dcc/read dcc/revoke';
    const tampered = `${h}.${base64url.encode(JSON.stringify(claims))}.${s}`;
    expectDenied(await authorize(`Bearer ${tampered}`, ['dcc/revoke']), 401, /signature does not verify/);
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`;
    expectDenied(await authorize(`Bearer ${flipped}`, ['dcc/read']), 401);
  });

  it('refuses a token signed by another key under our kid, or under an unknown kid', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Math.floor(Date.now() / 1000);
    const body = { client_id: 'demo-exchange', scope: 'dcc/issue', iss: LOCAL_TOKEN_ISSUER, iat: now, exp: now + 600 };
    const sameKid = await new SignJWT(body).setProtectedHeader({ alg: 'ES256', kid: issuer.keyId }).sign(privateKey);
    expectDenied(await authorize(sameKid, ISSUE), 401, /signature does not verify/);
    const otherKid = await new SignJWT(body).setProtectedHeader({ alg: 'ES256', kid: 'someone-else' }).sign(privateKey);
    expectDenied(await authorize(otherKid, ISSUE), 401, /not signed by a key of the issuer/);
  });

  it('refuses garbage', async () => {
    for (const junk of ['Bearer abc', 'Bearer a.b.c', 'Basic dXNlcjpwdw==']) expectDenied(await authorize(junk, ISSUE), 401);
  });

  it('refuses a client that is not in the audience', async () => {
    const token = await issuer.issue({ role: 'exchange', exchangeId: 'unregistered-exchange' });
    expectDenied(await authorize(`Bearer ${token}`, ISSUE), 401, /valid audience/);
    audience.add('unregistered-exchange');
    expect((await authorize(`Bearer ${token}`, ISSUE)).effect).toBe('allow');
  });

  it('checks aud instead of client_id when the token has one, as API Gateway does', async () => {
    expect((await authorize(await signWithIssuerKey({ aud: 'demo-exchange', client_id: 'stranger' }), ISSUE)).effect).toBe('allow');
    expect((await authorize(await signWithIssuerKey({ aud: ['x', 'admin.local'], client_id: 'stranger' }), ISSUE)).effect).toBe('allow');
    expectDenied(await authorize(await signWithIssuerKey({ aud: 'stranger', client_id: 'demo-exchange' }), ISSUE), 401, /valid audience/);
    expectDenied(await authorize(await signWithIssuerKey({ client_id: undefined }), ISSUE), 401, /valid audience/);
  });

  it('answers 403 with an insufficient_scope challenge when no route scope is carried', async () => {
    const auditor = await issuer.issue({ role: 'auditor' });
    const d = await authorize(`Bearer ${auditor}`, ['dcc/revoke']);
    expectDenied(d, 403);
    if (d.effect === 'deny') expect(d.challenge).toBe('Bearer scope="dcc/revoke" error="insufficient_scope" error_description="the token does not have the required scope"');
    const exchange = await issuer.issue({ role: 'exchange' });
    expectDenied(await authorize(`Bearer ${exchange}`, ['dcc/read', 'dcc/revoke']), 403);
    // At least one of the route's scopes is enough.
    expect((await authorize(`Bearer ${exchange}`, READ_ROUTE)).effect).toBe('allow');
  });

  it('lets each role\'s token through on exactly the protected routes of the routes table that admit its roles', async () => {
    const expected: Record<LocalRole, string[]> = {
      exchange: ['find-certificates', 'get-certificate', 'issue-certificate'],
      auditor: ['get-certificate', 'list-certificate-events'],
      admin: ['get-certificate', 'list-certificate-events', 'revoke-certificate'],
    };
    for (const role of LOCAL_ROLES) {
      const token = `Bearer ${await issuer.issue({ role })}`;
      const through: string[] = [];
      for (const route of routes) {
        if (route.auth === 'public') continue;
        const decision = await authorize(token, route.auth.anyScope);
        if (decision.effect === 'allow') through.push(route.handler);
        else expect(decision.status, `${role} on ${route.handler}`).toBe(403);
      }
      expect(through.sort(), role).toEqual(expected[role]);
    }
  });

  it('reads scp when there is no scope claim', async () => {
    expect((await authorize(await signWithIssuerKey({ scope: undefined, scp: ['dcc/issue'] }), ISSUE)).effect).toBe('allow');
    expect((await authorize(await signWithIssuerKey({ scope: undefined, scp: 'dcc/read dcc/issue' }), ISSUE)).effect).toBe('allow');
    expectDenied(await authorize(await signWithIssuerKey({ scope: undefined }), ISSUE), 403);
  });

  it('gives null scopes on a route without scopes', async () => {
    const d = await authorize(`Bearer ${await issuer.issue({ role: 'auditor' })}`, []);
    expect(d).toMatchObject({ effect: 'allow', scopes: null });
  });

  it('applies a configured clock tolerance', async () => {
    const lenient = createJwtAuthorizer({
      issuer: LOCAL_TOKEN_ISSUER,
      keys: [{ kid: issuer.keyId, key: issuer.publicKey }],
      audience: () => audience,
      clockToleranceSeconds: 120,
    });
    const now = Math.floor(Date.now() / 1000);
    const token = await signWithIssuerKey({ iat: now - 700, exp: now - 60 });
    expect((await lenient(token, ISSUE)).effect).toBe('allow');
    expectDenied(await authorize(token, ISSUE), 401, /expired/);
  });
});

describe('claimsAsStrings', () => {
  it('renders values the way API Gateway puts them into the event', () => {
    expect(claimsAsStrings({ a: 'x', n: 12, f: 1.5, b: true, arr: ['g1', 'g2'], o: { k: 1 }, nil: null, u: undefined })).toEqual({
      a: 'x',
      n: '12',
      f: '1.5',
      b: 'true',
      arr: '[g1 g2]',
      o: '{"k":1}',
    });
  });
});
