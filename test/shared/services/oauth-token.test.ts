import { createHmac, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { type JWK, SignJWT, createLocalJWKSet, exportJWK, jwtVerify } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalAccessTokenSigner } from '#shared/adapters/key-file/access-token-signer.ts';
import { jwkThumbprint } from '#shared/crypto/jwk-thumbprint.ts';
import type { Role } from '#shared/domain/caller.ts';
import type { ClientJwk } from '#shared/domain/client-registration.ts';
import { ClientJwkSchema } from '#shared/domain/schemas/client-registration.ts';
import {
  ACCESS_TOKEN_AUDIENCE,
  CLIENT_ASSERTION_TYPE_JWT_BEARER,
  MAX_ASSERTION_BYTES,
  OAuthError,
  type OAuthErrorCode,
} from '#shared/domain/oauth.ts';
import { CLIENT_ROLES, ROLES, scopesOf } from '#shared/http/routes.ts';
import { type TokenRequest, type TokenServiceDeps, issueAccessToken } from '#shared/services/oauth-token.ts';
import { InMemoryClientRegistry, InMemoryReplayStore } from '../../support/in-memory-clients.ts';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The token endpoint's use case: every refusal the contract lists is `invalid_client` (or the
 * named other code) and writes nothing; an accepted assertion writes its `jti` once and yields an
 * RS256 access token that verifies against the published key.
 */

const ISSUER = 'https://dcc.example.gov.cn';
const TOKEN_ENDPOINT = `${ISSUER}/oauth2/token`;
const NOW = new Date('2031-05-06T07:08:09Z');
const now = Math.floor(NOW.getTime() / 1000);

interface TestClient {
  id: string;
  alg: 'ES256' | 'RS256' | 'EdDSA';
  key: KeyObject;
  jwk: ClientJwk;
}

async function newClient(id: string, alg: TestClient['alg'] = 'ES256'): Promise<TestClient> {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  const exported = (await exportJWK(publicKey)) as JWK;
  const jwk = ClientJwkSchema.parse({ ...exported, kid: jwkThumbprint(exported), alg });
  return { id, alg, key: privateKey, jwk };
}

let registry: InMemoryClientRegistry;
let replays: InMemoryReplayStore;
let deps: TokenServiceDeps;
let signer: LocalAccessTokenSigner;
let exchange: TestClient;
let admin: TestClient;

beforeEach(async () => {
  registry = new InMemoryClientRegistry();
  replays = new InMemoryReplayStore();
  signer ??= await LocalAccessTokenSigner.fromKeyFile(join(await mkdtemp(join(tmpdir(), 'dcc-oauth-')), 'access-token-key.pem'));
  deps = {
    clients: registry,
    replays,
    signer: async () => signer,
    issuer: ISSUER,
    lifetimeSeconds: 3600,
    scopesOf: (role: Role) => scopesOf(CLIENT_ROLES[role]),
    knownScopes: scopesOf(ROLES),
  };
  exchange = await newClient('hz-sde');
  admin = await newClient('admin.example', 'RS256');
  await registry.registerExchange({ exchangeId: exchange.id, name: 'Hangzhou', jwks: { keys: [exchange.jwk] }, status: 'active', at: NOW.toISOString() });
  await registry.registerRoleClient({ clientId: admin.id, role: 'admin', name: 'Admin', jwks: { keys: [admin.jwk] }, status: 'active', at: NOW.toISOString() });
});

type Claims = Record<string, unknown>;

function claimsOf(client: TestClient, extra: Claims = {}): Claims {
  return { iss: client.id, sub: client.id, aud: TOKEN_ENDPOINT, iat: now, exp: now + 60, jti: randomUUID(), ...extra };
}

async function assertion(client: TestClient, extra: Claims = {}, header: Record<string, unknown> = {}, key: KeyObject = client.key): Promise<string> {
  const claims = claimsOf(client, extra);
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: client.alg, kid: client.jwk.kid, ...header }).sign(key);
}

function request(clientAssertion: string, extra: Partial<TokenRequest> = {}): TokenRequest {
  return { grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE_JWT_BEARER, client_assertion: clientAssertion, ...extra };
}

