import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSm2CertificateSigner } from '#shared/adapters/key-file/sm2-certificate-signer.ts';
import { encodeBase64url } from '#shared/crypto/base64url.ts';
import { derToP1363, p1363ToDer } from '#shared/crypto/ecdsa-der.ts';
import { SM2_ORDER, Sm2PublicKey } from '#shared/crypto/sm2.ts';
import { type Check, verifyCompactJws } from '#shared/crypto/webcrypto-jws.ts';
import { signCertificate, verifyCertificate } from '#shared/domain/certificate.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { b64json } from '../domain/certificate/support/forge.ts';
import { sampleCredential, SAMPLE_VALID_AT } from '../domain/certificate/support/sample-credential.ts';

/**
 * Interoperability with a tool this team did not write: OpenSSL 3 verifies a certificate the
 * SM2 suite issued, from nothing but the published JWK (as PEM), the token's signing input and
 * its signature (as DER); and a signature OpenSSL makes over a token's signing input is accepted
 * by both of our verifiers. OpenSSL 3.0 signs and verifies SM2 with an EMPTY distinguishing ID
 * unless told otherwise (4.0 changes the default), so the ID is always passed explicitly.
 *
 * Nothing here is skipped: without an OpenSSL that has SM2 the suite fails, saying so.
 */

let dir: string;
/** The system's OpenSSL (an operating system tool, not a package). */
const OPENSSL = process.env['DCC_OPENSSL'] ?? 'openssl';
const openssl = (args: string[]): string => execFileSync(OPENSSL, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const VERIFY = ['pkeyutl', '-verify', '-pubin', '-rawin', '-digest', 'sm3'];

function pem(label: string, der: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

/** Runs `openssl pkeyutl -verify` and returns its stdout, or its stderr prefixed with FAILED. */
function opensslVerify(pubPem: string, input: string, sig: string, distid: string): string {
  try {
    return openssl([...VERIFY, '-inkey', pubPem, '-pkeyopt', `distid:${distid}`, '-in', input, '-sigfile', sig]).trim();
  } catch (error) {
    return `FAILED ${String((error as { stdout?: string }).stdout ?? '')}`.trim();
  }
}

beforeAll(async () => {
  let algorithms: string;
  try {
    algorithms = openssl(['list', '-signature-algorithms']);
  } catch (error) {
    throw new Error(`this test needs the openssl command line (OpenSSL 3 with SM2): ${String(error)}`);
  }
  if (!/\bSM2\b/.test(algorithms)) throw new Error('this OpenSSL has no SM2 signature algorithm (openssl list -signature-algorithms); the interop test cannot run');
  dir = await mkdtemp(join(tmpdir(), 'dcc-sm2-openssl-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('OpenSSL verifies a certificate the SM2 suite issued', () => {
  it('openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678: "Signature Verified Successfully"', async () => {
    const signer = await LocalSm2CertificateSigner.fromKeyFile(join(dir, 'signing-key-sm2.pem'));
    const token = await signCertificate(sampleCredential(), signer);
    const jwk = await signer.publicJwk();
    const [h, p, s] = token.split('.') as [string, string, string];
    // Only what is public: the JWKS entry, the token.
    await writeFile(join(dir, 'pub.pem'), pem('PUBLIC KEY', Sm2PublicKey.fromJwk(jwk).toSpki()));
    await writeFile(join(dir, 'signing-input'), `${h}.${p}`);
    await writeFile(join(dir, 'sig.der'), p1363ToDer(Buffer.from(s, 'base64url'), SM2_ORDER));
    const pub = join(dir, 'pub.pem');
    const out = opensslVerify(pub, join(dir, 'signing-input'), join(dir, 'sig.der'), '1234567812345678');
    expect(out).toBe('Signature Verified Successfully');
    // The same signature with another distinguishing ID, or over other bytes, does not verify.
    expect(opensslVerify(pub, join(dir, 'signing-input'), join(dir, 'sig.der'), 'ALICE123@YAHOO.COM')).toMatch(/^FAILED/);
    await writeFile(join(dir, 'other-input'), `${h}.${p}x`);
    expect(opensslVerify(pub, join(dir, 'other-input'), join(dir, 'sig.der'), '1234567812345678')).toMatch(/^FAILED/);
    // OpenSSL reads the local key file as the same key (PKCS#8, the same public point).
    const fromKeyFile = openssl(['pkey', '-in', join(dir, 'signing-key-sm2.pem'), '-pubout']);
    expect(fromKeyFile).toBe(await readFile(pub, 'utf8'));
  });
});

describe('our verifiers accept what OpenSSL signs', () => {
  it('a key from openssl genpkey -algorithm SM2 serves as the local key file, and an OpenSSL signature verifies on both verifiers', async () => {
    const keyFile = join(dir, 'openssl-key.pem');
    openssl(['genpkey', '-algorithm', 'SM2', '-out', keyFile]);
    const signer = await LocalSm2CertificateSigner.fromKeyFile(keyFile);
    const jwk: PublicVerificationJwk = await signer.publicJwk();
    const spki = openssl(['pkey', '-in', keyFile, '-pubout', '-outform', 'PEM']);
    expect(pem('PUBLIC KEY', Sm2PublicKey.fromJwk(jwk).toSpki())).toBe(spki);

    const input = `${b64json({ alg: 'SM2', typ: 'vc+jwt', kid: jwk.kid })}.${b64json(sampleCredential())}`;
    await writeFile(join(dir, 'input2'), input);
    openssl(['pkeyutl', '-sign', '-inkey', keyFile, '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678', '-in', join(dir, 'input2'), '-out', join(dir, 'sig2.der')]);
    const der = await readFile(join(dir, 'sig2.der'));
    const token = `${input}.${encodeBase64url(derToP1363(der, 32, SM2_ORDER))}`;
    expect(await verifyCertificate(token, [jwk], SAMPLE_VALID_AT)).toMatchObject({ verified: true, status: 'active' });
    const checks: Check[] = [];
    expect(await verifyCompactJws(token, [jwk], checks)).toMatchObject({ ok: true });

    // Signed by OpenSSL with its 3.0 default (empty) ID instead: refused.
    openssl(['pkeyutl', '-sign', '-inkey', keyFile, '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:', '-in', join(dir, 'input2'), '-out', join(dir, 'sig3.der')]);
    const wrongId = `${input}.${encodeBase64url(derToP1363(await readFile(join(dir, 'sig3.der')), 32, SM2_ORDER))}`;
    expect(await verifyCertificate(wrongId, [jwk], SAMPLE_VALID_AT)).toMatchObject({ verified: false, status: 'invalid' });
  });
});
