import { spawn } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetPublicKeyCommand,
  SignCommand,
  type GetPublicKeyCommandOutput,
  KMSClient,
  type SignCommandInput,
} from '@aws-sdk/client-kms';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** Runs a command, feeding `input` on stdin, and returns its stdout; rejects on a non-zero exit. */
export function run(command: string, args: string[], input?: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString()}`));
    });
    // A command that exits without reading its input (openssl reading its files instead) closes
    // the pipe under the write: that EPIPE is no failure of ours, the exit code decides.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/** An error shaped like the SDK's service exceptions (name + $fault), for KMS refusals. */
function kmsException(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/**
 * A P-256 key that behaves like a KMS `ECC_NIST_P256` / `SIGN_VERIFY` key.
 *
 * `Sign` with `MessageType: DIGEST` must sign the given 32 bytes AS the hash. Node cannot do
 * that: `crypto.sign(null, digest, ecKey)` applies OpenSSL's default digest for EC keys
 * (SHA-256) again, signing SHA-256(SHA-256(input)) (the adapter tests demonstrate it). So the
 * fake signs with `openssl pkeyutl -sign`, which treats its input as the digest, exactly
 * like KMS, and answers DER as KMS does.
 */
export class FakeKmsKey {
  readonly keyId = 'arn:aws:kms:cn-north-1:111122223333:key/0f3c9d4e-1111-4aaa-8bbb-123456789abc';

  private constructor(
    readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
    private readonly directory: string,
    readonly privateKeyPath: string,
    readonly publicKeyPath: string,
  ) {}

  static async create(): Promise<FakeKmsKey> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const directory = await mkdtemp(join(tmpdir(), 'dcc-fake-kms-'));
    const privateKeyPath = join(directory, 'key.pem');
    const publicKeyPath = join(directory, 'pub.pem');
    await writeFile(privateKeyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    await writeFile(publicKeyPath, publicKey.export({ format: 'pem', type: 'spki' }));
    return new FakeKmsKey(privateKey, publicKey, directory, privateKeyPath, publicKeyPath);
  }

  /** The DER SubjectPublicKeyInfo, as `GetPublicKey` returns it. */
  spki(): Uint8Array {
    return new Uint8Array(this.publicKey.export({ format: 'der', type: 'spki' }));
  }

  /** Signs a 32-byte digest as a prehashed value; returns a DER ECDSA signature. */
  signDigest(digest: Uint8Array): Promise<Buffer> {
    return run('openssl', ['pkeyutl', '-sign', '-inkey', this.privateKeyPath], digest);
  }

  /** The `Sign` behaviour of KMS for this key, including its refusals of bad requests. */
  async sign(input: SignCommandInput): Promise<{ KeyId: string; Signature: Uint8Array; SigningAlgorithm: 'ECDSA_SHA_256' }> {
    if (input.SigningAlgorithm !== 'ECDSA_SHA_256') {
      throw kmsException('InvalidKeyUsageException', 'unsupported signing algorithm for this key');
    }
    if (input.MessageType !== 'DIGEST' || input.Message?.length !== 32) {
      // This fake only models DIGEST mode: a RAW request would be a bug in the adapter.
      throw kmsException('ValidationException', 'expected a 32-byte SHA-256 digest with MessageType DIGEST');
    }
    return { KeyId: this.keyId, Signature: new Uint8Array(await this.signDigest(input.Message)), SigningAlgorithm: 'ECDSA_SHA_256' };
  }

  /** The `GetPublicKey` answer of KMS for this key. */
  getPublicKeyOutput(overrides: Partial<GetPublicKeyCommandOutput> = {}): Partial<GetPublicKeyCommandOutput> {
    return {
      KeyId: this.keyId,
      PublicKey: this.spki(),
      CustomerMasterKeySpec: 'ECC_NIST_P256',
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
      ...overrides,
    };
  }

  /** Makes `kms` answer `Sign` and `GetPublicKey` as KMS would for this key. */
  install(kms: AwsClientStub<KMSClient>): void {
    kms.on(SignCommand).callsFake((input: SignCommandInput) => this.sign(input));
    kms.on(GetPublicKeyCommand).resolves(this.getPublicKeyOutput());
  }

  async dispose(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
  }
}

/** What {@link useFakeKmsKey} sets up for a test file. */
export interface FakeKmsFixture {
  /** aws-sdk-client-mock's stub of every KMSClient, answering for {@link FakeKmsFixture.key}. */
  readonly kms: AwsClientStub<KMSClient>;
  /** A client to hand to the adapter under test. */
  readonly client: KMSClient;
  /** The key KMS answers for (after `beforeAll`). */
  readonly key: FakeKmsKey;
  /** A scratch folder for files handed to openssl (after `beforeAll`). */
  readonly scratch: string;
}

/**
 * Registers the hooks of a test file about KMS signing: one fake key and one scratch folder for
 * the file, every KMSClient mocked, and before each test the mock reset and answering for the
 * key again (a test may override an answer; the next one starts clean).
 */
export function useFakeKmsKey(scratchPrefix: string): FakeKmsFixture {
  const kms = mockClient(KMSClient);
  const client = new KMSClient({ region: 'cn-north-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
  let key: FakeKmsKey | undefined;
  let scratch: string | undefined;
  beforeAll(async () => {
    key = await FakeKmsKey.create();
    scratch = await mkdtemp(join(tmpdir(), scratchPrefix));
  });
  afterAll(async () => {
    await key?.dispose();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    kms.restore();
  });
  beforeEach(() => {
    kms.reset();
    (key as FakeKmsKey).install(kms);
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the fake KMS ${what} is made in beforeAll`);
    return value;
  };
  return {
    kms,
    client,
    get key() {
      return ready(key, 'key');
    },
    get scratch() {
      return ready(scratch, 'scratch folder');
    },
  };
}