async function refusal(req: TokenRequest): Promise<{ code: OAuthErrorCode; status: number; message: string }> {
  const error = await issueAccessToken(deps, req, NOW).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the request must be refused').toBeInstanceOf(OAuthError);
  const e = error as OAuthError;
  return { code: e.code, status: e.status, message: e.message };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('the token endpoint refuses bad assertions with 401 invalid_client and writes nothing', () => {
  const cases: [string, () => Promise<TokenRequest>, RegExp][] = [
    ['unknown client', async () => request(await assertion({ ...exchange, id: 'nobody-here' })), /not registered/],
    ['wrong key (same kid, another private key)', async () => request(await assertion(exchange, {}, {}, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)), /signature does not verify/],
    ['unknown kid', async () => request(await assertion(exchange, {}, { kid: 'not-a-registered-kid' })), /"kid"/],
    [
      'bad signature (payload changed after signing)',
      async () => {
        const [h, , s] = (await assertion(exchange)).split('.');
        return request(`${h}.${b64(claimsOf(exchange, { scope: 'x' }))}.${s}`);
      },
      /signature does not verify/,
    ],
    ['expired', async () => request(await assertion(exchange, { iat: now - 400, exp: now - 31 })), /expired/],
    ['exp more than 300 s ahead', async () => request(await assertion(exchange, { exp: now + 300 + 31 })), /more than 300 seconds/],
    ['not yet valid (nbf in the future)', async () => request(await assertion(exchange, { nbf: now + 31 })), /not valid yet/],
    ['issued in the future (iat)', async () => request(await assertion(exchange, { iat: now + 31, exp: now + 120 })), /future/],
    ['wrong aud', async () => request(await assertion(exchange, { aud: `${ISSUER}/elsewhere` })), /"aud"/],
    ['aud of another stage', async () => request(await assertion(exchange, { aud: 'https://other.example/oauth2/token' })), /"aud"/],
    ['iss differs from sub', async () => request(await assertion(exchange, { sub: 'sh-dex' })), /"iss" and "sub"/],
    ['client_id differs from iss', async () => request(await assertion(exchange), { client_id: 'sh-dex' }), /client_id/],
    ['no jti', async () => request(await assertion(exchange, { jti: undefined })), /jti/],
    ['alg none', async () => request(`${b64({ alg: 'none', kid: exchange.jwk.kid })}.${b64(claimsOf(exchange))}.`), /signed with one of/],
    [
      'HS256 keyed with the public key',
      async () => {
        const input = `${b64({ alg: 'HS256', kid: exchange.jwk.kid })}.${b64(claimsOf(exchange))}`;
        return request(`${input}.${createHmac('sha256', JSON.stringify(exchange.jwk)).update(input).digest('base64url')}`);
      },
      /signed with one of/,
    ],
    ['embedded jwk header', async () => request(await assertion(exchange, {}, { jwk: exchange.jwk })), /carries "jwk"/],
    ['jku header', async () => request(await assertion(exchange, {}, { jku: 'https://attacker.example/jwks' })), /carries "jku"/],
    ['x5u header', async () => request(await assertion(exchange, {}, { x5u: 'https://attacker.example/cert' })), /carries "x5u"/],
    ['x5c header', async () => request(await assertion(exchange, {}, { x5c: ['MIIB'] })), /carries "x5c"/],
    ['oversized assertion', async () => request(await assertion(exchange, { pad: 'x'.repeat(MAX_ASSERTION_BYTES) })), /larger than 8192 bytes/],
    ['not a JWT', async () => request('not-a-jwt'), /compact serialization/],
    ['no client assertion', async () => ({ grant_type: 'client_credentials' }), /Client authentication is required/],
    ['another assertion type', async () => request(await assertion(exchange), { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }), /client_assertion_type/],
  ];

  it.each(cases)('%s', async (_, build, why) => {
    const r = await refusal(await build());
    expect(r).toMatchObject({ code: 'invalid_client', status: 401 });
    expect(r.message).toMatch(why);
    expect(replays.records.size).toBe(0);
  });

  it('a suspended client, and an exchange suspended in the registry', async () => {
    await registry.registerRoleClient({ clientId: admin.id, role: 'admin', name: 'Admin', jwks: { keys: [admin.jwk] }, status: 'suspended', at: NOW.toISOString() });
    expect(await refusal(request(await assertion(admin)))).toMatchObject({ code: 'invalid_client', message: expect.stringMatching(/suspended/) });
    (registry.clients.get(exchange.id) as { exchange: { status: string } }).exchange.status = 'suspended';
    expect(await refusal(request(await assertion(exchange)))).toMatchObject({ code: 'invalid_client', message: expect.stringMatching(/suspended/) });
    expect(replays.records.size).toBe(0);
  });

  it('a stored key that is no longer a valid key (a point off its curve) refuses the assertion, never a 5xx', async () => {
    // The registry checks a key's curve once, at registration; a stored record read back is
    // checked for shape only. A record damaged in the table must still end as invalid_client.
    const genuine = await assertion(exchange);
    const { jwk } = exchange;
    if (jwk.kty !== 'EC') throw new Error('the exchange signs with an EC key');
    const x = Buffer.from(jwk.x, 'base64url');
    x[x.length - 1] = (x[x.length - 1] as number) ^ 0x01;
    const damaged: ClientJwk = { ...jwk, x: x.toString('base64url') };
    (registry.clients.get(exchange.id) as { jwks: { keys: ClientJwk[] } }).jwks = { keys: [damaged] };
    const r = await refusal(request(genuine));
    expect(r).toMatchObject({ code: 'invalid_client', status: 401 });
    expect(r.message).toBe('The client assertion is not a valid signed JWT.');
    expect(replays.records.size).toBe(0);
  });

  it('a replayed jti, also when the requests run concurrently: exactly one wins', async () => {
    const once = await assertion(exchange);
    await expect(issueAccessToken(deps, request(once), NOW)).resolves.toMatchObject({ token_type: 'Bearer' });
    expect(await refusal(request(once))).toMatchObject({ code: 'invalid_client', message: expect.stringMatching(/replayed/) });

    const shared = await assertion(exchange);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => issueAccessToken(deps, request(shared), NOW)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && (r.reason as OAuthError).code === 'invalid_client')).toHaveLength(19);
    expect(replays.records.size).toBe(2);
  });

  it('an assertion whose exp has passed by less than the skew is accepted; its jti is kept until exp + skew', async () => {
    const jti = randomUUID();
    await issueAccessToken(deps, request(await assertion(exchange, { exp: now - 10, iat: now - 70, jti })), NOW);
    expect(replays.records.get(`${exchange.id}\u0000${jti}`)).toBe((now - 10 + 30) * 1000);
  });
});

