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
