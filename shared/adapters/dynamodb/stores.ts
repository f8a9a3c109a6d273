import type { CertificateStore, ExchangeStore, SdJwtStore, StatusListStore } from '../../ports/certificate-store.ts';
import type { AssertionReplayStore, ClientRegistry } from '../../ports/client-registry.ts';
import type { LogStore } from '../../ports/log-store.ts';

/**
 * Every store of the service, each behind its own port, all on the one table. The app builds them
 * part by part (`shared/app/container.ts`, `shared/app/parts/`), so that a function holds only those
 * its route uses.
 */
export interface Stores {
  certificates: CertificateStore;
  statusLists: StatusListStore;
  exchanges: ExchangeStore;
  /** The OAuth clients and their keys (the same items as the exchanges' client ids). */
  clients: ClientRegistry;
  /** The `jti` of accepted client assertions. */
  assertionReplays: AssertionReplayStore;
  log: LogStore;
  /** The selectively disclosable forms of certificates, issued on request. */
  sdJwts: SdJwtStore;
}
