import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Stores, dynamoDbStores } from '../adapters/dynamodb/stores.ts';
import { KmsAccessTokenSigner } from '../adapters/kms/access-token-signer.ts';
import { KmsCertificateSigner } from '../adapters/kms/certificate-signer.ts';
import { KmsRetiredKey } from '../adapters/kms/retired-key.ts';
import { KmsSm2CertificateSigner } from '../adapters/kms/sm2-certificate-signer.ts';
import type { AccessTokenSigner } from '../domain/access-token.ts';
import { vocabularyUrls } from '../domain/credential-context.ts';
import type { Exchange } from '../domain/records.ts';
import type { CertificateSigner, PublicVerificationJwk } from '../domain/signer.ts';
import type { CertificatePolicy } from '../http/endpoints/endpoint-app.ts';
import type { ExchangeResolver } from '../http/principal.ts';
import { CLIENT_ROLES, ROLES, scopesOf } from '../http/routes.ts';
import type { ClientRegistry } from '../ports/client-registry.ts';
import type { TokenServiceDeps } from '../services/oauth-token.ts';
import type { StatusListPublisher } from '../services/status-list.ts';
import { memoizeAsync } from '../support/memo.ts';
import { type Config, accessTokenSigning, logSigning, statusListUrl } from './config.ts';
import { type LogServices, buildLogServices } from './log-services.ts';
import { sdkClientOptions } from './sdk-options.ts';

/**
 * The composition root: everything a function needs, built once per Lambda container (cold
 * start) and reused by every invocation. The Lambda entry points, the local server, the
 * benchmark and the tests all build it here, each from its own configuration, so they run the
 * same wiring; none of it is kept in module state, so several apps can live in one process.
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
 * What a caller may put in place of what {@link buildApp} would make: the seam through which
 * tests, fault injection and the benchmark instrument or replace AWS calls and time. The
 * production entry passes none.
 */
export interface AppOptions {
  /** The KMS client (certificate signer, retired keys and the log key); default a new one. */
  kms?: KMSClient;
  /** The DynamoDB client under the document client; default a new one (DynamoDB Local's when configured). */
  dynamodb?: DynamoDBClient;
  /** @default the system clock */
  clock?: () => Date;
}

/**
 * Builds the app from `config`. Nothing is called over the network until a request needs it.
 *
 * Local mode's key-file adapters and the log integrator are imported on first use, so a Lambda
 * function never runs their modules. The KMS adapters are imported statically on purpose: esbuild
 * inlines a dynamic import into the one-file bundle, and a lazily initialised module that imports
 * an AWS SDK client defeats the SDK's tree shaking (every command's schemas stay in): measured
 * +26 KB per bundle for the KMS adapters, +80 KB and a slower start for the DynamoDB stores.
 */
