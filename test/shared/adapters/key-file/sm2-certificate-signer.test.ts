import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSm2CertificateSigner } from '#shared/adapters/key-file/sm2-certificate-signer.ts';
import { Sm2PublicKey } from '#shared/crypto/sm2.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcc-sm2-key-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalSm2CertificateSigner.fromKeyFile', () => {
  it('creates a PKCS#8 SM2 key (mode 0600) on first use and opens the same key afterwards', async () => {
    const path = join(dir, 'signing-key-sm2.pem');
    const first = await LocalSm2CertificateSigner.fromKeyFile(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const again = await LocalSm2CertificateSigner.fromKeyFile(path);
    expect((await again.publicJwk()).kid).toBe((await first.publicJwk()).kid);
    const input = new TextEncoder().encode('header.payload');
    expect(Sm2PublicKey.fromJwk(await first.publicJwk()).verify(input, await again.sign(input))).toBe(true);
  });

  it('refuses a P-256 key file and a damaged file, and never overwrites them', async () => {
    const p256 = join(dir, 'p256.pem');
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(p256, pem);
    await expect(LocalSm2CertificateSigner.fromKeyFile(p256)).rejects.toMatchObject({ name: 'SignerError', code: 'signer-key-file-invalid' });
    expect(await readFile(p256, 'utf8')).toBe(pem);
    const damaged = join(dir, 'damaged.pem');
    await writeFile(damaged, 'not a key\n');
    await expect(LocalSm2CertificateSigner.fromKeyFile(damaged)).rejects.toMatchObject({ code: 'signer-key-file-invalid' });
  });
});
