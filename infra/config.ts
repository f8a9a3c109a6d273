import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/**
 * The deployment's settings, read once from CDK context (`cdk.json` defaults, `-c key=value` on
 * the command line). Everything that differs between stages is decided here, so the stack reads
 * as "what is built" and this file as "how big, how long, how many".
 */
export interface StageConfig {
  /** Stage name, part of every resource name (`dcc-<stage>-…`). */
  readonly stage: string;
  /**
   * The target region (`-c region=…`, else `CDK_DEFAULT_REGION`). Set, the stack is pinned to it
   * and its partition; unset, the template is environment-agnostic and for the global partition.
   */
  readonly region: string | undefined;
  /** `aws-cn` for cn-north-1 and cn-northwest-1, `aws` otherwise. */
  readonly partition: Partition;
  /**
   * The checkpoints' signed-note signature: `ed25519`, or `rfc6962` (ECDSA P-256 tree head
   * signatures) in the China regions, where KMS Ed25519 keys are not confirmed (see the README).
   */
  readonly logSignature: 'ed25519' | 'rfc6962';
  /** Instruction set of every function: `arm64` unless `-c lambdaArchitecture=x86_64`. */
  readonly lambdaArchitecture: 'arm64' | 'x86_64';
  /** `prod` keeps more: longer log retention and retained logs. */
  readonly production: boolean;
  /**
   * Generations of the certificate signing key the stack manages, oldest first. The last one
   * signs; the earlier ones are retired: kept, published in the JWKS, never used to sign.
   */
  readonly signingKeyGenerations: readonly number[];
  /**
   * The certificate signature suite (context `signatureSuite`, `es256` by default): `sm2` makes
   * the generations from {@link sm2FromGeneration} on KMS `SM2` keys (China Regions only).
   */
  readonly signatureSuite: 'es256' | 'sm2';
  /**
   * The first generation that is an SM2 key (context `sm2FromGeneration`; the first listed one
   * by default, i.e. a stage that starts with SM2). An ES256 stage moves to SM2 by appending a
   * generation and naming it here, so its P-256 keys keep their spec and stay published.
   */
  readonly sm2FromGeneration: number | undefined;
  /** ARNs of retired signing keys the stack does not manage (e.g. from an earlier stack). */
  readonly externalRetiredKeyArns: readonly string[];
  /** The certificate issuer URL (the VC `issuer`); the API's URL when unset. */
  readonly issuer: string | undefined;
  /**
   * Public base URL used in status-list URLs: `https://<domainName>` when a custom domain is
   * set, the API's URL when neither is set.
   */
  readonly publicBaseUrl: string | undefined;
  /** The API's own custom domain, when the stack creates one. */
  readonly customDomain: CustomDomainConfig | undefined;
  /**
   * Physical name of the certificate table. Unset (the default), CloudFormation names it, so a
   * deploy after `cdk destroy` never collides with the retained table; set it only to keep the
   * name of a table deployed before (see the README, "Destroying a stage").
   */
  readonly tableName: string | undefined;
  /**
   * Whether the transparency log integrator gets reserved concurrency 1. Off by default: Lambda
   * keeps at least 100 of the account's concurrency unreserved, so the reservation fails, and the
   * whole stack rolls back, in an account whose quota is under 101 (new accounts may start at 10).
   * It only saves wasted work: without it a second integrator can run, but the head's conditional
   * write lets one commit and the other writes nothing and starts again from the new head.
   */
  readonly logIntegratorReservedConcurrency: boolean;
  /** Where alarm notifications are mailed; no subscription when unset. */
  readonly alarmEmail: string | undefined;
  /** Retention of function and access logs. */
  readonly logRetention: RetentionDays;
  /** Steady-state request rate limit of the API stage (requests per second). */
  readonly throttleRateLimit: number;
  /** Burst limit of the API stage. */
  readonly throttleBurstLimit: number;
  /** Lifetime of an OAuth access token. */
  readonly accessTokenValidity: Duration;
}

