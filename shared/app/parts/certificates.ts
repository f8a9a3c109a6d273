import { DynamoDbCertificateStore } from '../../adapters/dynamodb/certificate-store.ts';
import { DynamoDbSdJwtStore } from '../../adapters/dynamodb/sd-jwt-store.ts';
import { DynamoDbStatusListStore } from '../../adapters/dynamodb/status-list-store.ts';
import type { Stores } from '../../adapters/dynamodb/stores.ts';
import { vocabularyUrls } from '../../domain/credential-context.ts';
import type { CertificatePolicy } from '../../http/endpoints/endpoint-app.ts';
import { part, statusListUrl, table } from '../container.ts';

/** The status lists' positions and published lists on the table. */
export const statusListStore = /* @__PURE__ */ part((c) => new DynamoDbStatusListStore(table(c)));

/** The certificates' stores: the certificates with their events, the status lists' positions, the SD-JWT forms. */
export const certificateStores = /* @__PURE__ */ part(
  (c): Pick<Stores, 'certificates' | 'statusLists' | 'sdJwts'> => ({
    certificates: new DynamoDbCertificateStore({ ...table(c), statusListUrl: statusListUrl(c) }),
    statusLists: statusListStore(c),
    sdJwts: new DynamoDbSdJwtStore(table(c)),
  }),
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
