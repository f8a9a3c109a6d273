import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, compactVerify, exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseCompactJwsStrict } from '#shared/crypto/compact-jws.ts';
import { verifyP256 } from '#shared/crypto/ecdsa-p256.ts';
import { jwkThumbprint } from '#shared/crypto/jwk-thumbprint.ts';
import { buildJwks, importVerificationKeys, jwkFromKeyObject, jwkFromSpki } from '#shared/crypto/jwks.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { codeOf } from './support/crypto-error-code.ts';

function p256(): { jwk: PublicVerificationJwk; spki: Uint8Array } {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { jwk: jwkFromKeyObject(publicKey), spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })) };
}

interface Rfc7515A3 {
  token: string;
  jwk: JWK;
  protectedHeader: string;
  payload: string;
  signatureR: number[];
  signatureS: number[];
}
const rfc7515: Rfc7515A3 = JSON.parse(
  readFileSync(new URL('../../fixtures/rfc7515/appendix-a3-es256.json', import.meta.url), 'utf8'),
) as Rfc7515A3;

describe('jwkThumbprint (RFC 7638)', () => {
  it('gives the RFC 7638 §3.1 example thumbprint', () => {
    const rfc7638Example: JWK = {
      kty: 'RSA',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(rfc7638Example)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('equals jose calculateJwkThumbprint for EC P-256 keys, ignoring optional members', async () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey } = await generateKeyPair('ES256', { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'whatever' };
      expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
    }
  });

  it('equals jose for the RFC 7515 A.3 key, private member included or not', async () => {
    expect(jwkThumbprint(rfc7515.jwk)).toBe(await calculateJwkThumbprint(rfc7515.jwk));
    const { d: _d, ...publicOnly } = rfc7515.jwk;
    expect(jwkThumbprint(publicOnly)).toBe(jwkThumbprint(rfc7515.jwk));
  });

  it('refuses a key without its required members', () => {
    expect(codeOf(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc' }))).toBe('jwk-invalid');
    expect(codeOf(() => jwkThumbprint({ kty: 'XYZ' }))).toBe('jwk-invalid');
  });
});

describe('RFC 7515 Appendix A.3 (ES256) through our verification path', () => {
  it('parses strictly and verifies with verifyP256 and with jose', async () => {
    const parsed = parseCompactJwsStrict(rfc7515.token);
    expect(parsed.header).toEqual(JSON.parse(rfc7515.protectedHeader));
    expect(Buffer.from(parsed.payload).toString('utf8')).toBe(rfc7515.payload);
    expect([...parsed.signature]).toEqual([...rfc7515.signatureR, ...rfc7515.signatureS]);
    const { d: _d, ...publicJwk } = rfc7515.jwk;
    expect(verifyP256(publicJwk, parsed.signingInput, parsed.signature)).toBe(true);
    const result = await compactVerify(rfc7515.token, publicJwk, { algorithms: ['ES256'] });
    expect(Buffer.from(result.payload).toString('utf8')).toBe(rfc7515.payload);
  });

  it('fails for a flipped signature bit and for a changed payload', () => {
    const parsed = parseCompactJwsStrict(rfc7515.token);
    const { d: _d, ...publicJwk } = rfc7515.jwk;
    const flipped = parsed.signature.slice();
    flipped[0] = (flipped[0] ?? 0) ^ 0x01;
    expect(verifyP256(publicJwk, parsed.signingInput, flipped)).toBe(false);
    const changed = parsed.signingInput.slice();
    changed[changed.length - 1] = 0x41;
    expect(verifyP256(publicJwk, changed, parsed.signature)).toBe(false);
  });
});

describe('jwkFromSpki', () => {
  it('gives the public members with alg, use and the thumbprint as kid', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = jwkFromSpki(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })));
    const expected = publicKey.export({ format: 'jwk' });
    expect(jwk).toEqual({ kty: 'EC', crv: 'P-256', x: expected.x, y: expected.y, alg: 'ES256', use: 'sig', kid: jwk.kid });
    expect(jwk.kid).toBe(await calculateJwkThumbprint(jwk));
    expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('refuses garbage and keys that are not P-256', () => {
    expect(codeOf(() => jwkFromSpki(Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01])))).toBe('spki-invalid');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    expect(codeOf(() => jwkFromSpki(p384.export({ format: 'der', type: 'spki' })))).toBe('jwk-unsupported-key');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(codeOf(() => jwkFromSpki(rsa.export({ format: 'der', type: 'spki' })))).toBe('jwk-unsupported-key');
  });
});