/** A custom domain of the API (context `domainName`, `certificateArn`, `hostedZoneId`, `hostedZoneName`). */
export interface CustomDomainConfig {
  /** The host name, e.g. `dcc.example.gov.cn`. */
  readonly domainName: string;
  /** An ACM certificate in the stack's region that covers the name; a new DNS-validated one when unset. */
  readonly certificateArn: string | undefined;
  /** The Route 53 public hosted zone of the name: validates a new certificate and gets the alias record. */
  readonly hostedZone: { readonly id: string; readonly name: string } | undefined;
}

/** The AWS partitions the stack is built for. */
export type Partition = 'aws' | 'aws-cn';

/** A region name (`us-east-1`, `cn-northwest-1`). */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The partition of a region: the China regions are the `cn-` ones. */
export function partitionOf(region: string | undefined): Partition {
  return region?.startsWith('cn-') ? 'aws-cn' : 'aws';
}

/** Stage names: lower case, short enough for every resource name limit. */
export const STAGE_PATTERN = /^[a-z][a-z0-9-]{1,15}$/;

/** A KMS key ARN (the form `DCC_RETIRED_KMS_KEY_IDS` holds). */
export const KMS_KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/mrk-[0-9a-f]{32}$/;

/** An ACM certificate ARN (context `certificateArn`). */
export const ACM_CERTIFICATE_ARN_PATTERN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

/** A DNS host name of at least two labels, lower case, no wildcard (a custom domain, a hosted zone). */
export const HOST_NAME_PATTERN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])$/;

/** A DynamoDB table name (context `tableName`). */
export const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * Reads and validates the stage configuration from the construct tree's context. Throws an
 * Error naming the context key when a value is malformed, so `cdk synth` fails before anything
 * is built from it.
 */
export function resolveStageConfig(node: Node, env: NodeJS.ProcessEnv = process.env): StageConfig {
  // The CDK CLI exports the region it would deploy to as CDK_DEFAULT_REGION; `-c region=` wins.
  return stageConfigFromContext((key) => (key === 'region' ? (node.tryGetContext(key) ?? env['CDK_DEFAULT_REGION']) : node.tryGetContext(key)) as unknown);
}

