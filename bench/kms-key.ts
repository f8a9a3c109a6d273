import { createECDH, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import {
  GetPublicKeyCommand,
  type GetPublicKeyCommandOutput,
  type KMSClient,
  SignCommand,
  type SignCommandInput,
  type SignCommandOutput,
} from '@aws-sdk/client-kms';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { p1363ToDer } from '#shared/crypto/ecdsa-der.ts';
import { SM2_ORDER, Sm2PrivateKey } from '#shared/crypto/sm2.ts';

/** Order of the P-256 group (FIPS 186-4 D.1.2.3). */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * A P-256 key that answers `Sign` like a KMS `ECC_NIST_P256` key in `MessageType: DIGEST` mode,
 * in-process and fast enough to sit inside a benchmark.
 *
 * Node's `crypto.sign` cannot sign a prehashed value (it would hash the digest again), and the
 * tests' fake spawns `openssl pkeyutl` per signature, which costs milliseconds. This one does
 * textbook ECDSA with the digest as `z`: the point multiplication `k·G` is native (ECDH derives
 * the public point of `k`), the rest is BigInt arithmetic modulo the group order. Answers are
 * DER, as KMS sends them. The cost is close to one native signature, so what the handler adds
 * on top of signing stays visible.
 */
export class InProcessKmsKey {
  readonly keyId = 'arn:aws:kms:cn-north-1:111122223333:key/7b1e6c2a-0b5e-4f7e-9a51-bench0000001';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly #d: bigint;
  readonly #ecdh = createECDH('prime256v1');

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    const d = privateKey.export({ format: 'jwk' }).d;
    if (typeof d !== 'string') throw new Error('the generated key has no private scalar');
    this.#d = toBigInt(Buffer.from(d, 'base64url'));
  }

  /** Signs a 32-byte digest as the hash itself (no second hashing); returns DER. */
  signDigest(digest: Uint8Array): Uint8Array {
    if (digest.length !== 32) throw new RangeError('a SHA-256 digest has 32 bytes');
    const z = toBigInt(digest);
    for (;;) {
      const k = toBigInt(randomBytes(32));
      if (k === 0n || k >= N) continue;
      this.#ecdh.setPrivateKey(toBytes32(k));
      const point = this.#ecdh.getPublicKey();
      const r = toBigInt(point.subarray(1, 33)) % N;
      if (r === 0n) continue;
      const s = (modInverse(k, N) * ((z + r * this.#d) % N)) % N;
      if (s === 0n) continue;
      const rs = new Uint8Array(64);
      rs.set(toBytes32(r), 0);
      rs.set(toBytes32(s), 32);
      return p1363ToDer(rs);
    }
  }

  /** The `GetPublicKey` answer of KMS for this key. */
  getPublicKeyOutput(): Partial<GetPublicKeyCommandOutput> {
    return {
      KeyId: this.keyId,
      PublicKey: new Uint8Array(this.publicKey.export({ format: 'der', type: 'spki' })),
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    };
  }

  /** The `Sign` answer of KMS for this key; refuses, as KMS would, anything but ECDSA_SHA_256 over a 32-byte DIGEST. */
  signOutput(input: SignCommandInput): Partial<SignCommandOutput> {
    if (input.MessageType !== 'DIGEST' || input.SigningAlgorithm !== 'ECDSA_SHA_256' || input.Message?.length !== 32) {
      throw Object.assign(new Error('expected ECDSA_SHA_256 over a 32-byte DIGEST'), { name: 'ValidationException', $fault: 'client' });
    }
    return { KeyId: this.keyId, Signature: this.signDigest(input.Message), SigningAlgorithm: 'ECDSA_SHA_256' };
  }

  /** Makes the mocked KMS client answer `Sign` and `GetPublicKey` as KMS would for this key. */
  install(kms: AwsClientStub<KMSClient>): void {
    kms.on(SignCommand).callsFake(async (input: SignCommandInput) => this.signOutput(input));
    kms.on(GetPublicKeyCommand).resolves(this.getPublicKeyOutput());
  }
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function toBytes32(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

/** `a⁻¹ mod m` by the extended Euclidean algorithm (m prime, 0 < a < m). */
function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

/**
 * An SM2 key that answers `Sign` like a KMS `SM2` key with `SigningAlgorithm: SM2DSA` in
 * `MessageType: DIGEST` mode (the 32 bytes sent are e = SM3(Z_A || M)), in DER, and
 * `GetPublicKey` with its SPKI: the SM2 suite's stand-in in the round-trip measurement.
 */
export class InProcessSm2KmsKey {
  readonly keyId = 'arn:aws-cn:kms:cn-north-1:111122223333:key/7b1e6c2a-0b5e-4f7e-9a51-bench0000sm2';
  readonly #key = Sm2PrivateKey.generate();

  /** Makes the mocked KMS client answer `Sign` and `GetPublicKey` as KMS would for this key. */
  install(kms: AwsClientStub<KMSClient>): void {
    kms.on(SignCommand).callsFake(async (input: SignCommandInput) => {
      if (input.MessageType !== 'DIGEST' || input.SigningAlgorithm !== 'SM2DSA' || input.Message?.length !== 32) {
        throw Object.assign(new Error('expected SM2DSA over a 32-byte DIGEST'), { name: 'ValidationException', $fault: 'client' });
      }
      return { KeyId: this.keyId, Signature: p1363ToDer(this.#key.signDigest(input.Message), SM2_ORDER), SigningAlgorithm: 'SM2DSA' };
    });
    kms.on(GetPublicKeyCommand).resolves({
      KeyId: this.keyId,
      PublicKey: this.#key.publicKey.toSpki(),
      KeySpec: 'SM2',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['SM2DSA'],
    });
  }
}