describe('the other token request errors', () => {
  it.each([
    ['no grant_type', { grant_type: undefined }, 'invalid_request'],
    ['another grant', { grant_type: 'authorization_code' }, 'unsupported_grant_type'],
    ['an unknown scope', { scope: 'dcc/issue dcc/everything' }, 'invalid_scope'],
    ['a scope the client may not hold', { scope: 'dcc/revoke' }, 'invalid_scope'],
  ] as const)('%s', async (_, extra: Partial<TokenRequest>, code) => {
    const req: TokenRequest = { ...request(await assertion(exchange)), ...extra };
    if ('grant_type' in extra && extra.grant_type === undefined) delete req.grant_type;
    const r = await refusal(req);
    expect(r).toMatchObject({ code, status: 400 });
    expect(replays.records.size).toBe(0);
  });
});

describe('an accepted assertion', () => {
  async function verified(token: string) {
    const jwks = createLocalJWKSet({ keys: [{ ...(await signer.publicJwk()) }] });
    return jwtVerify(token, jwks, { issuer: ISSUER, audience: ACCESS_TOKEN_AUDIENCE, algorithms: ['RS256'], typ: 'at+jwt', currentDate: NOW });
  }

  it.each(['ES256', 'RS256', 'EdDSA'] as const)('signed with %s yields an RS256 access token with the contract claims', async (alg) => {
    const client = await newClient(`ex-${alg.toLowerCase()}`, alg);
    await registry.registerExchange({ exchangeId: client.id, name: alg, jwks: { keys: [client.jwk] }, status: 'active', at: NOW.toISOString() });
    const response = await issueAccessToken(deps, request(await assertion(client), { client_id: client.id }), NOW);
    expect(response).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'dcc/issue' });
    const { payload, protectedHeader } = await verified(response.access_token);
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: (await signer.publicJwk()).kid, typ: 'at+jwt' });
    expect(payload).toMatchObject({ iss: ISSUER, aud: ACCESS_TOKEN_AUDIENCE, sub: client.id, client_id: client.id, scope: 'dcc/issue', iat: now, exp: now + 3600 });
    expect(typeof payload.jti).toBe('string');
    expect(replays.records.size).toBe(1);
  });

  it('an admin gets its scopes, or the subset it asks for', async () => {
    expect((await issueAccessToken(deps, request(await assertion(admin)), NOW)).scope).toBe('dcc/read dcc/revoke');
    expect((await issueAccessToken(deps, request(await assertion(admin), { scope: 'dcc/read' }), NOW)).scope).toBe('dcc/read');
  });

  it('a rotation: with old and new keys registered, both work; with the new alone, the old is refused', async () => {
    const next = await newClient(exchange.id);
    await registry.registerExchange({ exchangeId: exchange.id, name: 'Hangzhou', jwks: { keys: [exchange.jwk, next.jwk] }, status: 'active', at: NOW.toISOString() });
    await issueAccessToken(deps, request(await assertion(exchange)), NOW);
    await issueAccessToken(deps, request(await assertion(next)), NOW);
    await registry.registerExchange({ exchangeId: exchange.id, name: 'Hangzhou', jwks: { keys: [next.jwk] }, status: 'active', at: NOW.toISOString() });
    expect((await refusal(request(await assertion(exchange)))).code).toBe('invalid_client');
  });
});