describe('buildJwks', () => {
  it('deduplicates by kid, keeps order and only public members', () => {
    const a = p256().jwk;
    const b = p256().jwk;
    const withExtras = { ...a, d: 'secret', ext: true } as unknown as PublicVerificationJwk;
    const jwks = buildJwks([withExtras, b, a, b]);
    expect(jwks.keys.map((k) => k.kid)).toEqual([a.kid, b.kid]);
    expect(jwks.keys[0]).toEqual(a);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('refuses to publish a key whose kid is not its thumbprint', () => {
    const a = p256().jwk;
    expect(codeOf(() => buildJwks([{ ...a, kid: 'my-key-1' }]))).toBe('jwk-kid-mismatch');
  });
});

describe('importVerificationKeys', () => {
  it('accepts a JWKS we publish and returns the same keys', () => {
    const keys = [p256().jwk, p256().jwk];
    const published = JSON.parse(JSON.stringify(buildJwks(keys))) as unknown;
    expect(importVerificationKeys(published)).toEqual(keys);
  });

  it('accepts keys without alg and use and fills them in', () => {
    const { alg: _alg, use: _use, ...bare } = p256().jwk;
    expect(importVerificationKeys({ keys: [bare] })).toEqual([{ ...bare, alg: 'ES256', use: 'sig' }]);
  });

  const good = p256().jwk;
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
  const offCurveY = Buffer.from(good.y, 'base64url');
  offCurveY[31] = (offCurveY[31] ?? 0) ^ 1;
  const offCurve = { ...good, y: offCurveY.toString('base64url') };

  it.each([
    ['not a JWKS', { key: [] }, 'jwk-invalid'],
    ['a key that is not an object', { keys: ['x'] }, 'jwk-invalid'],
    ['a kid that is not the thumbprint', { keys: [{ ...good, kid: 'service-key-2026' }] }, 'jwk-kid-mismatch'],
    ['another key\'s thumbprint as kid', { keys: [{ ...good, kid: p256().jwk.kid }] }, 'jwk-kid-mismatch'],
    ['a key without kid', { keys: [{ ...good, kid: undefined }] }, 'jwk-invalid'],
    ['a private key', { keys: [{ ...good, d: 'AAAA' }] }, 'jwk-private-member'],
    ['a symmetric key', { keys: [{ kty: 'oct', k: 'AAAA', kid: 'x' }] }, 'jwk-private-member'],
    ['an RSA key', { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'x' }] }, 'jwk-unsupported-key'],
    ['a P-384 key', { keys: [{ ...p384, kid: jwkThumbprint(p384) }] }, 'jwk-unsupported-key'],
    ['alg ES384', { keys: [{ ...good, alg: 'ES384' }] }, 'jwk-unsupported-key'],
    ['use enc', { keys: [{ ...good, use: 'enc' }] }, 'jwk-unsupported-key'],
    ['key_ops without verify', { keys: [{ ...good, key_ops: ['sign'] }] }, 'jwk-unsupported-key'],
    ['padded coordinates', { keys: [{ ...good, x: `${good.x}=` }] }, 'jwk-invalid'],
    ['short coordinates', { keys: [{ ...good, x: good.x.slice(0, 40) }] }, 'jwk-invalid'],
    ['a point not on the curve', { keys: [{ ...offCurve, kid: jwkThumbprint(offCurve) }] }, 'jwk-invalid'],
  ] as const)('refuses %s', (_name, jwks, code) => {
    expect(codeOf(() => importVerificationKeys(jwks))).toBe(code);
  });

  it('refuses the whole set when one key lies about its kid', () => {
    const honest = p256().jwk;
    expect(codeOf(() => importVerificationKeys({ keys: [honest, { ...good, kid: honest.kid }] }))).toBe('jwk-kid-mismatch');
  });
});
