import { DynamoDbCertificateStore } from '../../adapters/dynamodb/certificate-store.ts';
import { DynamoDbSdJwtStore } from '../../adapters/dynamodb/sd-jwt-store.ts';
import { DynamoDbStatusListStore } from '../../adapters/dynamodb/status-list-store.ts';
import type { Stores } from '../../adapters/dynamodb/stores.ts';
import { vocabularyUrls } from '../../domain/credential-context.ts';
import type { CertificatePolicy } from '../../http/endpoints/endpoint-app.ts';
import type { StatusListPublisher } from '../../services/status-list.ts';
import { memoizeAsync } from '../../support/memo.ts';
import { part, statusListUrl, table } from '../container.ts';
import { signer } from './signing.ts';

const statusListStore = /* @__PURE__ */ part((c) => new DynamoDbStatusListStore(table(c)));

/** The certificates' stores: the certificates with their events, the status lists' positions, the SD-JWT forms. */
export const certificateStores = /* @__PURE__ */ part(
  (c): Pick<Stores, 'certificates' | 'statusLists' | 'sdJwts'> => ({
    certificates: new DynamoDbCertificateStore({ ...table(c), statusListUrl: statusListUrl(c) }),
    statusLists: statusListStore(c),
    sdJwts: new DynamoDbSdJwtStore(table(c)),
  }),
);

/**
 * The signed status lists, imported on first use: the publisher signs credentials, so it brings
 * the credential schemas, which a function that never publishes a status list need not build at
 * its cold start.
 */
export const statusLists = /* @__PURE__ */ part((c) =>
  memoizeAsync(
    async (): Promise<StatusListPublisher> =>
      new (await import('../../services/status-list.ts')).StatusListPublisher({
        store: statusListStore(c),
        signer: await signer(c)(),
        issuer: c.config.DCC_ISSUER,
        statusListUrl: statusListUrl(c),
        ttlSeconds: c.config.DCC_STATUS_LIST_TTL_SECONDS,
      }),
  ),
);

/** The rules certificates are issued and verified under. */
export const policy = /* @__PURE__ */ part(
  ({ config }): CertificatePolicy => ({
    issuer: config.DCC_ISSUER,
    clockSkewSeconds: config.DCC_CLOCK_SKEW_SECONDS,
    maxValidityDays: config.DCC_MAX_VALIDITY_DAYS,
    vocabulary: vocabularyUrls(config.DCC_PUBLIC_BASE_URL),
  }),
);
