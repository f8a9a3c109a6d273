import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { compactVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { KmsCertificateSigner } from '#shared/adapters/kms/certificate-signer.ts';
import { p1363ToDer } from '#shared/crypto/ecdsa-der.ts';
import { buildJwks, importVerificationKeys } from '#shared/crypto/jwks.ts';
import { signCertificate, verifyCertificate } from '#shared/domain/certificate.ts';
import { sampleCredential, SAMPLE_VALID_AT } from '../../domain/certificate/support/sample-credential.ts';
import { FakeKmsKey, run, useFakeKmsKey } from '../../../support/fake-kms-key.ts';

const fixture = useFakeKmsKey('dcc-kms-certificate-');
const { kms, client } = fixture;
const now = SAMPLE_VALID_AT;

describe('certificates signed through KMS (mocked, signing like KMS DIGEST mode)', () => {
  it('sign → verify round trip: one Sign per certificate, one GetPublicKey in all', async () => {
    const signer = new KmsCertificateSigner({ client, keyId: fixture.key.keyId });
    const credentials = [1, 2, 3].map((i) => sampleCredential({}, i));
    const tokens: string[] = [];
    for (const credential of credentials) tokens.push(await signCertificate(credential, signer));

    expect(kms.commandCalls(SignCommand)).toHaveLength(3);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    for (const call of kms.commandCalls(SignCommand)) {
      expect(call.args[0].input).toMatchObject({ KeyId: fixture.key.keyId, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
    }

    // What an auditor does offline: take the published JWKS, import it, verify.
    const jwks = JSON.parse(JSON.stringify(buildJwks([await signer.publicJwk()]))) as unknown;
    const keys = importVerificationKeys(jwks);
    for (const [i, token] of tokens.entries()) {
      const result = await verifyCertificate(token, keys, now);
      expect(result.status).toBe('active');
      expect(result.verified).toBe(true);
      expect(result.certificate).toEqual(credentials[i]);
      expect(result.kid).toBe(keys[0]?.kid);
    }
  });

  it('the digest KMS signed is SHA-256 of the JWS signing input', async () => {
    const signer = new KmsCertificateSigner({ client, keyId: fixture.key.keyId });
    const token = await signCertificate(sampleCredential(), signer);
    const signingInput = token.slice(0, token.lastIndexOf('.'));
    const sent = kms.commandCalls(SignCommand)[0]?.args[0].input.Message ?? new Uint8Array();
    expect(Buffer.from(sent).equals(createHash('sha256').update(signingInput, 'ascii').digest())).toBe(true);
  });

  it('the certificate verifies with jose and with the openssl command line', async () => {
    const signer = new KmsCertificateSigner({ client, keyId: fixture.key.keyId });
    const token = await signCertificate(sampleCredential(), signer);
    const jwk = await signer.publicJwk();
    const { protectedHeader } = await compactVerify(token, jwk, { algorithms: ['ES256'] });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'vc+jwt', kid: jwk.kid });

    const [h, p, s] = token.split('.') as [string, string, string];
    const dataPath = join(fixture.scratch, 'signing-input');
    const sigPath = join(fixture.scratch, 'signature.der');
    await writeFile(dataPath, `${h}.${p}`, 'ascii');
    await writeFile(sigPath, p1363ToDer(Buffer.from(s, 'base64url')));
    const out = await run('openssl', ['dgst', '-sha256', '-verify', fixture.key.publicKeyPath, '-signature', sigPath, dataPath]);
    expect(out.toString().trim()).toBe('Verified OK');
  });

  it('a certificate made by another KMS key does not verify against this key\'s JWKS', async () => {
    const thisJwk = await new KmsCertificateSigner({ client, keyId: fixture.key.keyId }).publicJwk();
    const otherKey = await FakeKmsKey.create();
    try {
      // KMS now answers for another key (as after an alias was repointed).
      kms.reset();
      otherKey.install(kms);
      const token = await signCertificate(sampleCredential(), new KmsCertificateSigner({ client, keyId: otherKey.keyId }));
      const result = await verifyCertificate(token, [thisJwk], now);
      expect(result.status).toBe('invalid');
      expect(result.checks.at(-1)).toMatchObject({ name: 'key', ok: false });
    } finally {
      await otherKey.dispose();
    }
  });

  it('an alias repointed after the public key was cached: the self-check refuses to hand out the token', async () => {
    const signer = new KmsCertificateSigner({ client, keyId: 'alias/dcc-certificates' });
    await signer.publicJwk();
    const otherKey = await FakeKmsKey.create();
    try {
      kms.on(SignCommand).callsFake((input) => otherKey.sign(input));
      const error = await signCertificate(sampleCredential(), signer).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'SignerError', code: 'signer-signature-mismatch' });
      expect(kms.commandCalls(SignCommand)).toHaveLength(1);
    } finally {
      await otherKey.dispose();
    }
  });
});
