import { join } from 'node:path';
import { CfnOutput, Lazy, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type KeyAttribute, TABLE_DEFINITION } from '#shared/adapters/dynamodb/table.ts';
import { type RouteDefinition, routeKey, routes } from '#shared/http/routes.ts';
import type { StageConfig } from './config.ts';
import { ApiFunction, type FunctionEnvironment } from './constructs/api-function.ts';
import { CustomDomain } from './constructs/custom-domain.ts';
import { MachineAuth } from './constructs/machine-auth.ts';
import { TransparencyLog } from './constructs/transparency-log.ts';
import { METRICS_NAMESPACE, Operations } from './constructs/operations.ts';
import { CertificateSigningKeys } from './constructs/signing-keys.ts';

/** Properties of {@link DccStack}. */
export interface DccStackProps extends StackProps {
  /** The stage's settings (see `infra/config.ts`). */
  readonly config: StageConfig;
  /**
   * The routes to deploy.
   *
   * @default the routes table of `shared/http/routes.ts`
   */
  readonly routes?: readonly RouteDefinition[];
  /**
   * Root of the repository (holds `functions/`, `package.json` and the lock file).
   *
   * @default process.cwd()
   */
  readonly projectRoot?: string;
}

/**
 * The access log line: one JSON object per request. Never the Authorization header or any other
 * request header; the caller is identified by the token's `client_id` claim instead. `service`
 * is a constant that dimensions the log-derived metrics the same way Powertools does.
 */
export function accessLogFormat(serviceName: string): string {
  return (
    '{' +
    [
      `"requestId":"$context.requestId"`,
      `"service":"${serviceName}"`,
      `"time":"$context.requestTime"`,
      `"ip":"$context.identity.sourceIp"`,
      `"routeKey":"$context.routeKey"`,
      `"status":$context.status`,
      `"latency":$context.responseLatency`,
      `"integrationLatency":"$context.integrationLatency"`,
      `"integrationError":"$context.integrationErrorMessage"`,
      `"authorizerError":"$context.authorizer.error"`,
      `"clientId":"$context.authorizer.claims.client_id"`,
      `"responseLength":"$context.responseLength"`,
      `"userAgent":"$context.identity.userAgent"`,
    ].join(',') +
    '}'
  );
}

