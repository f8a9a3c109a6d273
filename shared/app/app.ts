import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Stores } from '../adapters/dynamodb/stores.ts';
import type { CertificateSigner, PublicVerificationJwk } from '../domain/signer.ts';
import type { CertificatePolicy } from '../http/endpoints/endpoint-app.ts';
import type { ExchangeResolver } from '../http/principal.ts';
import type { ClientRegistry } from '../ports/client-registry.ts';
import type { TokenServiceDeps } from '../services/oauth-token.ts';
import type { StatusListPublisher } from '../services/status-list.ts';
import type { Config } from './config.ts';
import type { LogServices } from './log-services.ts';
import { type AppOptions, buildContainer, exchangeStore, httpDeps, statusListUrl } from './container.ts';
import { assertionReplayStore, authorizationServer } from './parts/authorization-server.ts';
import { certificateStores, policy } from './parts/certificates.ts';
import { logStore } from './parts/log.ts';
import { logWithIntegrator } from './parts/log-integrator.ts';
import { signer, verificationKeys } from './parts/signing.ts';
import { statusLists } from './parts/status-lists.ts';

export type { AppOptions } from './container.ts';

/**
 * The composition root: everything the service needs, built once per container and reused by
 * every invocation. The local server, the benchmark and the tests build it here, each from its own
 * configuration; a Lambda entry point takes the same parts one by one (`production.ts`), only
 * those its route uses, so every one of them runs the same wiring. None of it is kept in module
 * state, so several apps can live in one process.
 */
export interface App {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The time requests are judged at. */
  clock: () => Date;
  stores: Stores;
  signer: () => Promise<CertificateSigner>;
  /** Every key whose certificates still verify: the current one and the retired ones. */
  verificationKeys: () => Promise<PublicVerificationJwk[]>;
  resolveExchange: ExchangeResolver;
  statusLists: () => Promise<StatusListPublisher>;
  statusListUrl: (listId: string) => string;
  policy: CertificatePolicy;
  /** The transparency log: public reads, and the integrator with the log key. */
  log: LogServices;
  /** The OAuth authorization server: token endpoint, its key, the client registry. */
  authorizationServer: TokenServiceDeps & { clients: ClientRegistry };
}

/**
 * Builds the app from `config`: every part (`container.ts`, `parts/*.ts`) on one container. Nothing is called over
 * the network until a request needs it. Local mode's key-file adapters and the log integrator are
 * imported on first use, so a Lambda function never runs their modules.
 */
export function buildApp(config: Config, options: AppOptions = {}): App {
  const c = buildContainer(config, options);
  return {
    config,
    ...httpDeps(c),
    stores: {
      ...certificateStores(c),
      exchanges: exchangeStore(c),
      clients: exchangeStore(c),
      assertionReplays: assertionReplayStore(c),
      log: logStore(c),
    },
    signer: signer(c),
    verificationKeys: verificationKeys(c),
    statusLists: statusLists(c),
    statusListUrl: statusListUrl(c),
    policy: policy(c),
    log: logWithIntegrator(c),
    authorizationServer: authorizationServer(c),
  };
}