export function buildApp(config: Config, options: AppOptions = {}): App {
  const clock = options.clock ?? (() => new Date());
  const logger = new Logger({
    serviceName: config.POWERTOOLS_SERVICE_NAME,
    ...(config.POWERTOOLS_LOG_LEVEL ? { logLevel: config.POWERTOOLS_LOG_LEVEL } : {}),
  });
  const metricsOptions = { namespace: config.POWERTOOLS_METRICS_NAMESPACE, serviceName: config.POWERTOOLS_SERVICE_NAME };
  const metrics = config.POWERTOOLS_METRICS_DISABLED ? new DiscardedMetrics(metricsOptions) : new Metrics(metricsOptions);

  const local = config.DCC_DYNAMODB_ENDPOINT !== undefined;
  const dynamodb = DynamoDBDocumentClient.from(
    options.dynamodb ??
      new DynamoDBClient({
        ...sdkClientOptions('dynamodb', local ? 'local' : 'aws'),
        ...(local
          ? {
              endpoint: config.DCC_DYNAMODB_ENDPOINT,
              region: config.AWS_REGION,
              credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            }
          : {}),
      }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const urlOf = (listId: string) => statusListUrl(config, listId);
  const stores = dynamoDbStores({ client: dynamodb, tableName: config.DCC_TABLE_NAME, statusListUrl: urlOf });

  // Made on first use: a function that never signs and has no retired keys never needs one.
  let kmsClient = options.kms;
  const kms = (): KMSClient => (kmsClient ??= new KMSClient(sdkClientOptions('kms')));
  const sm2 = config.DCC_SIGNATURE_SUITE === 'sm2';
  const signer = memoizeAsync(async (): Promise<CertificateSigner> => {
    if (config.DCC_SIGNER === 'local') {
      const keyFile = config.DCC_LOCAL_KEY_FILE as string;
      return sm2
        ? (await import('../adapters/key-file/sm2-certificate-signer.ts')).LocalSm2CertificateSigner.fromKeyFile(keyFile)
        : (await import('../adapters/key-file/certificate-signer.ts')).LocalCertificateSigner.fromKeyFile(keyFile);
    }
    const keyId = config.DCC_KMS_KEY_ID as string;
    return sm2
      ? new KmsSm2CertificateSigner({ client: kms(), keyId })
      : new KmsCertificateSigner({ client: kms(), keyId });
  });
  // A retired key may be of the other suite (a stage that changed suites keeps its old key).
  const retired = config.DCC_RETIRED_KMS_KEY_IDS.map((keyId) => new KmsRetiredKey({ client: kms(), keyId }));
  const verificationKeys = memoizeAsync(async () =>
    Promise.all([(await signer()).publicJwk(), ...retired.map((s) => s.publicJwk())]),
  );

  // The access-token key, made on first use: only the token endpoint and its JWKS have it.
  const accessTokenSigner = memoizeAsync(async (): Promise<AccessTokenSigner> => {
    const signing = accessTokenSigning(config);
    return signing.kind === 'local'
      ? (await import('../adapters/key-file/access-token-signer.ts')).LocalAccessTokenSigner.fromKeyFile(signing.keyFile)
      : new KmsAccessTokenSigner({ client: kms(), keyId: signing.keyId });
  });

  // Imported on first use: it signs credentials, so it brings the credential schemas, which a
  // function that never publishes a status list (its bundle holds them all the same) need not
  // build at its cold start.
  const statusLists = memoizeAsync(
    async (): Promise<StatusListPublisher> =>
      new (await import('../services/status-list.ts')).StatusListPublisher({
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
    clock,
    stores,
    signer,
    verificationKeys,
    resolveExchange: cachedResolver(
      (clientId) => stores.exchanges.findExchangeByClientId(clientId),
      config.DCC_EXCHANGE_CACHE_SECONDS,
      clock,
    ),
    statusLists,
    statusListUrl: urlOf,
    policy: {
      issuer: config.DCC_ISSUER,
      clockSkewSeconds: config.DCC_CLOCK_SKEW_SECONDS,
      maxValidityDays: config.DCC_MAX_VALIDITY_DAYS,
      vocabulary: vocabularyUrls(config.DCC_PUBLIC_BASE_URL),
    },
    log: buildLogServices({ store: stores.log, signing: () => logSigning(config), kms, clock }),
    authorizationServer: {
      clients: stores.clients,
      replays: stores.assertionReplays,
      signer: accessTokenSigner,
      // The issuer is the API's own public URL: API Gateway finds the discovery document under it.
      issuer: config.DCC_PUBLIC_BASE_URL,
      lifetimeSeconds: config.DCC_ACCESS_TOKEN_TTL_SECONDS,
      scopesOf: (role) => scopesOf(CLIENT_ROLES[role]),
      knownScopes: scopesOf(ROLES),
    },
  };
}

/**
 * Metrics that are recorded and then dropped instead of written. Powertools reads its own switch
 * (`POWERTOOLS_METRICS_DISABLED`) only from the process environment; this honours the
 * configuration's, so that local mode and tests need not set the environment.
 */
class DiscardedMetrics extends Metrics {
  override publishStoredMetrics(): this {
    this.clearMetrics();
    this.clearDimensions();
    this.clearMetadata();
    return this;
  }
}

/**
 * Exchange look-ups are cached per container for a short time so that issuing stays at one
 * write per certificate; a suspension takes effect within `ttlSeconds`.
 */
function cachedResolver(lookup: ExchangeResolver, ttlSeconds: number, clock: () => Date): ExchangeResolver {
  const cache = new Map<string, { at: number; value: Promise<Exchange | null> }>();
  return (clientId) => {
    const now = clock().getTime();
    const hit = cache.get(clientId);
    if (hit && now - hit.at < ttlSeconds * 1000) return hit.value;
    const value = lookup(clientId);
    cache.set(clientId, { at: now, value });
    // A failed look-up must not be remembered.
    value.catch(() => cache.delete(clientId));
    return value;
  };
}
