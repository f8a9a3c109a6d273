import { generateKeyPairSync, sign } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { KmsNoteSigner } from '#shared/adapters/kms/note-signer.ts';
import { SignerError } from '#shared/crypto/errors.ts';
import { formatCheckpoint } from '#shared/transparency/checkpoint.ts';
import { formatVerifierKey, openNote, parseVerifierKey, signNote } from '#shared/transparency/note.ts';

const kms = mockClient(KMSClient);
const client = new KMSClient({ region: 'cn-north-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
const KEY_ID = 'arn:aws-cn:kms:cn-north-1:111122223333:key/log';

afterAll(() => kms.restore());

beforeEach(() => {
  kms.reset();
  kms.on(GetPublicKeyCommand).resolves({ PublicKey: spki, KeySpec: 'ECC_NIST_EDWARDS25519', SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] });
  // KMS's pure Ed25519 over the raw message, as ED25519_SHA_512 with MessageType RAW does.
  kms.on(SignCommand).callsFake(async (input: { Message: Uint8Array }) => ({ Signature: new Uint8Array(sign(null, input.Message, privateKey)) }));
});

describe('KmsNoteSigner', () => {
  it('signs checkpoints with ED25519_SHA_512 over the RAW note text, and the note verifies', async () => {
    const signer = new KmsNoteSigner({ client, keyId: KEY_ID, name: 'dcc.example.gov.cn/log' });
    const text = formatCheckpoint({ origin: signer.name, size: 3, rootHash: new Uint8Array(32).fill(1), extensions: [] });
    const note = await signNote(text, signer);
    const vkey = parseVerifierKey(formatVerifierKey(signer.name, await signer.publicKey()));
    expect(openNote(note, vkey)).toBe(text);
    const calls = kms.commandCalls(SignCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({ KeyId: KEY_ID, MessageType: 'RAW', SigningAlgorithm: 'ED25519_SHA_512' });
    expect(Buffer.from(calls[0]?.args[0].input.Message as Uint8Array).toString()).toBe(text);
  });

  it('fetches the public key once per process', async () => {
    const signer = new KmsNoteSigner({ client, keyId: KEY_ID, name: 'log' });
    await Promise.all([signer.publicKey(), signer.publicKey(), signer.sign(Uint8Array.of(1))]);
    await signer.sign(Uint8Array.of(2));
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  it('refuses a key that is not Ed25519 and a signature that does not verify', async () => {
    kms.on(GetPublicKeyCommand).resolves({ PublicKey: spki, KeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] });
    await expect(new KmsNoteSigner({ client, keyId: KEY_ID, name: 'log' }).publicKey()).rejects.toMatchObject({ code: 'signer-key-unsuitable' });
    kms.on(GetPublicKeyCommand).resolves({ PublicKey: spki, KeySpec: 'ECC_NIST_EDWARDS25519', SigningAlgorithms: ['ED25519_SHA_512'] });
    kms.on(SignCommand).resolves({ Signature: new Uint8Array(64) });
    const error = await new KmsNoteSigner({ client, keyId: KEY_ID, name: 'log' }).sign(Uint8Array.of(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignerError);
    expect(error).toMatchObject({ code: 'signer-signature-mismatch' });
  });
});

describe('KmsNoteSigner with an ECC_NIST_P256 key (RFC 6962 checkpoint signatures, the China regions)', () => {
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p256Spki = new Uint8Array(p256.publicKey.export({ type: 'spki', format: 'der' }));

  beforeEach(() => {
    kms.reset();
    kms.on(GetPublicKeyCommand).resolves({ PublicKey: p256Spki, KeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] });
    // KMS's ECDSA_SHA_256 with MessageType RAW: SHA-256 of the message, DER signature.
    kms.on(SignCommand).callsFake(async (input: { Message: Uint8Array }) => ({
      Signature: new Uint8Array(sign('sha256', input.Message, { key: p256.privateKey, dsaEncoding: 'der' })),
    }));
  });

  it('signs the 50-byte RFC 6962 tree head with ECDSA_SHA_256 over RAW, and the checkpoint verifies', async () => {
    const signer = new KmsNoteSigner({ client, keyId: KEY_ID, name: 'dcc.example.gov.cn/log', type: 'rfc6962' });
    const text = formatCheckpoint({ origin: signer.name, size: 3, rootHash: new Uint8Array(32).fill(1), extensions: [] });
    const at = new Date('2030-01-02T03:04:05.678Z');
    const note = await signNote(text, signer, () => at);
    expect(await signer.publicKey()).toEqual(p256Spki);
    const vkey = parseVerifierKey(formatVerifierKey(signer.name, await signer.publicKey(), 'rfc6962'));
    expect(vkey.type).toBe('rfc6962');
    expect(openNote(note, vkey)).toBe(text);
    const input = kms.commandCalls(SignCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ KeyId: KEY_ID, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
    const message = Buffer.from(input?.Message as Uint8Array);
    expect(message.length).toBe(50);
    expect([message[0], message[1]]).toEqual([0, 1]);
    expect(message.readBigUInt64BE(2)).toBe(BigInt(at.getTime()));
    expect(message.readBigUInt64BE(10)).toBe(3n);
  });

  it('refuses an Ed25519 key when RFC 6962 signatures are asked for, and a signature that does not verify', async () => {
    kms.on(GetPublicKeyCommand).resolves({ PublicKey: spki, KeySpec: 'ECC_NIST_EDWARDS25519', SigningAlgorithms: ['ED25519_SHA_512'] });
    await expect(new KmsNoteSigner({ client, keyId: KEY_ID, name: 'log', type: 'rfc6962' }).publicKey()).rejects.toMatchObject({
      code: 'signer-key-unsuitable',
    });
    kms.on(GetPublicKeyCommand).resolves({ PublicKey: p256Spki, KeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    kms.on(SignCommand).callsFake(async (input: { Message: Uint8Array }) => ({
      Signature: new Uint8Array(sign('sha256', input.Message, { key: other, dsaEncoding: 'der' })),
    }));
    await expect(new KmsNoteSigner({ client, keyId: KEY_ID, name: 'log', type: 'rfc6962' }).sign(new Uint8Array(50))).rejects.toMatchObject({
      code: 'signer-signature-mismatch',
    });
  });
});
