import { resolve } from 'node:path';
import { AssetHashType, DockerImage, Duration, type ILocalBundling, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { CfnPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type CfnFunction, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import type { ConfigInput } from '#shared/app/config.ts';
import { LAMBDA_ENTRY_MODULE, type LambdaBundleOptions, lambdaBuildOptions } from './lambda-bundle.ts';

/**
 * Environment variables a function may receive: the names `shared/app/config.ts` reads (the
 * Powertools ones among them), but not `AWS_REGION`, which Lambda sets itself. Typed so that a
 * misspelt name fails the type check instead of the cold start.
 */
export type FunctionEnvironment = Omit<ConfigInput, 'AWS_REGION' | 'POWERTOOLS_LOG_LEVEL'> & {
  readonly POWERTOOLS_LOG_LEVEL?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
};

/** Table access of {@link ApiFunction.bindTable}. */
export type TableAccess = 'read' | 'read-write';

/**
 * The DynamoDB actions behind each access level. On the API's paths the store issues GetItem,
 * single-partition Query, UpdateItem and TransactWriteItems (whose items IAM authorises one by
 * one, here as PutItem and UpdateItem). Nothing scans and nothing deletes: neither Scan nor
 * DeleteItem is granted, so no function role can delete a certificate. (Exchange registration
 * deletes client items, but that is an operator's task, not an API route's.)
 */
export const TABLE_ACTIONS: Readonly<Record<TableAccess, readonly string[]>> = {
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  'read-write': [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
};

/**
 * Conditions on `kms:Sign`: the only signature the service makes is ES256 over a SHA-256 digest
 * (the digest is computed in the function), so a stolen role session cannot use the key for
 * anything else either.
 */
export const SIGN_CONDITIONS = {
  StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'DIGEST' },
} as const;

/** Options of {@link ApiFunction.bindTable}. */
export interface BindTableOptions {
  /** The certificate table. */
  readonly table: ITableV2;
  /** What the function may do with it. */
  readonly access: TableAccess;
  /**
   * Global secondary indexes the function queries, by name. Each is granted by its own ARN.
   *
   * @default - none: the API functions read only the base table
   */
  readonly indexes?: readonly string[];
}

/** Properties of {@link ApiFunction}. */
export interface ApiFunctionProps {
  /** Path of the entry file (exports `handler`). */
  readonly entry: string;
  /** Physical function name; it also names the role and the log group in the console. */
  readonly functionName: string;
  /**
   * Description shown in the console.
   *
   * @default - none
   */
  readonly description?: string;
  /** Environment of the function (the service configuration, see `shared/app/config.ts`). */
  readonly environment: FunctionEnvironment;
  /**
   * Memory in MB. Lambda allots CPU in proportion to memory, and both the cold start (parsing and
   * compiling the bundle) and the request path (JSON, SHA-256, ECDSA verification, gzip of a
   * status list) are CPU-bound on one thread. 1024 MB gives about 0.6 vCPU: below it the cold
   * start grows roughly in inverse proportion; above it a single-threaded Node.js gains little
   * while the price per millisecond keeps rising. The benchmark can revise this.
   *
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Timeout. The SDK budgets of `shared/app/sdk-options.ts` (KMS: 2 attempts of at most 1.5 s,
   * DynamoDB: 3 of at most 1.5 s; Sign + transaction ≤ 8.3 s) end inside 10 s, so a slow dependency becomes the function's own
   * 503 with Retry-After rather than a Lambda timeout; API Gateway would wait up to 30 s.
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the function's log group.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the function is removed from the stack.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Whether the AWS SDK v3 is bundled (`true`) or taken from the Lambda runtime (`false`).
   * Bundled by default: the function then runs exactly the SDK version the tests ran against,
   * minified and tree-shaken into the bundle (only the KMS and DynamoDB clients are used),
   * instead of whatever version the runtime image carries, loaded as many CommonJS
   * files. Measured on `issue-certificate`: 951 KB minified (244 KB zipped) bundled, 575 KB
   * (134 KB zipped) without the SDK; importing the module (its cold start included) took a
   * median 0.22 s bundled against 0.42 s with the SDK resolved from `node_modules`, on the same
   * machine. The benchmark compares the two cold starts on Lambda itself.
   *
   * @default true
   */
  readonly bundleAwsSdk?: boolean;
  /**
   * Root of the project (where `package.json` is); `entry` may be relative to it.
   *
   * @default process.cwd()
   */
  readonly projectRoot?: string;
  /**
   * Instruction set. arm64 (Graviton2) costs less per GB-second for the same CPU-bound work;
   * x86_64 is the way out for a region that lacks arm64 (see the README's China section).
   *
   * @default 'arm64'
   */
  readonly architecture?: 'arm64' | 'x86_64';
  /**
   * The stage's certificate signature suite. Under `es256` no key of the stage is an SM2 key,
   * and the bundle leaves the SM2 suite out (`DCC_SM2_SUITE` in `shared/crypto/sm2-loader.ts`):
   * about 60 KB less for every cold start to compile. Unset, the bundle carries it.
   */
  readonly signatureSuite?: 'es256' | 'sm2';
}

/**
 * A Lambda function of the HTTP API with the project's fixed defaults: Node.js 24 on arm64, a
 * split ESM bundle built by the local esbuild (`lambda-bundle.ts`: minified, with source maps read
 * on the first stack trace rather than at start-up), an explicit log group with retention, its
 * own role that can write to that log group and nothing else until a `bind…` method grants
 * exactly what the function needs.
 *
 * The bundle is built here rather than by the CDK's `NodejsFunction`, which hands esbuild a
 * single output file and so cannot split: see `lambdaBuildOptions` for what splitting saves at a
 * cold start.
 */
export class ApiFunction extends LambdaFunction {
  /** The function's log group (also the source of its log-derived metrics). */
  readonly functionLogGroup: LogGroup;
  /** The function's own role; every grant lands in its default policy. */
  readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    // An own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole,
    // which may write to every log group of the account.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    const projectRoot = props.projectRoot ?? process.cwd();
    super(scope, id, {
      code: bundledCode(props.entry, {
        projectRoot,
        sdk: props.bundleAwsSdk === false ? 'external' : 'bundled',
        ...(props.signatureSuite ? { signatureSuite: props.signatureSuite } : {}),
      }),
      handler: `${LAMBDA_ENTRY_MODULE.replace(/\.mjs$/, '')}.handler`,
      functionName: props.functionName,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: props.architecture === 'x86_64' ? Architecture.X86_64 : Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup,
      // No `NODE_OPTIONS=--enable-source-maps`: with it Node scans the bundle and parses its maps
      // at every cold start (about 10 ms on Node 24). The maps still ship next to the modules, and
      // `shared/app/production.ts` reads them on the first stack trace formatted, so the traces in
      // the logs still name file and line.
      environment: definedOnly(props.environment),
    });
    this.functionLogGroup = logGroup;
    this.executionRole = role;
    // CDK makes the function depend on everything under its role: the role itself, which the
    // function's Role (Fn::GetAtt) already depends on (cfn-lint W3005, a redundant DependsOn), and
    // the role's policies, which it must keep (the first invocation must find its permissions).
    // Resolved at synthesis, after every grant has created the policies.
    const stack = Stack.of(this);
    (this.node.defaultChild as CfnFunction).addOverride(
      'DependsOn',
      Lazy.list({
        produce: () => role.node.findAll().filter((c): c is CfnPolicy => c instanceof CfnPolicy).map((p) => stack.getLogicalId(p)),
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
  }

  /**
   * Grants exactly the table actions of `access` on the table (and on the named indexes only),
   * and sets `DCC_TABLE_NAME`.
   */
  bindTable(options: BindTableOptions): void {
    const { table, access } = options;
    const indexArns = (options.indexes ?? []).map((name) => `${table.tableArn}/index/${name}`);
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...TABLE_ACTIONS[access]], resources: [table.tableArn, ...indexArns] }),
    );
    this.addEnvironment('DCC_TABLE_NAME', table.tableName);
  }

  /**
   * Lets the function sign with `key` and nothing else: `kms:Sign` on that key alone, limited to
   * ES256 over a digest, granted both in the role's policy and in the key's policy (the key
   * policy does not let account principals sign, so the key policy entry is the one that
   * counts). Sets `DCC_KMS_KEY_ID` to the key ARN.
   */
  bindSigningKey(key: IKey): void {
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:Sign'], resources: [key.keyArn], conditions: SIGN_CONDITIONS }),
    );
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: `Sign${this.node.id}`.replace(/[^A-Za-z0-9]/g, ''),
        principals: [this.executionRole],
        actions: ['kms:Sign'],
        // In a key policy "*" means this key.
        resources: ['*'],
        conditions: SIGN_CONDITIONS,
      }),
    );
    this.addEnvironment('DCC_KMS_KEY_ID', key.keyArn);
  }

  /**
   * Lets the function read the public keys of `current` and of every retired key (to publish
   * them and to verify certificates): `kms:GetPublicKey` on those ARNs only. Sets
   * `DCC_KMS_KEY_ID` and `DCC_RETIRED_KMS_KEY_IDS`.
   */
  bindPublicKey(current: IKey, retired: readonly IKey[] = []): void {
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:GetPublicKey'],
        resources: [current.keyArn, ...retired.map((k) => k.keyArn)],
      }),
    );
    this.addEnvironment('DCC_KMS_KEY_ID', current.keyArn);
    this.addEnvironment('DCC_RETIRED_KMS_KEY_IDS', retired.map((k) => k.keyArn).join(','));
  }
}

function definedOnly(environment: FunctionEnvironment): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * The function's code: the bundle of `entry` (`lambda-bundle.ts`), built at synthesis by the
 * esbuild installed with the project, in this process; no Docker image is ever needed, so the
 * image named below is never pulled. The asset is named by a hash of the bundle itself, so an
 * unchanged bundle is not uploaded again.
 */
function bundledCode(entry: string, options: LambdaBundleOptions): Code {
  return Code.fromAsset(options.projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: { image: DockerImage.fromRegistry('dummy'), local: new LocalEsbuild(resolve(options.projectRoot, entry), options) },
  });
}

/**
 * Bundles one function with the local esbuild. The CDK reuses a bundle within a synthesis for
 * assets whose source folder and bundling options serialise alike; every function's source
 * folder is the project's root, so what tells two functions apart are the data members here,
 * which the serialisation includes (the method it leaves out).
 */
class LocalEsbuild implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly options: LambdaBundleOptions,
  ) {}

  tryBundle(outputDir: string): boolean {
    buildSync({ ...lambdaBuildOptions(this.entry, outputDir, this.options), logLevel: 'warning' });
    return true;
  }
}
