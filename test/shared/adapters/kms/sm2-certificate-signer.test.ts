import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsRetiredKey } from '#shared/adapters/kms/retired-key.ts';
import { KmsSm2CertificateSigner } from '#shared/adapters/kms/sm2-certificate-signer.ts';
import { p1363ToDer } from '#shared/crypto/ecdsa-der.ts';
import { SM2_ORDER, Sm2PrivateKey, Sm2PublicKey } from '#shared/crypto/sm2.ts';
import { type Check, verifyCompactJws } from '#shared/crypto/webcrypto-jws.ts';
import { signCertificate, signJwt, verifyCertificate } from '#shared/domain/certificate.ts';
import { sampleCredential, SAMPLE_VALID_AT } from '../../domain/certificate/support/sample-credential.ts';

/**
 * The KMS SM2 signer against a mocked KMS whose `SM2` key is a real local SM2 key: `Sign` with
 * `MessageType: DIGEST` signs the 32 bytes it is sent as e and answers DER, as KMS does, so
 * only a signer that computed e = SM3(Z_A || signing input) itself produces a signature
 * that verifies.
 */

const KEY_ID = 'arn:aws-cn:kms:cn-northwest-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const kms = mockClient(KMSClient);
const client = new KMSClient({ region: 'cn-northwest-1' });
let key: Sm2PrivateKey;
const utf8 = new TextEncoder();

beforeEach(() => {
  kms.reset();
  key = Sm2PrivateKey.generate();
  kms.on(GetPublicKeyCommand).resolves({
    KeyId: KEY_ID,
    KeySpec: 'SM2',
    KeyUsage: 'SIGN_VERIFY',
    SigningAlgorithms: ['SM2DSA'],
    PublicKey: key.publicKey.toSpki(),
  });
  kms.on(SignCommand).callsFake((input: { Message?: Uint8Array; MessageType?: string; SigningAlgorithm?: string }) => {
    if (input.SigningAlgorithm !== 'SM2DSA' || input.MessageType !== 'DIGEST' || input.Message?.length !== 32) {
      throw Object.assign(new Error('ValidationException'), { name: 'ValidationException' });
    }
    return { KeyId: KEY_ID, SigningAlgorithm: 'SM2DSA', Signature: p1363ToDer(key.signDigest(input.Message), SM2_ORDER) };
  });
});

describe('KmsSm2CertificateSigner', () => {
  it('sends one Sign per signature: KeyId, MessageType DIGEST, SigningAlgorithm SM2DSA, Message = e = SM3(Z_A || input)', async () => {
    const signer = new KmsSm2CertificateSigner({ client, keyId: KEY_ID });
    const inputs = ['a', 'b', 'c'].map((s) => utf8.encode(`header.${s}`));
    const signatures = [];
    for (const input of inputs) signatures.push(await signer.sign(input));
    const calls = kms.commandCalls(SignCommand);
    expect(calls).toHaveLength(3);
    calls.forEach((call, i) => {
      const sent = call.args[0].input;
      expect(sent.KeyId).toBe(KEY_ID);
      expect(sent.MessageType).toBe('DIGEST');
      expect(sent.SigningAlgorithm).toBe('SM2DSA');
      expect(Buffer.from(sent.Message ?? []).toString('hex')).toBe(Buffer.from(key.publicKey.digest(inputs[i]!)).toString('hex'));
    });
    // The public point (for Z_A) is fetched once, before the first signature.
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    signatures.forEach((rs, i) => {
      expect(rs).toHaveLength(64);
      expect(key.publicKey.verify(inputs[i]!, rs)).toBe(true);
    });
  });

  it('signs a status list larger than the 4096 bytes KMS accepts in RAW mode: only the 32-byte e is sent', async () => {
    const signer = new KmsSm2CertificateSigner({ client, keyId: KEY_ID });
    const list = await signJwt({ id: 'https://dcc.example.cn/v1/status-lists/0', encodedList: `u${'A'.repeat(20_000)}` }, signer);
    expect(list.length).toBeGreaterThan(20_000);
    expect(kms.commandCalls(SignCommand)[0]!.args[0].input.Message).toHaveLength(32);
    const jwk = await signer.publicJwk();
    const checks: Check[] = [];
    expect(await verifyCompactJws(list, [jwk], checks)).toMatchObject({ ok: true });
  });

  it('issues a certificate that verifies against the published key (kid = thumbprint of the KMS public key)', async () => {
    const signer = new KmsSm2CertificateSigner({ client, keyId: KEY_ID });
    const token = await signCertificate(sampleCredential(), signer);
    const jwk = await signer.publicJwk();
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'SM2', alg: 'SM2', use: 'sig' });
    expect(Sm2PublicKey.fromJwk(jwk).toSpki()).toEqual(key.publicKey.toSpki());
    expect(await verifyCertificate(token, [jwk], SAMPLE_VALID_AT)).toMatchObject({ verified: true, kid: jwk.kid });
  });

  it.each([
    ['KeySpec ECC_NIST_P256', { KeySpec: 'ECC_NIST_P256' }, /expected SM2/],
    ['KeyUsage ENCRYPT_DECRYPT', { KeyUsage: 'ENCRYPT_DECRYPT' }, /expected SIGN_VERIFY/],
    ['no SM2DSA', { SigningAlgorithms: ['ECDSA_SHA_256'] }, /does not offer SM2DSA/],
    ['a P-256 public key', { PublicKey: Uint8Array.from(Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200'.padEnd(182, '1'), 'hex')) }, /unusable/],
  ])('refuses a key with %s before signing anything', async (_name, override, message) => {
    kms.on(GetPublicKeyCommand).resolves({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['SM2DSA'], PublicKey: key.publicKey.toSpki(), ...override } as never);
    const signer = new KmsSm2CertificateSigner({ client, keyId: KEY_ID });
    await expect(signer.sign(utf8.encode('x'))).rejects.toMatchObject({ name: 'SignerError', message });
    expect(kms.commandCalls(SignCommand)).toHaveLength(0);
  });

  it('refuses a DER answer whose r is in [n_SM2, n_P256) as malformed', async () => {
    kms.on(SignCommand).resolves({ Signature: p1363ToDer(Uint8Array.from(Buffer.from((SM2_ORDER + 5n).toString(16) + '01'.padStart(64, '0'), 'hex'))) });
    const signer = new KmsSm2CertificateSigner({ client, keyId: KEY_ID });
    await expect(signer.sign(utf8.encode('x'))).rejects.toMatchObject({ name: 'SignerError', code: 'signer-signature-malformed' });
  });

  it('lets KMS errors through unchanged', async () => {
    kms.on(SignCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const signer = new KmsSm2CertificateSigner({ client, keyId: KEY_ID });
    await expect(signer.sign(utf8.encode('x'))).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('KmsRetiredKey', () => {
  it('publishes a retired SM2 key with one GetPublicKey, and a retired P-256 key by its own checks', async () => {
    const retired = new KmsRetiredKey({ client, keyId: KEY_ID });
    expect(await retired.publicJwk()).toMatchObject({ crv: 'SM2', alg: 'SM2' });
    expect(await retired.publicJwk()).toMatchObject({ crv: 'SM2' });
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    kms.on(GetPublicKeyCommand).resolves({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    await expect(new KmsRetiredKey({ client, keyId: 'other' }).publicJwk()).rejects.toMatchObject({ code: 'signer-key-unsuitable' });
  });
});
