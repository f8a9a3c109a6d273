import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, compactVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { compactJws, signingInputOf } from '#shared/crypto/compact-jws.ts';
import { verifyP256 } from '#shared/crypto/ecdsa-p256.ts';
import { SignerError } from '#shared/crypto/errors.ts';
import { run } from '../../../support/fake-kms-key.ts';

const encoder = new TextEncoder();
let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'dcc-local-signer-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('LocalCertificateSigner.fromKeyFile', () => {
  it('creates a P-256 PKCS#8 PEM with mode 0600 (and its missing folders) on first use', async () => {
    const path = join(directory, 'nested', 'keys', 'signing-key.pem');
    const signer = await LocalCertificateSigner.fromKeyFile(path);
    const info = await stat(path);
    expect(info.mode & 0o777).toBe(0o600);
    const pem = await readFile(path, 'utf8');
    expect(pem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    const key = createPrivateKey(pem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const jwk = await signer.publicJwk();
    expect(jwk.kid).toBe(await calculateJwkThumbprint(jwk));
    // No temp file left behind next to the key.
    expect(await readdir(join(directory, 'nested', 'keys'))).toEqual(['signing-key.pem']);
  });

  it('reuses the file on the second open: same bytes, same kid, signatures interchangeable', async () => {
    const path = join(directory, 'key.pem');
    const first = await LocalCertificateSigner.fromKeyFile(path);
    const bytes = await readFile(path);
    const second = await LocalCertificateSigner.fromKeyFile(path);
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect((await second.publicJwk()).kid).toBe((await first.publicJwk()).kid);
    const input = encoder.encode('signing input');
    expect(verifyP256(await second.publicJwk(), input, await first.sign(input))).toBe(true);
  });

  it('opens a key written by OpenSSL', async () => {
    const path = join(directory, 'openssl.pem');
    await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);
    const signer = await LocalCertificateSigner.fromKeyFile(path);
    const pub = createPrivateKey(await readFile(path, 'utf8')).export({ format: 'jwk' });
    expect((await signer.publicJwk()).x).toBe(pub.x);
  });

  it('gives every concurrent opener of a new file the same key (one creator wins, none clobbers)', async () => {
    const path = join(directory, 'raced.pem');
    const signers = await Promise.all(Array.from({ length: 8 }, () => LocalCertificateSigner.fromKeyFile(path)));
    const kids = await Promise.all(signers.map(async (s) => (await s.publicJwk()).kid));
    expect(new Set(kids).size).toBe(1);
    expect(await readdir(directory)).toEqual(['raced.pem']);
    const reopened = await LocalCertificateSigner.fromKeyFile(path);
    expect((await reopened.publicJwk()).kid).toBe(kids[0]);
  });

  it('gives separate processes started at once the same key', async () => {
    const path = join(directory, 'processes', 'key.pem');
    const script = new URL('./support/open-key-file.ts', import.meta.url).pathname;
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', script, path])),
    );
    const kids = outputs.map((o) => o.toString().trim());
    expect(kids[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(kids).size).toBe(1);
    expect(await readdir(join(directory, 'processes'))).toEqual(['key.pem']);
    const signer = await LocalCertificateSigner.fromKeyFile(path);
    expect((await signer.publicJwk()).kid).toBe(kids[0]);
  });

  const otherKeys: [string, () => string][] = [
    ['a P-384 key', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()],
    ['an Ed25519 key', () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()],
    ['a SEC1 "EC PRIVATE KEY" PEM', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }).toString()],
    ['a public key', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString()],
    ['garbage under a PKCS#8 label', () => '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
    ['an empty file', () => ''],
  ];

  it.each(otherKeys)('refuses %s and leaves the file untouched', async (_name, content) => {
    const path = join(directory, 'other.pem');
    const text = content();
    await writeFile(path, text, { mode: 0o600 });
    const error = await LocalCertificateSigner.fromKeyFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignerError);
    expect((error as SignerError).code).toBe('signer-key-file-invalid');
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('propagates file-system errors other than a missing file', async () => {
    // A directory where the key file should be: reading it fails with EISDIR, not ENOENT.
    const error = await LocalCertificateSigner.fromKeyFile(directory).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('EISDIR');
  });
});

describe('LocalCertificateSigner.sign', () => {
  it('produces 64-byte ES256 signatures that jose verifies with the published JWK', async () => {
    const signer = await LocalCertificateSigner.fromKeyFile(join(directory, 'key.pem'));
    const jwk = await signer.publicJwk();
    const input = signingInputOf({ alg: 'ES256', kid: jwk.kid }, encoder.encode('{"a":1}'));
    const rs = await signer.sign(encoder.encode(input));
    expect(rs).toHaveLength(64);
    const { payload } = await compactVerify(compactJws(input, rs), jwk, { algorithms: ['ES256'] });
    expect(Buffer.from(payload).toString()).toBe('{"a":1}');
  });

  it('refuses a key that is not P-256 when built from a KeyObject', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(() => LocalCertificateSigner.fromPrivateKey(p384)).toThrow(SignerError);
    const publicOnly = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(() => LocalCertificateSigner.fromPrivateKey(publicOnly)).toThrow(SignerError);
  });
});