/** {@link resolveStageConfig} over a plain look-up function (tests pass a record). */
export function stageConfigFromContext(get: (key: string) => unknown): StageConfig {
  const stage = optionalString(get, 'stage') ?? 'dev';
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`context "stage": "${stage}" must match ${STAGE_PATTERN}`);
  }
  const production = stage === 'prod';

  const region = optionalString(get, 'region');
  if (region !== undefined && !REGION_PATTERN.test(region)) throw new Error(`context "region": "${region}" is not a region name`);
  const partition = partitionOf(region);
  const logSignature = optionalString(get, 'logSignature') ?? (partition === 'aws-cn' ? 'rfc6962' : 'ed25519');
  if (logSignature !== 'ed25519' && logSignature !== 'rfc6962') {
    throw new Error(`context "logSignature": "${logSignature}" must be ed25519 or rfc6962`);
  }
  const lambdaArchitecture = optionalString(get, 'lambdaArchitecture') ?? 'arm64';
  if (lambdaArchitecture !== 'arm64' && lambdaArchitecture !== 'x86_64') {
    throw new Error(`context "lambdaArchitecture": "${lambdaArchitecture}" must be arm64 or x86_64`);
  }

  // Exchanges and their clients are registered at run time (PUT /v1/exchanges/{id}), not in the
  // stack; a configuration that still lists them is told so rather than silently ignored.
  for (const retired of ['exchanges', 'authDomainPrefix']) {
    if (get(retired) !== undefined) {
      throw new Error(`context "${retired}" is no longer read: exchanges register their keys with PUT /v1/exchanges/{exchangeId} (see the README)`);
    }
  }

  const generationsRaw = stringList(get, 'signingKeyGenerations');
  const signingKeyGenerations = (generationsRaw.length > 0 ? generationsRaw : ['1']).map((g) => {
    if (!/^[1-9]\d{0,3}$/.test(g)) {
      throw new Error(`context "signingKeyGenerations": "${g}" is not a positive integer`);
    }
    return Number(g);
  });
  for (let i = 1; i < signingKeyGenerations.length; i++) {
    if ((signingKeyGenerations[i] as number) <= (signingKeyGenerations[i - 1] as number)) {
      throw new Error('context "signingKeyGenerations": generations must be strictly increasing (oldest first)');
    }
  }

  const signatureSuite = optionalString(get, 'signatureSuite') ?? 'es256';
  if (signatureSuite !== 'es256' && signatureSuite !== 'sm2') {
    throw new Error(`context "signatureSuite": "${signatureSuite}" must be es256 or sm2`);
  }
  // KMS offers the SM2 key spec in the China Regions only.
  if (signatureSuite === 'sm2' && region !== undefined && partition !== 'aws-cn') {
    throw new Error(`context "signatureSuite": sm2 needs a China Region (KMS SM2 keys), not ${region}`);
  }
  const sm2FromText = optionalString(get, 'sm2FromGeneration');
  if (sm2FromText !== undefined && signatureSuite !== 'sm2') throw new Error('context "sm2FromGeneration" is set but "signatureSuite" is not sm2');
  const sm2FromGeneration = signatureSuite === 'sm2' ? Number(sm2FromText ?? signingKeyGenerations[0]) : undefined;
  if (sm2FromGeneration !== undefined && !signingKeyGenerations.includes(sm2FromGeneration)) {
    throw new Error(`context "sm2FromGeneration": "${sm2FromText}" is not one of "signingKeyGenerations"`);
  }

  const externalRetiredKeyArns = stringList(get, 'retiredKmsKeyIds');
  for (const arn of externalRetiredKeyArns) {
    if (!KMS_KEY_ARN_PATTERN.test(arn)) {
      // An alias or bare key id would work for GetPublicKey but cannot be scoped in IAM.
      throw new Error(`context "retiredKmsKeyIds": "${arn}" is not a KMS key ARN`);
    }
  }

  const issuer = optionalUrl(get, 'issuer');
  const customDomain = customDomainFromContext(get);
  const publicBaseUrl =
    optionalUrl(get, 'publicBaseUrl')?.replace(/\/+$/, '') ?? (customDomain ? `https://${customDomain.domainName}` : undefined);
  const tableName = optionalString(get, 'tableName');
  if (tableName !== undefined && !TABLE_NAME_PATTERN.test(tableName)) {
    throw new Error(`context "tableName": "${tableName}" is not a DynamoDB table name`);
  }
  const logIntegratorReservedConcurrency = optionalBoolean(get, 'logIntegratorReservedConcurrency') ?? false;
  const alarmEmail = optionalString(get, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`context "alarmEmail": "${alarmEmail}" is not an e-mail address`);
  }

  return {
    stage,
    region,
    partition,
    logSignature,
    lambdaArchitecture,
    production,
    signingKeyGenerations,
    signatureSuite,
    sm2FromGeneration,
    externalRetiredKeyArns,
    issuer,
    publicBaseUrl,
    customDomain,
    tableName,
    logIntegratorReservedConcurrency,
    alarmEmail,
    // Network logs kept at least six months (PRC Cybersecurity Law, art. 21); a year in prod.
    logRetention: production ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
    // Far above the exchanges' issuing rate, far below the account's 10 000 rps: a runaway
    // client is cut off at the stage before it can exhaust Lambda concurrency or KMS quota
    // (ECDSA Sign: a few hundred to a few thousand per second, shared by the account).
    throttleRateLimit: production ? 200 : 20,
    throttleBurstLimit: production ? 400 : 40,
    accessTokenValidity: Duration.minutes(60),
  };
}

