import { constants, generateKeyPairSync, privateEncrypt } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand, type SignCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsAccessTokenSigner } from '#shared/adapters/kms/access-token-signer.ts';
import { SignerError } from '#shared/crypto/errors.ts';
import { accessTokenClaims, signAccessToken } from '#shared/domain/access-token.ts';
import { ACCESS_TOKEN_AUDIENCE } from '#shared/domain/oauth.ts';

/**
 * The KMS access-token signer against a mocked KMS whose `Sign` makes a real RSASSA-PKCS1-v1_5
 * signature of the digest it is given, as KMS does with `MessageType: DIGEST`: the token that
 * comes out must verify with jose against the JWKS built from `GetPublicKey`.
 */

const KEY_ID = 'arn:aws-cn:kms:cn-northwest-1:111122223333:key/1b2c3d4e-1111-4aaa-8bbb-123456789abc';
/** DER prefix of a SHA-256 DigestInfo (RFC 8017 section 9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SPKI = publicKey.export({ format: 'der', type: 'spki' });
const kms = mockClient(KMSClient);

const PUBLIC_KEY = {
  KeyId: KEY_ID,
  KeySpec: 'RSA_2048',
  KeyUsage: 'SIGN_VERIFY',
  SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'],
  PublicKey: new Uint8Array(SPKI),
} as const;

beforeEach(() => {
  kms.reset();
  kms.on(GetPublicKeyCommand).resolves({ ...PUBLIC_KEY, SigningAlgorithms: [...PUBLIC_KEY.SigningAlgorithms] });
  kms.on(SignCommand).callsFake((input: SignCommandInput) => ({
    KeyId: KEY_ID,
    SigningAlgorithm: input.SigningAlgorithm,
    Signature: new Uint8Array(
      privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(input.Message as Uint8Array)])),
    ),
  }));
});

describe('KmsAccessTokenSigner', () => {
  it('signs RS256 tokens that jose verifies against the published JWKS, asking KMS for a digest signature', async () => {
    const signer = new KmsAccessTokenSigner({ client: new KMSClient({ region: 'cn-northwest-1' }), keyId: KEY_ID });
    const now = new Date();
    const claims = accessTokenClaims({ issuer: 'https://dcc.example.gov.cn', clientId: 'hz-sde', scope: 'dcc/issue', now, lifetimeSeconds: 3600 });
    const token = await signAccessToken(signer, claims);

    const jwk = await signer.publicJwk();
    expect(jwk).toMatchObject({ kty: 'RSA', e: 'AQAB', alg: 'RS256', use: 'sig' });
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet({ keys: [{ ...jwk }] }), {
      algorithms: ['RS256'],
      issuer: 'https://dcc.example.gov.cn',
      audience: ACCESS_TOKEN_AUDIENCE,
      currentDate: now,
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt' });
    expect(payload).toMatchObject({ client_id: 'hz-sde', scope: 'dcc/issue' });

    const sign = kms.commandCalls(SignCommand);
    expect(sign).toHaveLength(1);
    const input = sign[0]?.args[0].input as SignCommandInput;
    expect(input).toMatchObject({ KeyId: KEY_ID, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' });
    expect((input.Message as Uint8Array).length).toBe(32);
  });

  it('fetches the public key once per container, shared by concurrent callers', async () => {
    const signer = new KmsAccessTokenSigner({ client: new KMSClient({ region: 'cn-northwest-1' }), keyId: KEY_ID });
    const keys = await Promise.all([signer.publicJwk(), signer.publicJwk(), signer.publicJwk()]);
    await signer.publicJwk();
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  it('forgets a failed GetPublicKey, so the next call tries again', async () => {
    kms
      .on(GetPublicKeyCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .resolves({ ...PUBLIC_KEY, SigningAlgorithms: [...PUBLIC_KEY.SigningAlgorithms] });
    const signer = new KmsAccessTokenSigner({ client: new KMSClient({ region: 'cn-northwest-1' }), keyId: KEY_ID });
    await expect(signer.publicJwk()).rejects.toThrow('slow down');
    await expect(signer.publicJwk()).resolves.toMatchObject({ kty: 'RSA' });
  });

  it('refuses a key that is not RSA_2048 / SIGN_VERIFY', async () => {
    kms.on(GetPublicKeyCommand).resolves({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', PublicKey: new Uint8Array(SPKI) });
    const signer = new KmsAccessTokenSigner({ client: new KMSClient({ region: 'cn-northwest-1' }), keyId: KEY_ID });
    await expect(signer.publicJwk()).rejects.toBeInstanceOf(SignerError);
  });

  it('refuses a signature of the wrong size', async () => {
    kms.on(SignCommand).resolves({ Signature: new Uint8Array(64) });
    const signer = new KmsAccessTokenSigner({ client: new KMSClient({ region: 'cn-northwest-1' }), keyId: KEY_ID });
    await expect(signer.sign(new Uint8Array([1]))).rejects.toMatchObject({ code: 'signer-signature-malformed' });
  });
});
