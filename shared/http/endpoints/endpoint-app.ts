import type { PublicVerificationJwk, CertificateSigner } from '../../domain/signer.ts';
import type { VocabularyUrls } from '../../domain/credential-context.ts';
import type { CertificateStore, SdJwtStore, StatusListStore } from '../../ports/certificate-store.ts';
import type { ClientRegistry } from '../../ports/client-registry.ts';
import type { LogReader } from '../../services/log-reader.ts';
import type { TokenServiceDeps } from '../../services/oauth-token.ts';
import type { StatusListPublisher } from '../../services/status-list.ts';
import type { HttpDeps } from '../handler.ts';

/** The rules certificates are issued and verified under (from the service's configuration). */
export interface CertificatePolicy {
  /** The certificates' `issuer`. */
  issuer: string;
  /** Tolerance for clocks when judging validity windows and timestamps. */
  clockSkewSeconds: number;
  /** The longest usage window a certificate may grant. */
  maxValidityDays: number;
  /** Where the service publishes the context and the schema new certificates name. */
  vocabulary: VocabularyUrls;
}

/**
 * What the endpoints need of the application, one Lambda container's worth. The composition root
 * (`shared/app`) builds an object of this shape; the HTTP layer only names the shape, so it never
 * depends on how the app is wired. Each endpoint takes the part it uses (a `Pick` of this).
 */
export interface EndpointApp extends HttpDeps {
  stores: {
    certificates: CertificateStore;
    statusLists: Pick<StatusListStore, 'reserveStatusListPosition'>;
    /** The selectively disclosable forms, issued on request. */
    sdJwts: SdJwtStore;
  };
  /** The certificate signer, made on first use. */
  signer: () => Promise<CertificateSigner>;
  /** Every key whose certificates still verify: the current one and the retired ones. */
  verificationKeys: () => Promise<PublicVerificationJwk[]>;
  /** The signed status lists, made on first use (it needs the signer). */
  statusLists: () => Promise<StatusListPublisher>;
  statusListUrl: (listId: string) => string;
  /** The transparency log's public reads. */
  log: { reader: LogReader };
  policy: CertificatePolicy;
  /** The OAuth authorization server: the token endpoint's dependencies and the client registry. */
  authorizationServer: TokenServiceDeps & { clients: ClientRegistry };
}

/** The chain's dependencies and the parts `K` of the app: what one endpoint takes. */
export type EndpointNeeds<K extends Exclude<keyof EndpointApp, keyof HttpDeps>> = HttpDeps & Pick<EndpointApp, K>;

/** The authorization server without its stores: what the discovery document and the access-token key set read. */
export type AuthorizationServerMetadataNeeds = HttpDeps & { authorizationServer: Omit<TokenServiceDeps, 'clients' | 'replays'> };
