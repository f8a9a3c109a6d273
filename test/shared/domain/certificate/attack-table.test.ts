import { createHmac, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { compactVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { encodeBase64url } from '#shared/crypto/base64url.ts';
import { p1363ToDer } from '#shared/crypto/ecdsa-der.ts';
import { signCertificate, verifyCertificate, type CertificateVerification, type VerificationCheckName } from '#shared/domain/certificate.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { b64json, inStandardAlphabet, parts, signedBy } from './support/forge.ts';
import { sampleCredential, SAMPLE_VALID_AT } from './support/sample-credential.ts';

/**
 * The attack table: every token below is refused, and by the check named in its row. Rows about
 * header rules carry GENUINE signatures by the service's own key over exactly the bytes shown,
 * so the signature check would pass them: only the header rule stands in the way.
 */

const service = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const attacker = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const now = SAMPLE_VALID_AT;

let jwk: PublicVerificationJwk;
let kid: string;
let credential: ReturnType<typeof sampleCredential>;
let genuine: string;
let other: string;
const goodHeader = (): Record<string, unknown> => ({ alg: 'ES256', typ: 'vc+jwt', kid });

beforeAll(async () => {
  jwk = await service.publicJwk();
  kid = jwk.kid;
  credential = sampleCredential();
  genuine = await signCertificate(credential, service);
  other = await signCertificate(sampleCredential({}, 8), service);
  // The table means nothing unless the untouched tokens pass.
  expect((await verifyCertificate(genuine, [jwk], now)).status).toBe('active');
  expect((await verifyCertificate(other, [jwk], now)).status).toBe('active');
});

/**
 * Verifies with the node:crypto path and with the jose reference path, which must agree to the
 * last detail (verify-parity.test.ts runs the large corpus).
 */
async function verifiedBothWays(token: string, keys: PublicVerificationJwk[], at: Date): Promise<CertificateVerification> {
  const result = await verifyCertificate(token, keys, at);
  expect(result).toEqual(await verifyCertificate(token, keys, at, { signatureVerifier: 'jose' }));
  return result;
}

/** Verifies and asserts which check refused the token; returns the failing check's detail. */
async function refusedBy(token: string, check: VerificationCheckName, status = 'invalid'): Promise<string> {
  const result = await verifiedBothWays(token, [jwk], now);
  expect(result.verified).toBe(false);
  expect(result.status).toBe(status);
  const last = result.checks.at(-1);
  expect(last?.name).toBe(check);
  expect(last?.ok).toBe(false);
  expect(result.checks.slice(0, -1).every((c) => c.ok)).toBe(true);
  return last?.detail ?? '';
}

const headerWith = (extra: Record<string, unknown>): Record<string, unknown> => ({ ...goodHeader(), ...extra });
const without = (name: string): Record<string, unknown> => {
  const header = goodHeader();
  delete header[name];
  return header;
};

describe('algorithm attacks', () => {
  it('alg "none" with no signature: refused by format (empty signature part)', async () => {
    const [, p] = parts(genuine);
    expect(await refusedBy(`${b64json(headerWith({ alg: 'none' }))}.${p}.`, 'format')).toMatch(/empty/);
  });

  it('alg "none" carrying a genuine signature: refused by header', async () => {
    const token = await signedBy(service, headerWith({ alg: 'none' }), credential);
    expect(await refusedBy(token, 'header')).toMatch(/"none" is not allowed/);
  });

  it('HS256 keyed with the public key (PEM or JWK bytes as the HMAC secret): refused by header', async () => {
    const pem = createPublicKey({ key: { ...jwk } as JsonWebKey, format: 'jwk' }).export({ format: 'pem', type: 'spki' });
    const secrets = [Buffer.from(pem), Buffer.from(JSON.stringify(jwk))];
    for (const secret of secrets) {
      const input = `${b64json(headerWith({ alg: 'HS256' }))}.${b64json(credential)}`;
      const mac = createHmac('sha256', secret).update(input).digest();
      const token = `${input}.${encodeBase64url(mac)}`;
      // A verifier that takes the key material as a MAC secret would accept this forgery.
      await expect(compactVerify(token, new Uint8Array(secret), { algorithms: ['HS256'] })).resolves.toBeTruthy();
      expect(await refusedBy(token, 'header')).toMatch(/"HS256" is not allowed/);
    }
  });

  it.each(['ES384', 'RS256', 'PS256', 'EdDSA', 'es256'])('alg %s over a genuine ES256 signature: refused by header', async (alg) => {
    const token = await signedBy(service, headerWith({ alg }), credential);
    expect(await refusedBy(token, 'header')).toMatch(/only/);
  });

  it('missing alg: refused by header', async () => {
    await refusedBy(await signedBy(service, without('alg'), credential), 'header');
  });
});

describe('key selection attacks', () => {
  it('missing kid: refused by header', async () => {
    expect(await refusedBy(await signedBy(service, without('kid'), credential), 'header')).toMatch(/kid/);
  });

  it('empty or non-string kid: refused by header', async () => {
    await refusedBy(await signedBy(service, headerWith({ kid: '' }), credential), 'header');
    await refusedBy(await signedBy(service, headerWith({ kid: 42 }), credential), 'header');
  });

  it('unknown kid (an attacker key not in the JWKS): refused by key', async () => {
    const attackerKid = (await attacker.publicJwk()).kid;
    const token = await signedBy(attacker, headerWith({ kid: attackerKid }), credential);
    expect(await refusedBy(token, 'key')).toMatch(/No published key/);
  });

  it('the service\'s kid on an attacker\'s signature: refused by signature', async () => {
    await refusedBy(await signedBy(attacker, goodHeader(), credential), 'signature');
  });

  it.each([
    ['jwk', () => ({ jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } })],
    ['jku', () => ({ jku: 'https://attacker.example/jwks.json' })],
    ['x5u', () => ({ x5u: 'https://attacker.example/cert.pem' })],
    ['x5c', () => ({ x5c: ['MIIBszCCAVmgAwIBAgIUQ=='] })],
    ['x5t', () => ({ x5t: 'dGh1bWJwcmludA' })],
    ['x5t#S256', () => ({ 'x5t#S256': 'dGh1bWJwcmludA' })],
  ])('a "%s" header (even naming the service\'s own key): refused by header', async (name, extra) => {
    const token = await signedBy(service, headerWith(extra()), credential);
    expect(await refusedBy(token, 'header')).toContain(`"${name}" is refused`);
  });

  it('an embedded attacker jwk with the attacker\'s signature: refused by header before any key is chosen', async () => {
    const a = await attacker.publicJwk();
    const token = await signedBy(attacker, headerWith({ kid: a.kid, jwk: { kty: a.kty, crv: a.crv, x: a.x, y: a.y } }), credential);
    await refusedBy(token, 'header');
  });
});

describe('header extension attacks', () => {
  it('crit: refused by header', async () => {
    const token = await signedBy(service, headerWith({ crit: ['exp'], exp: 1 }), credential);
    expect(await refusedBy(token, 'header')).toMatch(/"crit" is refused/);
  });

  it('b64: false with crit (RFC 7797 unencoded payload): refused by header', async () => {
    const token = await signedBy(service, headerWith({ b64: false, crit: ['b64'] }), credential);
    expect(await refusedBy(token, 'header')).toMatch(/refused/);
  });

  it('b64: false alone: refused by header', async () => {
    const token = await signedBy(service, headerWith({ b64: false }), credential);
    expect(await refusedBy(token, 'header')).toMatch(/"b64" is refused/);
  });

  it('an unknown header member: refused by header', async () => {
    const token = await signedBy(service, headerWith({ cty: 'vc', iss: 'someone' }), credential);
    expect(await refusedBy(token, 'header')).toMatch(/"cty", "iss" are not allowed/);
  });

  it('a header repeating "alg" (ES256 then none): refused by format', async () => {
    const header = `{"alg":"ES256","typ":"vc+jwt","kid":"${kid}","alg":"none"}`;
    const token = await signedBy(service, header, credential);
    expect(await refusedBy(token, 'format')).toMatch(/repeats the member "alg"/);
  });
});

describe('typ attacks', () => {
  it.each([
    ['JWT', headerWithTyp('JWT')],
    ['vc+ld+json+jwt', headerWithTyp('vc+ld+json+jwt')],
    ['application/vc+jwt', headerWithTyp('application/vc+jwt')],
    ['VC+JWT', headerWithTyp('VC+JWT')],
  ])('typ %s: refused by header', async (_typ, header) => {
    expect(await refusedBy(await signedBy(service, header(), credential), 'header')).toMatch(/is not "vc\+jwt"/);
  });

  it('missing typ: refused by header', async () => {
    await refusedBy(await signedBy(service, without('typ'), credential), 'header');
  });
});

function headerWithTyp(typ: string): () => Record<string, unknown> {
  return () => headerWith({ typ });
}

describe('signature and payload tampering', () => {
  it('tampered payload (amount changed, signature kept): refused by signature', async () => {
    const [h, , s] = parts(genuine);
    const changed = structuredClone(credential);
    changed.credentialSubject.transaction.amount.value = '1.00';
    await refusedBy(`${h}.${b64json(changed)}.${s}`, 'signature');
  });

  it('payload swapped in from another genuine token: refused by signature', async () => {
    const [h, , s] = parts(genuine);
    const [, otherPayload] = parts(other);
    await refusedBy(`${h}.${otherPayload}.${s}`, 'signature');
  });

  it('signature swapped in from another genuine token: refused by signature', async () => {
    const [h, p] = parts(genuine);
    const [, , otherSignature] = parts(other);
    await refusedBy(`${h}.${p}.${otherSignature}`, 'signature');
  });

  it('truncated signature (63 bytes): refused by signature', async () => {
    const [h, p, s] = parts(genuine);
    const truncated = encodeBase64url(Buffer.from(s, 'base64url').subarray(0, 63));
    expect(await refusedBy(`${h}.${p}.${truncated}`, 'signature')).toMatch(/63 bytes/);
  });

  it('signature cut by one character: refused by format (no bytes encode to that length)', async () => {
    const [h, p, s] = parts(genuine);
    await refusedBy(`${h}.${p}.${s.slice(0, -1)}`, 'format');
  });

  it('the same signature in DER form: refused by signature (ES256 is R||S only)', async () => {
    const [h, p, s] = parts(genuine);
    const der = encodeBase64url(p1363ToDer(Buffer.from(s, 'base64url')));
    expect(await refusedBy(`${h}.${p}.${der}`, 'signature')).toMatch(/exactly 64/);
  });
});

describe('encoding attacks', () => {
  it.each([
    ['"=" padding on the header', (h: string, p: string, s: string) => `${h}=.${p}.${s}`],
    ['"==" padding on the signature', (h: string, p: string, s: string) => `${h}.${p}.${s}==`],
    ['a newline inside the payload', (h: string, p: string, s: string) => `${h}.${p.slice(0, 40)}\n${p.slice(40)}.${s}`],
    ['a CRLF after the token', (h: string, p: string, s: string) => `${h}.${p}.${s}\r\n`],
    ['a space inside the signature', (h: string, p: string, s: string) => `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`],
    ['a tab before the token', (h: string, p: string, s: string) => `\t${h}.${p}.${s}`],
    ['a fourth part', (h: string, p: string, s: string) => `${h}.${p}.${s}.${s}`],
  ])('%s: refused by format', async (_name, mangle) => {
    const [h, p, s] = parts(genuine);
    const token = mangle(h, p, s);
    expect(token).not.toBe(genuine);
    await refusedBy(token, 'format');
  });

  it('standard base64 "+" and "/" around a genuine signature: refused by format', async () => {
    const token = await inStandardAlphabet(service, genuine);
    expect(token).toMatch(/[+/]/);
    await refusedBy(token, 'format');
  });

  it('padding and whitespace that jose itself accepts in the signature part: refused by format first', async () => {
    const [h, p, s] = parts(genuine);
    const variants = [`${h}.${p}.${s}==`, `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`, `${h}.${p}.${s.slice(0, 10)}\n${s.slice(10)}`];
    for (const variant of variants) {
      // jose decodes the signature leniently (atob), and the signing input is unchanged, so it
      // accepts all three: the reason our strict parse runs before jose sees a token.
      await expect(compactVerify(variant, jwk, { algorithms: ['ES256'] })).resolves.toBeTruthy();
      await refusedBy(variant, 'format');
    }
  });

  it('non-zero unused bits in the last signature character: refused by format', async () => {
    const [h, p, s] = parts(genuine);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(s.at(-1) ?? 'A') ^ 1] ?? 'A';
    const token = `${h}.${p}.${s.slice(0, -1)}${twin}`;
    expect(Buffer.from(`${s.slice(0, -1)}${twin}`, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
    await refusedBy(token, 'format');
  });
});

describe('validity', () => {
  it('expired: refused by validity with status expired, the certificate still shown', async () => {
    const result = await verifyCertificate(genuine, [jwk], new Date('2027-12-01T00:00:00Z'));
    expect(result.status).toBe('expired');
    expect(result.verified).toBe(false);
    expect(result.checks.at(-1)).toMatchObject({ name: 'validity', ok: false });
    expect(result.certificate).toEqual(credential);
    await expect(refusedByAt(genuine, new Date('2027-12-01T00:00:00Z'))).resolves.toBe('expired');
  });

  it('not yet valid: refused by validity with status not-yet-valid', async () => {
    await expect(refusedByAt(genuine, new Date('2026-11-25T00:00:00Z'))).resolves.toBe('not-yet-valid');
  });
});

async function refusedByAt(token: string, at: Date): Promise<string> {
  const result = await verifiedBothWays(token, [jwk], at);
  expect(result.checks.at(-1)).toMatchObject({ name: 'validity', ok: false });
  return result.status;
}

describe('payload attacks (genuinely signed by the service key)', () => {
  it.each([
    ['a JSON object that is not a credential', { hello: 'world' }],
    ['a JSON array', [1, 2, 3]],
    ['a JSON string', '"just a string"'],
    ['a credential with an extra member', { ...structuredClone(sampleCredential()), evidence: 'x' }],
    ['a status list credential', {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: 'https://dcc.example.gov.cn/v1/status-lists/0',
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: 'https://dcc.example.gov.cn',
      validFrom: '2026-11-20T09:00:00Z',
      credentialSubject: { id: 'https://dcc.example.gov.cn/v1/status-lists/0#list', type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: 'uH4sIAAAAAAAAA' },
    }],
  ])('%s: refused by payload', async (_name, payload) => {
    const token = await signedBy(service, goodHeader(), payload);
    expect(await refusedBy(token, 'payload')).toMatch(/.+/);
  });

  it('a credential with a duplicated member (two validUntil): refused by payload', async () => {
    const json = JSON.stringify(credential).replace('"validUntil":', '"validUntil":"2099-01-01T00:00:00Z","validUntil":');
    const token = await signedBy(service, goodHeader(), json);
    expect(await refusedBy(token, 'payload')).toMatch(/repeats the member "validUntil"/);
  });

  it('a payload that is not UTF-8: refused by payload', async () => {
    const input = `${b64json(goodHeader())}.${encodeBase64url(Uint8Array.from([0x7b, 0xff, 0x7d]))}`;
    const token = `${input}.${encodeBase64url(await service.sign(new TextEncoder().encode(input)))}`;
    await refusedBy(token, 'payload');
  });
});
