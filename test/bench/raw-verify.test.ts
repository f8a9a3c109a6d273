import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { essentialSteps, rawInputOf, rawVerify } from '../../bench/raw-verify.ts';

/** A compact ES256 JWS over `payload` (bytes as they are, valid UTF-8 or not), signed with `privateKey`. */
function jws(privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'], payload: Buffer): string {
  const signingInput = `${Buffer.from('{"alg":"ES256","typ":"vc+jwt","kid":"k"}').toString('base64url')}.${payload.toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

describe("the batch figure's floors", () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const payload = { certificateNo: 'DCC-1', credentialSubject: { provider: { name: '数据提供方' } } };
  const token = jws(privateKey, Buffer.from(JSON.stringify(payload)));

  it('the raw floor verifies the bytes the signature covers, and nothing else', () => {
    const input = rawInputOf(token);
    expect(rawVerify(publicKey, input)).toBe(true);
    expect(rawVerify(publicKey, { ...input, data: Buffer.concat([input.data, Buffer.from('x')]) })).toBe(false);
  });

  it('the unskippable steps give the payload of a genuine token', () => {
    expect(essentialSteps(publicKey, token)).toEqual(payload);
  });

  it('the unskippable steps refuse a token whose payload or signature was changed', () => {
    const [header, body, signature] = token.split('.') as [string, string, string];
    const otherBody = Buffer.from(JSON.stringify({ ...payload, certificateNo: 'DCC-2' })).toString('base64url');
    expect(essentialSteps(publicKey, `${header}.${otherBody}.${signature}`)).toBeUndefined();
    const flipped = Buffer.from(signature, 'base64url');
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(essentialSteps(publicKey, `${header}.${body}.${flipped.toString('base64url')}`)).toBeUndefined();
    expect(essentialSteps(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, token)).toBeUndefined();
  });

  it('the unskippable steps decode UTF-8 strictly and parse JSON, as the verifier does', () => {
    expect(() => essentialSteps(publicKey, jws(privateKey, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])))).toThrow(TypeError);
    expect(() => essentialSteps(publicKey, jws(privateKey, Buffer.from('{"a":')))).toThrow(SyntaxError);
  });
});