/** `issue-certificate` → `IssueCertificate`: construct ids of a route's resources. */
export function constructIdOf(handler: string): string {
  return handler
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The whole service in one stack: the certificate table, the signing keys, the machine-client
 * OAuth server, one function per route with exactly the grants the routes table lists, the HTTP
 * API with its JWT authorizer, and the alarms.
 */
export class DccStack extends Stack {
  readonly table: TableV2;
  readonly signingKeys: CertificateSigningKeys;
  /** The transparency log's key, integrator and alarms. */
  readonly transparencyLog: TransparencyLog;
  readonly auth: MachineAuth;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Functions by route handler name. */
  readonly functions: ReadonlyMap<string, ApiFunction>;
  /** API routes by route key (`POST /v1/certificates`). */
  readonly routes: ReadonlyMap<string, HttpRoute>;
  readonly operations: Operations;
  /** The API's custom domain, when the configuration names one. */
  readonly customDomain: CustomDomain | undefined;

  constructor(scope: Construct, id: string, props: DccStackProps) {
    super(scope, id, props);
    const { config } = props;
    const projectRoot = props.projectRoot ?? process.cwd();
    const prefix = `dcc-${config.stage}`;
    const serviceName = prefix;
    const logRemovalPolicy = config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = new TableV2(this, 'Table', {
      // Named by CloudFormation unless the configuration pins a name: the table is retained, so a
      // fixed name would make the next deploy of the stage after `cdk destroy` fail on the name
      // the retained table still holds. Functions get the name from their environment and
      // operators from the TableName output.
      ...(config.tableName !== undefined ? { tableName: config.tableName } : {}),
      partitionKey: attribute(TABLE_DEFINITION.partitionKey),
      sortKey: attribute(TABLE_DEFINITION.sortKey),
      globalSecondaryIndexes: TABLE_DEFINITION.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType[index.projectionType],
      })),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // The AWS-managed key: encrypted at rest with every use in CloudTrail, and no key policy
      // or per-function kms:Decrypt grants to keep right. The table holds what certificates
      // publish anyway; a customer-managed key would add cost and grants but no protection
      // against the roles that legitimately read it.
      encryption: TableEncryptionV2.awsManagedKey(),
      // The transparency log integrator reads the audit events from the stream (outbox).
      dynamoStream: StreamViewType.NEW_IMAGE,
      // Only the token endpoint's assertion `jti` items carry it (see table.ts).
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
    });

    this.signingKeys = new CertificateSigningKeys(this, 'SigningKeys', {
      stage: config.stage,
      generations: config.signingKeyGenerations,
      externalRetiredKeyArns: config.externalRetiredKeyArns,
      ...(config.sm2FromGeneration === undefined ? {} : { sm2FromGeneration: config.sm2FromGeneration }),
    });

    // The issuer is the API's public base URL, known only once the API (and its domain) exist;
    // the authorizer is needed before, as the API's default, so it reads the URL lazily.
    let issuer: string | undefined;
    this.auth = new MachineAuth(this, 'Auth', {
      stage: config.stage,
      issuer: Lazy.string({ produce: () => issuer }),
    });

    this.api = new HttpApi(this, 'Api', {
      apiName: `${prefix}-api`,
      description: 'Data compliance certificates: issue, read, revoke and verify',
      // Protected unless a route says otherwise: a route added without thought gets the JWT check.
      defaultAuthorizer: this.auth.authorizer,
      createDefaultStage: false,
      // No CORS: HTTP API CORS is API-wide (it cannot be limited to the public routes). The
      // verification page is served from the API's own origin, and the public GETs (JWKS,
      // status lists) are simple requests that need no preflight; their functions can add
      // Access-Control-Allow-Origin themselves.
    });

    const accessLogGroup = new LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetention,
      removalPolicy: logRemovalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogGroup),
        format: AccessLogFormat.custom(accessLogFormat(serviceName)),
      },
    });

    this.customDomain = config.customDomain
      ? new CustomDomain(this, 'CustomDomain', { config: config.customDomain, api: this.api, stage: this.stage })
      : undefined;
    // The configuration defaults it to the custom domain's URL when there is one.
    const publicBaseUrl = config.publicBaseUrl ?? this.api.apiEndpoint;
    issuer = publicBaseUrl;
    // The log's origin names its key forever: from the configured issuer's host when there is one.
    // Every function is given it, because every function loads the configuration that requires it.
    const logOrigin = config.issuer ? `${new URL(config.issuer).host}/log` : `${prefix}.dcc.invalid/log`;
    const baseEnvironment: FunctionEnvironment = {
      DCC_SIGNER: 'kms',
      // Every function loads the same configuration, which requires both even where the
      // function has no grant to use them; a name or an ARN is not a permission.
      DCC_TABLE_NAME: this.table.tableName,
      DCC_KMS_KEY_ID: this.signingKeys.current.keyArn,
      DCC_SIGNATURE_SUITE: config.signatureSuite,
      DCC_ISSUER: config.issuer ?? publicBaseUrl,
      DCC_PUBLIC_BASE_URL: publicBaseUrl,
      DCC_LOG_ORIGIN: logOrigin,
      DCC_ACCESS_TOKEN_TTL_SECONDS: String(config.accessTokenValidity.toSeconds()),
      POWERTOOLS_SERVICE_NAME: serviceName,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };

    const deployed: readonly RouteDefinition[] = props.routes ?? routes;
    const functions = new Map<string, ApiFunction>();
    const apiRoutes = new Map<string, HttpRoute>();
    for (const route of deployed) {
      const name = constructIdOf(route.handler);
      let fn = functions.get(route.handler);
      if (!fn) {
        fn = new ApiFunction(this, name, {
          entry: join(projectRoot, 'functions', `${route.handler}.ts`),
          functionName: `${prefix}-${route.handler}`,
          description: `${routeKey(route)} (${config.stage})`,
          environment: baseEnvironment,
          logRetention: config.logRetention,
          logRemovalPolicy,
          projectRoot,
          architecture: config.lambdaArchitecture,
          signatureSuite: config.signatureSuite,
        });
        grantNeeds(fn, route, this);
        functions.set(route.handler, fn);
      }

      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${name}Integration`, fn),
        ...(route.auth === 'public'
          ? { authorizer: new HttpNoneAuthorizer() }
          : { authorizer: this.auth.authorizer, authorizationScopes: [...route.auth.anyScope] }),
      });
      if (!created) throw new Error(`no route created for ${routeKey(route)}`);
      apiRoutes.set(routeKey(route), created);
      if (route.auth === 'public') {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey(route)} is public on purpose: anyone may verify certificates and fetch status lists and public keys without a token.`,
        });
      }
    }
    this.functions = functions;
    this.routes = apiRoutes;

    const signingFunctions = deployed.filter((r) => r.needs.sign).map((r) => functions.get(r.handler) as ApiFunction);
    this.operations = new Operations(this, 'Operations', {
      stage: config.stage,
      serviceName,
      api: this.api,
      accessLogGroup,
      functions: [...functions.values()],
      signingFunctions: [...new Set(signingFunctions)],
      alarmEmail: config.alarmEmail,
    });

    this.transparencyLog = new TransparencyLog(this, 'TransparencyLog', {
      stage: config.stage,
      table: this.table,
      origin: logOrigin,
      signature: config.logSignature,
      architecture: config.lambdaArchitecture,
      environment: baseEnvironment,
      topic: this.operations.topic,
      projectRoot,
      logRetention: config.logRetention,
      logRemovalPolicy,
      reservedConcurrency: config.logIntegratorReservedConcurrency,
    });


    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'PublicBaseUrl', { value: publicBaseUrl, description: 'Base URL in status list URLs' });
    if (this.customDomain) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.customDomain.domainName.regionalDomainName,
        description: 'Where the custom domain must point (CNAME or alias) when its DNS is not in the given hosted zone',
      });
    }
    new CfnOutput(this, 'TokenEndpoint', { value: this.auth.tokenEndpoint, description: 'OAuth 2.0 token endpoint (client credentials, private_key_jwt)' });
    new CfnOutput(this, 'OpenIdConfiguration', { value: this.auth.discoveryUrl, description: 'Discovery document of the token issuer' });
    new CfnOutput(this, 'AccessTokenKeyArn', { value: this.auth.accessTokenKey.keyArn, description: 'KMS RSA_2048 key that signs access tokens' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The certificate table (register-exchange --table)' });
    new CfnOutput(this, 'SigningKeyArn', { value: this.signingKeys.current.keyArn });
    new CfnOutput(this, 'LogKeyArn', { value: this.transparencyLog.key.keyArn });
    new CfnOutput(this, 'SigningKeyAlias', { value: this.signingKeys.alias.aliasName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.operations.topic.topicArn });
  }
}

/** Grants a route's function exactly what `route.needs` lists. */
function grantNeeds(fn: ApiFunction, route: RouteDefinition, stack: DccStack): void {
  if (route.needs.table !== 'none') fn.bindTable({ table: stack.table, access: route.needs.table });
  if (route.needs.sign) fn.bindSigningKey(stack.signingKeys.current);
  if (route.needs.publicKey) fn.bindPublicKey(stack.signingKeys.current, stack.signingKeys.retired);
  if (route.needs.accessTokenKey === 'sign') stack.auth.grantSign(fn);
  if (route.needs.accessTokenKey === 'public-key') stack.auth.grantPublicKey(fn);
}

function attribute(key: KeyAttribute): { name: string; type: AttributeType } {
  const types = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;
  return { name: key.name, type: types[key.type] };
}
