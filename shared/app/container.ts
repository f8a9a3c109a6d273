import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Stores, dynamoDbStores } from '../adapters/dynamodb/stores.ts';
import { KmsCertificateSigner } from '../adapters/kms/certificate-signer.ts';
import { type LogServices, buildLogServices } from './log-services.ts';
import { LocalCertificateSigner } from '../adapters/key-file/certificate-signer.ts';
import { type Config, loadConfig, statusListUrl } from './config.ts';
import type { ExchangeResolver } from '../http/principal.ts';
import type { Exchange } from '../domain/records.ts';
import type { CertificateStore } from '../ports/certificate-store.ts';
import type { CertificateSigner, PublicVerificationJwk } from '../domain/signer.ts';
import { StatusListPublisher } from '../services/status-list.ts';
import { sdkClientOptions } from './sdk-options.ts';

/**
 * The composition root: everything a function needs, built once per container (cold start)
 * and reused by every invocation. Both the Lambda entry points and the local server come here,
 * so the two run the same wiring.
 */
export interface AppContainer {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The certificate store; the same object as `stores.certificates`. */
  store: CertificateStore;
  stores: Stores;
  signer: () => Promise<CertificateSigner>;
  /** Every key whose certificates still verify: the current one and the retired ones. */
  verificationKeys: () => Promise<PublicVerificationJwk[]>;
  resolveExchange: ExchangeResolver;
  statusLists: () => Promise<StatusListPublisher>;
  statusListUrl: (listId: string) => string;
  /** The transparency log (DESIGN §6): public reads, and the integrator with the log key. */
  log: LogServices;
}

let current: AppContainer | undefined;

/**
 * SDK clients to use instead of the ones the container would build: the seam through which
 * tests, fault injection and the benchmark instrument or replace AWS calls. Production code
 * never sets it.
 */
export interface ClientOverrides {
  kms?: KMSClient;
  dynamodb?: DynamoDBClient;
}
let overrides: ClientOverrides = {};

/** Replaces the SDK clients of the next container built (call {@link resetAppContainer} first). */
export function setClientOverrides(next: ClientOverrides): void {
  overrides = { ...next };
}

/** The container of this process, built on first use. */
export function appContainer(): AppContainer {
  current ??= buildContainer(loadConfig());
  return current;
}

/** Forgets the container (tests and the local server rebuild it after changing the environment). */
export function resetAppContainer(): void {
  current = undefined;
}

function buildContainer(config: Config): AppContainer {
  // Taken now: the KMS client is made lazily, and must still be the one this container was built with.
  const clients = { ...overrides };
  const logger = new Logger({ serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'dcc' });
  const metrics = new Metrics({
    namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'DataComplianceCertificates',
    serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'dcc',
  });
  const local = config.DCC_DYNAMODB_ENDPOINT !== undefined;
  const dynamodb = DynamoDBDocumentClient.from(
    clients.dynamodb ??
    new DynamoDBClient({
      ...sdkClientOptions('dynamodb', local ? 'local' : 'aws'),
      ...(local
        ? {
            endpoint: config.DCC_DYNAMODB_ENDPOINT,
            region: process.env['AWS_REGION'] ?? 'us-east-1',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }
        : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const urlOf = (listId: string) => statusListUrl(config, listId);
  const stores = dynamoDbStores({ client: dynamodb, tableName: config.DCC_TABLE_NAME, statusListUrl: urlOf });
  const store = stores.certificates;

  const signer = once(async (): Promise<CertificateSigner> => {
    if (config.DCC_SIGNER === 'local') {
      return LocalCertificateSigner.fromKeyFile(config.DCC_LOCAL_KEY_FILE as string);
    }
    return new KmsCertificateSigner({ client: kms(), keyId: config.DCC_KMS_KEY_ID as string });
  });
  const kms = once(() => clients.kms ?? new KMSClient(sdkClientOptions('kms')));
  const retired = config.DCC_RETIRED_KMS_KEY_IDS.map((keyId) => new KmsCertificateSigner({ client: kms(), keyId }));

  const verificationKeys = once(async () => {
    const keys = await Promise.all([(await signer()).publicJwk(), ...retired.map((s) => s.publicJwk())]);
    return keys;
  });

  const statusLists = once(
    async () =>
      new StatusListPublisher({
        store: stores.statusLists,
        signer: await signer(),
        issuer: config.DCC_ISSUER,
        statusListUrl: urlOf,
        ttlSeconds: config.DCC_STATUS_LIST_TTL_SECONDS,
      }),
  );

  return {
    config,
    logger,
    metrics,
    store,
    stores,
    signer,
    verificationKeys,
    resolveExchange: cachedResolver((clientId) => stores.exchanges.findExchangeByClientId(clientId), config.DCC_EXCHANGE_CACHE_SECONDS),
    statusLists,
    statusListUrl: urlOf,
    log: buildLogServices({ store: stores.log, kms }),
  };
}

/**
 * Exchange look-ups are cached per container for a short time so that issuing stays at one
 * write per certificate; a suspension takes effect within `ttlSeconds`.
 */
function cachedResolver(lookup: ExchangeResolver, ttlSeconds: number): ExchangeResolver {
  const cache = new Map<string, { at: number; value: Promise<Exchange | null> }>();
  return (clientId) => {
    const hit = cache.get(clientId);
    if (hit && Date.now() - hit.at < ttlSeconds * 1000) return hit.value;
    const value = lookup(clientId);
    cache.set(clientId, { at: Date.now(), value });
    // A failed look-up must not be remembered.
    value.catch(() => cache.delete(clientId));
    return value;
  };
}

/** Memoises a factory; a rejected promise is forgotten so the next call tries again. */
function once<T>(factory: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = factory();
      made = true;
      if (value instanceof Promise) {
        value.catch(() => {
          made = false;
        });
      }
    }
    return value;
  };
}
