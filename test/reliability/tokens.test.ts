import { createHmac, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { encodeBase64url } from '#shared/crypto/base64url.ts';
import { p1363ToDer } from '#shared/crypto/ecdsa-der.ts';
import type { CertificateSigner, PublicVerificationJwk } from '#shared/domain/signer.ts';
import { validIssueRequest } from '../fixtures/issue-request.ts';
import { b64json, inStandardAlphabet, parts, signedBy } from '../shared/domain/certificate/support/forge.ts';
import {
  type CallResult,
  type Engine,
  invoke,
  liveIssueRequest,
  type LoadedApp,
  scanTable,
  startLocalSignedService,
  stopLocalSignedService,
} from './support/harness.ts';

/**
 * Forgeries through `POST /v1/verify`, the way an attacker meets the service: the core's attack
 * table rebuilt against a certificate the service really issued (rows that need a genuine
 * signature are signed by the service's own key), service-level forgeries (genuinely signed
 * but never issued), and every Wycheproof JSON Web Signature vector. None verifies; every
 * string token gets 200 with `verified: false`, anything else 400; nothing is written.
 */

let engine: Engine;
let plain: DynamoDBClient;
let tableName: string;
let app: LoadedApp;
let service: CertificateSigner;
let jwk: PublicVerificationJwk;
let genuine: string;
let other: string;
let credential: Record<string, unknown>;
const attacker = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);

