import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { calculateJwkThumbprint, compactVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { KmsCertificateSigner } from '#shared/adapters/kms/certificate-signer.ts';
import { compactJws, signingInputOf } from '#shared/crypto/compact-jws.ts';
import { p1363ToDer } from '#shared/crypto/ecdsa-der.ts';
import { verifyP256 } from '#shared/crypto/ecdsa-p256.ts';
import { CryptoError, SignerError } from '#shared/crypto/errors.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { FakeKmsKey, run, useFakeKmsKey } from '../../../support/fake-kms-key.ts';

const fixture = useFakeKmsKey('dcc-kms-test-');
const { kms, client } = fixture;
const encoder = new TextEncoder();
const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

function newSigner(): KmsCertificateSigner {
  return new KmsCertificateSigner({ client, keyId: fixture.key.keyId });
}

/** Verifies a DER signature over `data` with the OpenSSL command line; true on "Verified OK". */
async function opensslVerifies(jwk: PublicVerificationJwk, data: Uint8Array, rs: Uint8Array, name: string): Promise<boolean> {
  const pubPath = join(fixture.scratch, `${name}.pub.pem`);
  const sigPath = join(fixture.scratch, `${name}.sig.der`);
  const dataPath = join(fixture.scratch, `${name}.data`);
  // The PEM comes from the JWK the signer publishes, so this also proves the JWK is the right fixture.key.
  await writeFile(pubPath, createPublicKey({ key: { ...jwk } as JsonWebKey, format: 'jwk' }).export({ format: 'pem', type: 'spki' }));
  await writeFile(sigPath, p1363ToDer(rs));
  await writeFile(dataPath, data);
  try {
    const out = await run('openssl', ['dgst', '-sha256', '-verify', pubPath, '-signature', sigPath, dataPath]);
    return out.toString().trim() === 'Verified OK';
  } catch {
    return false;
  }
}

describe('the fake KMS key signs like KMS DIGEST mode', () => {
  const data = encoder.encode('eyJhbGciOiJFUzI1NiJ9.eyJoZWxsbyI6IndvcmxkIn0');
  const digest = sha256(data);

  it('Node crypto.sign(null, digest) would hash the digest again, which is why the fake does not use it', () => {
    const der = sign(null, digest, { key: fixture.key.privateKey, dsaEncoding: 'der' });
    expect(verify('sha256', data, { key: fixture.key.publicKey, dsaEncoding: 'der' }, der)).toBe(false);
    // It is a signature over SHA-256(digest): the digest was treated as the message.
    expect(verify('sha256', digest, { key: fixture.key.publicKey, dsaEncoding: 'der' }, der)).toBe(true);
  });

  it('openssl pkeyutl signs the digest as the hash: the signature is over SHA-256(signing input)', async () => {
    const der = await fixture.key.signDigest(digest);
    expect(der[0]).toBe(0x30);
    expect(verify('sha256', data, { key: fixture.key.publicKey, dsaEncoding: 'der' }, der)).toBe(true);
    expect(verify('sha256', digest, { key: fixture.key.publicKey, dsaEncoding: 'der' }, der)).toBe(false);
  });
});

describe('KmsCertificateSigner.sign', () => {
  it('sends one Sign per signature: the SHA-256 digest, MessageType DIGEST, ECDSA_SHA_256, the key id', async () => {
    const signer = newSigner();
    const inputs = ['a', 'b', 'c'].map((s) => encoder.encode(`header.${s}`));
    for (const input of inputs) await signer.sign(input);
    const calls = kms.commandCalls(SignCommand);
    expect(calls).toHaveLength(3);
    calls.forEach((call, i) => {
      const sent = call.args[0].input;
      expect(sent.KeyId).toBe(fixture.key.keyId);
      expect(sent.MessageType).toBe('DIGEST');
      expect(sent.SigningAlgorithm).toBe('ECDSA_SHA_256');
      expect(Buffer.from(sent.Message ?? new Uint8Array()).equals(sha256(inputs[i] ?? new Uint8Array()))).toBe(true);
    });
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(0);
  });

  it('returns 64-byte R||S that verifies with verifyP256, jose and the openssl command line', async () => {
    const signer = newSigner();
    const jwk = await signer.publicJwk();
    for (let i = 0; i < 5; i++) {
      const input = signingInputOf({ alg: 'ES256', kid: jwk.kid }, encoder.encode(JSON.stringify({ n: i })));
      const rs = await signer.sign(encoder.encode(input));
      expect(rs).toHaveLength(64);
      expect(verifyP256(jwk, encoder.encode(input), rs)).toBe(true);
      const token = compactJws(input, rs);
      const result = await compactVerify(token, jwk, { algorithms: ['ES256'] });
      expect(JSON.parse(Buffer.from(result.payload).toString())).toEqual({ n: i });
      expect(await opensslVerifies(jwk, encoder.encode(input), rs, `ok-${i}`)).toBe(true);
    }
  });

  it('openssl refuses the same signature over other data (the check can fail)', async () => {
    const signer = newSigner();
    const jwk = await signer.publicJwk();
    const rs = await signer.sign(encoder.encode('original'));
    expect(await opensslVerifies(jwk, encoder.encode('original'), rs, 'orig')).toBe(true);
    expect(await opensslVerifies(jwk, encoder.encode('originaL'), rs, 'other')).toBe(false);
  });

  it.each([
    ['random bytes', Uint8Array.from([0xde, 0xad, 0xbe, 0xef])],
    ['DER with a trailing byte', Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00])],
    ['an R||S signature instead of DER', new Uint8Array(64).fill(7)],
    ['an empty signature', new Uint8Array(0)],
  ])('refuses %s from KMS with signer-signature-malformed', async (_name, signature) => {
    kms.on(SignCommand).resolves({ KeyId: fixture.key.keyId, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' });
    const error = await newSigner().sign(encoder.encode('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignerError);
    expect((error as SignerError).code).toBe('signer-signature-malformed');
    expect((error as SignerError).cause).toBeInstanceOf(CryptoError);
  });

  it('refuses a Sign answer without a signature', async () => {
    kms.on(SignCommand).resolves({ KeyId: fixture.key.keyId });
    await expect(newSigner().sign(encoder.encode('x'))).rejects.toMatchObject({
      name: 'SignerError',
      code: 'signer-response-incomplete',
    });
  });

  it('lets KMS errors propagate unchanged', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
    kms.on(SignCommand).rejects(throttled);
    const error = await newSigner().sign(encoder.encode('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ThrottlingException');
    expect((error as Error).message).toBe('Rate exceeded');
    expect(error).not.toBeInstanceOf(SignerError);
  });
});

describe('KmsCertificateSigner.publicJwk', () => {
  it('turns the SPKI into the public JWK with the RFC 7638 thumbprint as kid', async () => {
    const jwk = await newSigner().publicJwk();
    const expected = fixture.key.publicKey.export({ format: 'jwk' });
    expect(jwk).toEqual({ kty: 'EC', crv: 'P-256', x: expected.x, y: expected.y, alg: 'ES256', use: 'sig', kid: jwk.kid });
    expect(jwk.kid).toBe(await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: expected.x ?? '', y: expected.y ?? '' }));
    const sent = kms.commandCalls(GetPublicKeyCommand)[0]?.args[0].input;
    expect(sent?.KeyId).toBe(fixture.key.keyId);
  });

  it('calls GetPublicKey once across many sequential and concurrent calls', async () => {
    const signer = newSigner();
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => signer.publicJwk()));
    for (let i = 0; i < 10; i++) await signer.publicJwk();
    await signer.sign(encoder.encode('x'));
    expect(new Set(concurrent.map((j) => j.kid)).size).toBe(1);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  it('does not cache a failed fetch: the next call asks KMS again, then the success is cached', async () => {
    const failure = Object.assign(new Error('KMS is busy'), { name: 'KMSInternalException' });
    kms.on(GetPublicKeyCommand).rejectsOnce(failure).resolves(fixture.key.getPublicKeyOutput());
    const signer = newSigner();
    await expect(signer.publicJwk()).rejects.toBe(failure);
    const jwk = await signer.publicJwk();
    await signer.publicJwk();
    expect(jwk.crv).toBe('P-256');
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(2);
  });

  const p384Spki = new Uint8Array(
    generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'der', type: 'spki' }),
  );

  it.each([
    ['KeySpec ECC_NIST_P384', { KeySpec: 'ECC_NIST_P384' as const, PublicKey: p384Spki }],
    ['KeySpec ECC_SECG_P256K1', { KeySpec: 'ECC_SECG_P256K1' as const }],
    ['KeySpec RSA_2048', { KeySpec: 'RSA_2048' as const }],
    ['a missing KeySpec', { KeySpec: undefined }],
    ['KeyUsage ENCRYPT_DECRYPT', { KeyUsage: 'ENCRYPT_DECRYPT' as const }],
    ['KeyUsage GENERATE_VERIFY_MAC', { KeyUsage: 'GENERATE_VERIFY_MAC' as const }],
    ['no ECDSA_SHA_256 among the signing algorithms', { SigningAlgorithms: ['ECDSA_SHA_384' as const] }],
    ['a P-384 public key under a P-256 KeySpec', { PublicKey: p384Spki }],
    ['a public key that is not SPKI', { PublicKey: Uint8Array.from([1, 2, 3]) }],
  ])('refuses %s with signer-key-unsuitable', async (_name, overrides) => {
    kms.on(GetPublicKeyCommand).resolves(fixture.key.getPublicKeyOutput(overrides));
    const error = await newSigner().publicJwk().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignerError);
    expect((error as SignerError).code).toBe('signer-key-unsuitable');
  });

  it('refuses an answer without a public key', async () => {
    kms.on(GetPublicKeyCommand).resolves(fixture.key.getPublicKeyOutput({ PublicKey: undefined }));
    await expect(newSigner().publicJwk()).rejects.toMatchObject({ code: 'signer-response-incomplete' });
  });
});
