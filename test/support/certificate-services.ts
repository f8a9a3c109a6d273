import { generateKeyPairSync } from 'node:crypto';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import type { Exchange } from '#shared/domain/records.ts';
import type { CertificateSigner } from '#shared/domain/signer.ts';
import type { IssueDeps } from '#shared/services/issue-certificate.ts';
import { FIXTURE_VOCABULARY } from '../fixtures/issue-request.ts';
import { type InMemoryStores, inMemoryStores } from './in-memory-stores.ts';

/**
 * What the unit tests of the certificate services share: a real P-256 signer, the in-memory
 * stores, and the issue dependencies on them with the configuration defaults.
 */

export const TEST_ISSUER = 'https://dcc.test';

/** The status list URL every test certificate points at. */
export const testStatusListUrl = (listId: string): string => `${TEST_ISSUER}/v1/status-lists/${listId}`;

export const TEST_EXCHANGE: Exchange = {
  id: 'hz-data-exchange',
  name: 'Hangzhou Data Exchange',
  clientIds: ['hz-client'],
  status: 'active',
};

/** A signer over a fresh in-memory P-256 key, counting its signatures. */
export function countingCertificateSigner(): CertificateSigner & { readonly signatures: number } {
  const inner = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  let signatures = 0;
  return {
    sign: (input) => {
      signatures += 1;
      return inner.sign(input);
    },
    publicJwk: () => inner.publicJwk(),
    get signatures() {
      return signatures;
    },
  };
}

/** Fresh stores and a fresh signer, with the issue dependencies on them. */
export function certificateServices(options: { statusListSize?: number } = {}) {
  const stores: InMemoryStores = inMemoryStores({ statusListUrl: testStatusListUrl, ...options });
  const signer = countingCertificateSigner();
  const issueDeps: IssueDeps = {
    store: stores.certificates,
    statusLists: stores.statusLists,
    signer,
    issuer: TEST_ISSUER,
    statusListUrl: testStatusListUrl,
    vocabulary: FIXTURE_VOCABULARY,
    clockSkewSeconds: 300,
    maxValidityDays: 1830,
  };
  return { stores, signer, issueDeps };
}
