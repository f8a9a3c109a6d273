import { KmsCertificateSigner } from '../../adapters/kms/certificate-signer.ts';
import { KmsRetiredKey } from '../../adapters/kms/retired-key.ts';
import { KmsSm2CertificateSigner } from '../../adapters/kms/sm2-certificate-signer.ts';
import type { CertificateSigner, PublicVerificationJwk } from '../../domain/signer.ts';
import { memoizeAsync } from '../../support/memo.ts';
import { KEY_FILES_LEFT_OUT, part } from '../container.ts';

/** The certificate signer, made on first use. */
export const signer = /* @__PURE__ */ part((c) => {
  const { config } = c;
  const sm2 = config.DCC_SIGNATURE_SUITE === 'sm2';
  return memoizeAsync(async (): Promise<CertificateSigner> => {
    if (config.DCC_SIGNER === 'local') {
      // See KEY_FILES_LEFT_OUT.
      if (typeof DCC_KEY_FILES === 'undefined' || DCC_KEY_FILES) {
        const keyFile = config.DCC_LOCAL_KEY_FILE as string;
        return sm2
          ? (await import('../../adapters/key-file/sm2-certificate-signer.ts')).LocalSm2CertificateSigner.fromKeyFile(keyFile)
          : (await import('../../adapters/key-file/certificate-signer.ts')).LocalCertificateSigner.fromKeyFile(keyFile);
      }
      throw new Error(KEY_FILES_LEFT_OUT);
    }
    const keyId = config.DCC_KMS_KEY_ID as string;
    return sm2
      ? new KmsSm2CertificateSigner({ client: c.kms(), keyId })
      : new KmsCertificateSigner({ client: c.kms(), keyId });
  });
});

/** Every key whose certificates still verify: the current one and the retired ones. */
export const verificationKeys = /* @__PURE__ */ part((c): (() => Promise<PublicVerificationJwk[]>) => {
  // A retired key may be of the other suite (a stage that changed suites keeps its old key).
  const retired = c.config.DCC_RETIRED_KMS_KEY_IDS.map((keyId) => new KmsRetiredKey({ client: c.kms(), keyId }));
  const current = signer(c);
  return memoizeAsync(async () => Promise.all([(await current()).publicJwk(), ...retired.map((s) => s.publicJwk())]));
});