/**
 * The custom domain: `domainName` with a certificate to serve it, either an existing one
 * (`certificateArn`) or a new one validated in the hosted zone (`hostedZoneId` + `hostedZoneName`);
 * with a hosted zone the alias record is created too.
 */
function customDomainFromContext(get: (key: string) => unknown): CustomDomainConfig | undefined {
  const domainName = optionalString(get, 'domainName')?.toLowerCase().replace(/\.$/, '');
  const certificateArn = optionalString(get, 'certificateArn');
  const zoneId = optionalString(get, 'hostedZoneId');
  const zoneName = optionalString(get, 'hostedZoneName')?.toLowerCase().replace(/\.$/, '');
  if (domainName === undefined) {
    const orphan = [['certificateArn', certificateArn], ['hostedZoneId', zoneId], ['hostedZoneName', zoneName]].find(([, v]) => v !== undefined);
    if (orphan) throw new Error(`context "${orphan[0]}" is set but "domainName" is not`);
    return undefined;
  }
  if (!HOST_NAME_PATTERN.test(domainName)) throw new Error(`context "domainName": "${domainName}" is not a host name`);
  if (certificateArn !== undefined && !ACM_CERTIFICATE_ARN_PATTERN.test(certificateArn)) {
    throw new Error(`context "certificateArn": "${certificateArn}" is not an ACM certificate ARN`);
  }
  if ((zoneId === undefined) !== (zoneName === undefined)) {
    throw new Error('context "hostedZoneId" and "hostedZoneName" go together: the zone is not looked up');
  }
  let hostedZone: CustomDomainConfig['hostedZone'];
  if (zoneId !== undefined && zoneName !== undefined) {
    if (!/^Z[A-Z0-9]{1,31}$/.test(zoneId)) throw new Error(`context "hostedZoneId": "${zoneId}" is not a Route 53 hosted zone id`);
    if (!HOST_NAME_PATTERN.test(zoneName)) throw new Error(`context "hostedZoneName": "${zoneName}" is not a host name`);
    if (domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
      throw new Error(`context "domainName": "${domainName}" is not in the hosted zone "${zoneName}"`);
    }
    hostedZone = { id: zoneId, name: zoneName };
  }
  if (certificateArn === undefined && hostedZone === undefined) {
    throw new Error('context "domainName" needs "certificateArn" (an existing certificate) or "hostedZoneId" and "hostedZoneName" (to validate a new one)');
  }
  return { domainName, certificateArn, hostedZone };
}

/** `true`/`false` from `cdk.json` (JSON booleans) or from `-c` (strings). */
function optionalBoolean(get: (key: string) => unknown, key: string): boolean | undefined {
  const value = get(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context "${key}" must be true or false`);
}

/** Values from `cdk.json` arrive as JSON; values from `-c` arrive as strings: accept both. */
function stringList(get: (key: string) => unknown, key: string): string[] {
  const value = get(key);
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) {
    return value.map((v) => {
      if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`context "${key}": ${JSON.stringify(v)} is not a string`);
      return String(v).trim();
    });
  }
  if (typeof value === 'number') return [String(value)];
  if (typeof value !== 'string') throw new Error(`context "${key}" must be a list or a comma-separated string`);
  const text = value.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`context "${key}": ${text} is not valid JSON`);
    }
    return stringList(() => parsed, key);
  }
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function optionalString(get: (key: string) => unknown, key: string): string | undefined {
  const value = get(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context "${key}" must be a string`);
  return value.trim();
}

function optionalUrl(get: (key: string) => unknown, key: string): string | undefined {
  const value = optionalString(get, key);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`context "${key}": "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:') throw new Error(`context "${key}": "${value}" must be an https URL`);
  return value;
}
