import type { StatusListPublisher } from '../../services/status-list.ts';
import { memoizeAsync } from '../../support/memo.ts';
import { part, statusListUrl } from '../container.ts';
import { statusListStore } from './certificates.ts';
import { signer } from './signing.ts';

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
