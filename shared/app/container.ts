import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbExchangeStore } from '../adapters/dynamodb/exchange-store.ts';
import type { Exchange } from '../domain/records.ts';
import type { HttpDeps } from '../http/handler.ts';
import type { ExchangeResolver } from '../http/principal.ts';
import { type Config, statusListUrl as statusListUrlOf } from './config.ts';
import { sdkClientOptions } from './sdk-options.ts';

/**
 * The app is built in parts: each part is a plain function of the {@link Container} that builds
 * its piece once per container, with the parts it needs. `buildApp` (`app.ts`) assembles all of
 * them; a Lambda entry point names only the parts its route uses (`productionApp` of
 * `production.ts`). Each part lives in the module of its own adapters (`parts/*.ts`), so a
 * function's bundle holds, and its cold start compiles and runs, only the modules of the parts it
 * names. A part left in a module the function imports would not be enough: esbuild drops its
 * unused code, but not the top-level work of the modules it imports, nor its `import()` calls,
 * each of which still splits the bundle's start-up code into more chunks (see
 * `docs/architecture.md`, *What a start-up loads*).
 *
 * The KMS adapters are imported statically: a lazily initialised module that imports an AWS SDK
 * client defeats the SDK's tree shaking (every command's schemas stay in).
 */

/**
 * What may be put in place of what the parts would make: the seam through which tests, fault
 * injection and the benchmark instrument or replace AWS calls and time. The production entry
 * passes none.
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
 * The key-file adapters (local mode's signers, `shared/adapters/key-file`) are imported only where
 * this test passes, written out in each module that imports one: esbuild drops an `import()`
 * only when the test folds to false in its own module. A Lambda bundle defines `DCC_KEY_FILES` as
 * `false` (`infra/constructs/lambda-bundle.ts`): a function signs with KMS, and leaving the
 * adapters out keeps their `import()` calls from splitting its start-up code into more chunks.
 */
export const KEY_FILES_LEFT_OUT = 'this build leaves out the key-file signers (a Lambda function signs with KMS)';

declare global {
  /** Set by the bundler, never at run time: `false` in a Lambda bundle (see {@link KEY_FILES_LEFT_OUT}). */
  const DCC_KEY_FILES: boolean | undefined;
}

/** What every part is built on: one Lambda container's configuration, telemetry, clock and KMS client. */
export interface Container {
  config: Config;
  options: AppOptions;
  logger: Logger;
  metrics: Metrics;
  /** The time requests are judged at. */
  clock: () => Date;
  /** The KMS client, made on first use: a function that never signs and has no retired keys never needs one. */
  kms: () => KMSClient;
}

/** The container of an app built from `config`. Nothing is called over the network. */
export function buildContainer(config: Config, options: AppOptions = {}): Container {
  const logger = new Logger({
    serviceName: config.POWERTOOLS_SERVICE_NAME,
    ...(config.POWERTOOLS_LOG_LEVEL ? { logLevel: config.POWERTOOLS_LOG_LEVEL } : {}),
  });
  const metricsOptions = { namespace: config.POWERTOOLS_METRICS_NAMESPACE, serviceName: config.POWERTOOLS_SERVICE_NAME };
  const metrics = config.POWERTOOLS_METRICS_DISABLED ? new DiscardedMetrics(metricsOptions) : new Metrics(metricsOptions);
  let kmsClient = options.kms;
  return {
    config,
    options,
    logger,
    metrics,
    clock: options.clock ?? (() => new Date()),
    kms: () => (kmsClient ??= new KMSClient(sdkClientOptions('kms'))),
  };
}

/** A part of the app: `build` runs at most once per container, on the part's first use. */
export function part<T>(build: (c: Container) => T): (c: Container) => T {
  const built = new WeakMap<Container, { value: T }>();
  return (c) => {
    let hit = built.get(c);
    if (hit === undefined) {
      hit = { value: build(c) };
      built.set(c, hit);
    }
    return hit.value;
  };
}

/** The document client on the table (DynamoDB Local's when configured). */
const documentClient = /* @__PURE__ */ part((c): DynamoDBDocumentClient => {
  const { config } = c;
  const local = config.DCC_DYNAMODB_ENDPOINT !== undefined;
  return DynamoDBDocumentClient.from(
    c.options.dynamodb ??
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
});

/** The table the stores are on: its document client (made with the first store) and its name. */
export function table(c: Container): { client: DynamoDBDocumentClient; tableName: string } {
  return { client: documentClient(c), tableName: c.config.DCC_TABLE_NAME };
}

/** The exchanges, and the OAuth clients (the same items as the exchanges' client ids). */
export const exchangeStore = /* @__PURE__ */ part((c) => new DynamoDbExchangeStore(table(c)));

/** URL of the status list credential of a list. */
export const statusListUrl = /* @__PURE__ */ part((c) => (listId: string) => statusListUrlOf(c.config, listId));

/**
 * What every route's handler chain needs. The exchange store behind the principal's look-up is
 * made on the first authenticated request (on the DynamoDB client that every function of an
 * authenticated route makes at its cold start with its other parts), so a public route's function
 * that reads no table makes no DynamoDB client.
 */
export const httpDeps = /* @__PURE__ */ part(
  (c): HttpDeps => ({
    logger: c.logger,
    metrics: c.metrics,
    clock: c.clock,
    resolveExchange: cachedResolver(
      (clientId) => exchangeStore(c).findExchangeByClientId(clientId),
      c.config.DCC_EXCHANGE_CACHE_SECONDS,
      c.clock,
    ),
  }),
);

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