beforeAll(async () => {
  ({ engine, plain, tableName, app } = await startLocalSignedService({ id: 'exchange-tokens', name: 'Token Exchange' }));
  service = await app.container.signer();
  jwk = await service.publicJwk();
  const issued = await Promise.all(
    ['TOKENS-1', 'TOKENS-2'].map((ref) =>
      invoke(app, { handler: 'issue-certificate', body: liveIssueRequest(validIssueRequest(), ref), identity: { kind: 'exchange', clientId: 'exchange-tokens' } }),
    ),
  );
  genuine = (issued[0]?.body as { token: string }).token;
  other = (issued[1]?.body as { token: string }).token;
  credential = JSON.parse(Buffer.from(parts(genuine)[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  // The table means nothing unless the untouched tokens verify.
  for (const token of [genuine, other]) expect((await verify(token)).body).toMatchObject({ verified: true, status: 'active' });
}, 180_000);

afterAll(() => stopLocalSignedService({ app, engine }));

function verify(token: unknown): Promise<CallResult> {
  return invoke(app, { handler: 'verify-certificate', body: { token } });
}

let itemsBefore = -1;

async function expectRefused(token: string, name: string): Promise<void> {
  expect(token, name).not.toBe(genuine);
  const r = await verify(token);
  expect(r.status, `${name}: ${r.raw}`).toBe(200);
  const body = r.body as { verified: boolean; status: string; checks: { name: string; ok: boolean }[] };
  expect(body.verified, name).toBe(false);
  expect(['invalid', 'expired', 'not-yet-valid', 'revoked'], name).toContain(body.status);
  expect(body.checks.some((c) => !c.ok), name).toBe(true);
}

const goodHeader = () => ({ alg: 'ES256', typ: 'vc+jwt', kid: jwk.kid });
const header = (extra: Record<string, unknown>) => ({ ...goodHeader(), ...extra });
const without = (name: string) => {
  const h: Record<string, unknown> = goodHeader();
  delete h[name];
  return h;
};

/** The rows of the core's attack table, rebuilt against the issued certificate. */
async function attackRows(): Promise<[string, string][]> {
  const [h, p, s] = parts(genuine);
  const [, p2, s2] = parts(other);
  const pem = createPublicKey({ key: { ...jwk } as JsonWebKey, format: 'jwk' }).export({ format: 'pem', type: 'spki' });
  const hmac = (secret: Buffer) => {
    const input = `${b64json(header({ alg: 'HS256' }))}.${p}`;
    return `${input}.${encodeBase64url(createHmac('sha256', secret).update(input).digest())}`;
  };
  const rs = Buffer.from(s, 'base64url');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const twin = alphabet[alphabet.indexOf(s.at(-1) ?? 'A') ^ 1] ?? 'A';
  const tamperedAmount = structuredClone(credential) as { credentialSubject: { transaction: { amount: { value: string } } } };
  tamperedAmount.credentialSubject.transaction.amount.value = '1.00';
  const day = 86_400_000;
  const windowed = (from: number, until: number) => ({ ...credential, validFrom: new Date(from).toISOString().replace('.000Z', 'Z'), validUntil: new Date(until).toISOString().replace('.000Z', 'Z') });
  const attackerJwk = await attacker.publicJwk();

  return [
    ['alg none without a signature', `${b64json(header({ alg: 'none' }))}.${p}.`],
    ['alg none with a genuine signature', await signedBy(service, header({ alg: 'none' }), credential)],
    ['HS256 keyed with the PEM public key', hmac(Buffer.from(pem))],
    ['HS256 keyed with the JWK', hmac(Buffer.from(JSON.stringify(jwk)))],
    ...(await Promise.all(['ES384', 'RS256', 'PS256', 'EdDSA', 'es256'].map(async (alg): Promise<[string, string]> => [`alg ${alg} over a genuine signature`, await signedBy(service, header({ alg }), credential)]))),
    ['missing alg', await signedBy(service, without('alg'), credential)],
    ['missing kid', await signedBy(service, without('kid'), credential)],
    ['empty kid', await signedBy(service, header({ kid: '' }), credential)],
    ['numeric kid', await signedBy(service, header({ kid: 7 }), credential)],
    ['unknown kid, attacker signature', await signedBy(attacker, header({ kid: attackerJwk.kid }), credential)],
    ['service kid, attacker signature', await signedBy(attacker, goodHeader(), credential)],
    ['embedded attacker jwk', await signedBy(attacker, header({ jwk: attackerJwk }), credential)],
    ['crit', await signedBy(service, header({ crit: ['exp'], exp: 1 }), credential)],
    ['b64 false with crit', await signedBy(service, header({ b64: false, crit: ['b64'] }), credential)],
    ['b64 false alone', await signedBy(service, header({ b64: false }), credential)],
    ['an unknown header member', await signedBy(service, header({ x5u: 'https://attacker.example/key' }), credential)],
    ['a header repeating alg', await signedBy(service, `{"alg":"ES256","typ":"vc+jwt","kid":"${jwk.kid}","alg":"none"}`, credential)],
    ['typ JWT', await signedBy(service, header({ typ: 'JWT' }), credential)],
    ['missing typ', await signedBy(service, without('typ'), credential)],
    ['tampered payload, signature kept', `${h}.${b64json(tamperedAmount)}.${s}`],
    ['payload swapped from another genuine token', `${h}.${p2}.${s}`],
    ['signature swapped from another genuine token', `${h}.${p}.${s2}`],
    ['truncated signature (63 bytes)', `${h}.${p}.${encodeBase64url(rs.subarray(0, 63))}`],
    ['signature cut by one character', `${h}.${p}.${s.slice(0, -1)}`],
    ['the signature in DER form', `${h}.${p}.${encodeBase64url(p1363ToDer(rs))}`],
    ['padding on the header', `${h}=.${p}.${s}`],
    ['padding on the signature', `${h}.${p}.${s}==`],
    ['a newline inside the payload', `${h}.${p.slice(0, 40)}\n${p.slice(40)}.${s}`],
    ['a CRLF after the token', `${genuine}\r\n`],
    ['a space inside the signature', `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`],
    ['a tab before the token', `\t${genuine}`],
    ['standard base64 alphabet (a genuine signature)', await inStandardAlphabet(service, genuine)],
    ['a fourth part', `${genuine}.${s}`],
    ['non-zero unused bits in the last character', `${h}.${p}.${s.slice(0, -1)}${twin}`],
    ['expired (genuinely signed)', await signedBy(service, goodHeader(), windowed(Date.now() - 400 * day, Date.now() - day))],
    ['not yet valid (genuinely signed)', await signedBy(service, goodHeader(), windowed(Date.now() + day, Date.now() + 300 * day))],
    ['a JSON object that is not a credential', await signedBy(service, goodHeader(), { hello: 'world' })],
    ['a JSON array', await signedBy(service, goodHeader(), [1, 2, 3])],
    ['a credential with an extra member', await signedBy(service, goodHeader(), { ...credential, evidence: 'x' })],
    ['a duplicated member', await signedBy(service, goodHeader(), JSON.stringify(credential).replace('"validUntil":', '"validUntil":"2099-01-01T00:00:00Z","validUntil":'))],
    ['a payload that is not UTF-8', `${b64json(goodHeader())}.${encodeBase64url(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))}.${s}`],
    // Service-level forgeries: genuinely signed by the service's key, but never issued as such.
    ['the issued credential re-serialised and signed again', await signedBy(service, goodHeader(), JSON.stringify(credential, null, 1))],
    ['the issued credential with another amount, signed by the service key', await signedBy(service, goodHeader(), tamperedAmount)],
    ['the issued credential with its status entry pointing elsewhere', await signedBy(service, goodHeader(), { ...credential, credentialStatus: { ...(credential['credentialStatus'] as object), statusListIndex: 99 } })],
    ['an empty string', ''],
    ['three dots', '...'],
  ];
}

describe('POST /v1/verify refuses every forgery with 200 and verified: false', () => {
  it('the attack table of the core, against a certificate the service issued', async () => {
    itemsBefore = (await scanTable(plain, tableName)).length;
    const rows = await attackRows();
    expect(rows.length).toBeGreaterThanOrEqual(45);
    for (const [name, token] of rows) await expectRefused(token, name);
    // The issued certificate is untouched and still verifies.
    expect((await verify(genuine)).body).toMatchObject({ verified: true });
  });

  it('the status list credential (same key, same typ) presented as a certificate', async () => {
    const listId = (JSON.parse(Buffer.from(parts(genuine)[1], 'base64url').toString()) as { credentialStatus: { statusListCredential: string } }).credentialStatus.statusListCredential.split('/').pop() as string;
    const list = await invoke(app, { handler: 'get-status-list', pathParameters: { listId } });
    expect(list.status).toBe(200);
    await expectRefused(list.raw, 'status list credential');
  });

  it('every Wycheproof JSON Web Signature vector: never verified; non-string tokens are 400', async () => {
    const file = JSON.parse(readFileSync(new URL('../fixtures/wycheproof/json_web_signature_test.json', import.meta.url), 'utf8')) as {
      testGroups: { tests: { tcId: number; jws: unknown }[] }[];
    };
    const vectors = file.testGroups.flatMap((g) => g.tests);
    expect(vectors.length).toBeGreaterThan(300);
    let strings = 0;
    for (const v of vectors) {
      if (typeof v.jws === 'string') {
        strings += 1;
        await expectRefused(v.jws, `wycheproof ${v.tcId}`);
      } else {
        const r = await verify(v.jws);
        expect(r.status, `wycheproof ${v.tcId}`).toBe(400);
        expect(r.body).toMatchObject({ code: 'validation-failed' });
      }
    }
    expect(strings).toBeGreaterThan(100);
  });

  it('verification wrote nothing', async () => {
    expect(itemsBefore).toBeGreaterThan(0);
    expect((await scanTable(plain, tableName)).length).toBe(itemsBefore);
  });
});
