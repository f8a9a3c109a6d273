import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFINITION } from '#shared/adapters/dynamodb/table.ts';
import { ACCESS_TOKEN_AUDIENCE } from '#shared/domain/oauth.ts';
import { type RouteDefinition, routeKey, routes } from '#shared/http/routes.ts';
import { buildApp } from '../../infra/app.ts';
import type { DccStack } from '../../infra/stack.ts';
import {
  arnOf,
  type CfnResource,
  type CfnStatement,
  type CfnTemplate,
  canonicalPermissions,
  cdkJsonContext,
  idsOfType,
  onlyResource,
  permission,
  permissionsOfRole,
  ref,
  render,
} from './support/template.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const STAGE = 'qa';
const EXTERNAL_RETIRED_KEY = 'arn:aws-cn:kms:cn-north-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
/** Deployed routes, straight from the routes table: a new route is covered without editing this file. */
const DEPLOYED: readonly RouteDefinition[] = routes;

// Written out here rather than imported from the construct, so that widening a grant in the
// construct fails this test instead of silently moving the expectation with it.
const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:Query'];
const TABLE_READ_WRITE = [...TABLE_READ, 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const SIGN_CONDITION = { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'DIGEST' } };
const ACCESS_TOKEN_SIGN_CONDITION = { StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_256', 'kms:MessageType': 'DIGEST' } };

let outdir: string;
let stack: DccStack;
let template: CfnTemplate;
let tableId: string;
let currentKeyId: string;
let retiredKeyId: string;

/** Logical id of the function of a route. */
function functionIdOf(route: RouteDefinition): string {
  const [id] = onlyResource(template, 'AWS::Lambda::Function', (r) => r.Properties?.['FunctionName'] === `dcc-${STAGE}-${route.handler}`);
  return id;
}

function functionOf(route: RouteDefinition): CfnResource {
  return template.Resources[functionIdOf(route)] as CfnResource;
}

function roleIdOf(route: RouteDefinition): string {
  const role = functionOf(route).Properties?.['Role'] as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

function logGroupIdOf(route: RouteDefinition): string {
  return ((functionOf(route).Properties?.['LoggingConfig'] as { LogGroup: { Ref: string } }).LogGroup).Ref;
}

function envOf(route: RouteDefinition): Record<string, unknown> {
  return (functionOf(route).Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
}

/** What a route's role must be allowed, derived only from `route.needs`. */
function expectedPermissions(route: RouteDefinition): string[] {
  const expected = [
    permission('Allow', 'logs:CreateLogStream', arnOf(logGroupIdOf(route))),
    permission('Allow', 'logs:PutLogEvents', arnOf(logGroupIdOf(route))),
  ];
  if (route.needs.table !== 'none') {
    const actions = route.needs.table === 'read' ? TABLE_READ : TABLE_READ_WRITE;
    expected.push(...actions.map((a) => permission('Allow', a, arnOf(tableId))));
  }
  if (route.needs.sign) expected.push(permission('Allow', 'kms:Sign', arnOf(currentKeyId), SIGN_CONDITION));
  if (route.needs.publicKey) {
    for (const key of [arnOf(currentKeyId), arnOf(retiredKeyId), EXTERNAL_RETIRED_KEY]) {
      expected.push(permission('Allow', 'kms:GetPublicKey', key));
    }
  }
  if (route.needs.accessTokenKey === 'sign') expected.push(permission('Allow', 'kms:Sign', arnOf(accessTokenKeyId()), ACCESS_TOKEN_SIGN_CONDITION));
  if (route.needs.accessTokenKey) expected.push(permission('Allow', 'kms:GetPublicKey', arnOf(accessTokenKeyId())));
  return expected.sort();
}

/** The access-token key (the one RSA key of the stack). */
function accessTokenKeyId(): string {
  return onlyResource(template, 'AWS::KMS::Key', (r) => r.Properties?.['KeySpec'] === 'RSA_2048')[0];
}

/** The route of `handler` in the deployed table. */
function routeOf(handler: string): RouteDefinition {
  const route = DEPLOYED.find((r) => r.handler === handler);
  if (!route) throw new Error(`no route ${handler}`);
  return route;
}

function keyPolicyOf(keyId: string): CfnStatement[] {
  return ((template.Resources[keyId] as CfnResource).Properties?.['KeyPolicy'] as { Statement: CfnStatement[] }).Statement;
}

/** A loopback port nothing listens on (taken from the OS, then released). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'dcc-infra-'));
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(ROOT),
      stage: STAGE,
      // A stack after one rotation, with one more retired key from elsewhere.
      signingKeyGenerations: [1, 2],
      retiredKmsKeyIds: [EXTERNAL_RETIRED_KEY],
    },
  });
  // The same function `npm run synth` runs, with the real bundling (local esbuild).
  stack = buildApp(app).stack;
  template = Template.fromStack(stack).toJSON() as CfnTemplate;
  [tableId] = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
  [currentKeyId] = onlyResource(template, 'AWS::KMS::Key', (r) => String(r.Properties?.['Description']).endsWith('generation 2'));
  [retiredKeyId] = onlyResource(template, 'AWS::KMS::Key', (r) => String(r.Properties?.['Description']).endsWith('generation 1'));
}, 240_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('least privilege', () => {
  it.each(DEPLOYED.map((r) => [r.handler, r] as const))('%s: its role allows exactly what the route needs', (_, route) => {
    expect(permissionsOfRole(template, roleIdOf(route))).toEqual(expectedPermissions(route));
  });

  it('function roles have no managed policies and trust only Lambda', () => {
    for (const route of DEPLOYED) {
      const role = template.Resources[roleIdOf(route)] as CfnResource;
      expect(role.Properties?.['ManagedPolicyArns']).toBeUndefined();
      expect(role.Properties?.['AssumeRolePolicyDocument']).toEqual({
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
        Version: '2012-10-17',
      });
    }
  });

  it('only the issuing and status-list roles may sign with the certificate key; only the token role with the access-token key', () => {
    const signersWith = (keyArn: unknown) =>
      DEPLOYED.filter((r) => permissionsOfRole(template, roleIdOf(r)).some((p) => p.includes(' kms:Sign ') && p.includes(JSON.stringify(keyArn))));
    const certificateSigners = signersWith(arnOf(currentKeyId));
    expect(certificateSigners.map((r) => r.handler)).toEqual(expect.arrayContaining(['get-status-list', 'issue-certificate']));
    expect(certificateSigners).toEqual(DEPLOYED.filter((r) => r.needs.sign));
    expect(signersWith(arnOf(accessTokenKeyId())).map((r) => r.handler)).toEqual(['oauth-token']);
  });

  it('no IAM policy in the stack has a wildcard action, and "*" is the resource of dynamodb:ListStreams alone', () => {
    const statements = idsOfType(template, 'AWS::IAM::Policy').flatMap(
      (id) => ((template.Resources[id] as CfnResource).Properties?.['PolicyDocument'] as { Statement: CfnStatement[] }).Statement,
    );
    expect(statements.length).toBeGreaterThan(0);
    const anyResource: string[] = [];
    for (const p of canonicalPermissions(statements)) {
      const [, action, , resource] = p.split(' ');
      expect(action, p).not.toContain('*');
      if (resource === '"*"') anyResource.push(p);
      expect(p).not.toMatch(/"arn:[^"]*\*/);
    }
    // ListStreams supports no resource-level permissions (IAM's Service Authorization Reference).
    expect(anyResource).toEqual([permission('Allow', 'dynamodb:ListStreams', '*')]);
  });

  it('the current key policy lets exactly the signing roles sign, ES256 over a digest only', () => {
    const signStatements = keyPolicyOf(currentKeyId).filter((s) => [s.Action].flat().includes('kms:Sign'));
    const principals = signStatements.map((s) => (s.Principal as { AWS: unknown }).AWS);
    const expected = DEPLOYED.filter((r) => r.needs.sign).map((r) => arnOf(roleIdOf(r)));
    expect(principals).toHaveLength(expected.length);
    expect(principals).toEqual(expect.arrayContaining(expected));
    for (const s of signStatements) {
      expect(s.Action).toBe('kms:Sign');
      expect(s.Condition).toEqual(SIGN_CONDITION);
    }
  });

  it('the account administers every signing key but cannot sign through IAM', () => {
    for (const keyId of [currentKeyId, retiredKeyId]) {
      const root = keyPolicyOf(keyId).filter((s) => JSON.stringify(s.Principal).includes(':root'));
      expect(root).toHaveLength(1);
      const actions = [root[0]?.Action].flat() as string[];
      expect(actions).toContain('kms:Put*');
      expect(actions).toContain('kms:Get*');
      expect(actions.some((a) => a === 'kms:*' || a === 'kms:Sign' || a === 'kms:Sign*' || a.startsWith('kms:S*'))).toBe(false);
    }
  });

  it('a retired key signs for nobody', () => {
    const statements = keyPolicyOf(retiredKeyId);
    expect(statements.some((s) => [s.Action].flat().some((a) => String(a).startsWith('kms:Sign')))).toBe(false);
  });
});

describe('functions', () => {
  it('one function per deployed route, nothing else', () => {
    // One per route, plus the transparency log's integrator.
    expect(idsOfType(template, 'AWS::Lambda::Function')).toHaveLength(DEPLOYED.length + 1);
  });

  it.each(DEPLOYED.map((r) => [r.handler, r] as const))('%s: nodejs24.x on arm64, with its limits and source maps', (_, route) => {
    const props = functionOf(route).Properties ?? {};
    expect(props['Runtime']).toBe('nodejs24.x');
    expect(props['Architectures']).toEqual(['arm64']);
    expect(props['Handler']).toBe('index.handler');
    expect(props['MemorySize']).toBe(1024);
    expect(props['Timeout']).toBe(10);
    // The map ships with the bundle and is read on the first stack trace (shared/app/lazy-source-maps.ts),
    // not at every cold start as --enable-source-maps would.
    expect(envOf(route)['NODE_OPTIONS']).toBeUndefined();
  });

  it.each(DEPLOYED.map((r) => [r.handler, r] as const))('%s: configured for the service', (_, route) => {
    const env = envOf(route);
    expect(env['DCC_SIGNER']).toBe('kms');
    expect(env['DCC_TABLE_NAME']).toEqual(ref(tableId));
    // The ARN, not the alias: a function keeps signing with the key it was deployed with even
    // while someone moves the alias, and IAM grants are scoped to that ARN.
    expect(env['DCC_KMS_KEY_ID']).toEqual(arnOf(currentKeyId));
    expect(env['POWERTOOLS_SERVICE_NAME']).toBe(`dcc-${STAGE}`);
    expect(env['POWERTOOLS_METRICS_NAMESPACE']).toBe('DataComplianceCertificates');
    expect(typeof env['DCC_ISSUER']).not.toBe('undefined');
    // Required by the configuration every function loads; the same origin the log signs under.
    const [, integrator] = onlyResource(template, 'AWS::Lambda::Function', (r) => r.Properties?.['FunctionName'] === `dcc-${STAGE}-log-integrator`);
    expect(env['DCC_LOG_ORIGIN']).toBe(`dcc-${STAGE}.dcc.invalid/log`);
    expect((integrator.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables['DCC_LOG_ORIGIN']).toBe(env['DCC_LOG_ORIGIN']);
    expect(env['DCC_PUBLIC_BASE_URL']).toEqual({ 'Fn::GetAtt': [onlyResource(template, 'AWS::ApiGatewayV2::Api')[0], 'ApiEndpoint'] });
    if (route.needs.publicKey) {
      expect(render(env['DCC_RETIRED_KMS_KEY_IDS'])).toBe(`<${retiredKeyId}.Arn>,${EXTERNAL_RETIRED_KEY}`);
    } else {
      expect(env['DCC_RETIRED_KMS_KEY_IDS']).toBeUndefined();
    }
  });

  it.each(DEPLOYED.map((r) => [r.handler, r] as const))('%s: logs to its own log group, with retention', (_, route) => {
    const logGroup = template.Resources[logGroupIdOf(route)] as CfnResource;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties?.['RetentionInDays']).toBe(30);
  });

  it('bundles are split ESM, each module with a source map and no banner, the AWS SDK inside, and run', async () => {
    const closedPort = await freeLoopbackPort();
    const bundles = DEPLOYED.map((route) => {
      const code = functionOf(route).Properties?.['Code'] as { S3Key: string };
      const dir = join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      return { route, dir, file: join(dir, 'index.mjs') };
    });
    // Every function has a bundle of its own, and the SDK's functions keep what a start-up never
    // runs (its credential providers at least) in chunks beside the entry.
    expect(new Set(bundles.map((b) => b.dir)).size).toBe(bundles.length);
    for (const { route, dir } of bundles) {
      if (route.handler !== 'verification-page') expect(readdirSync(dir).some((file) => file.startsWith('chunk-'))).toBe(true);
    }
    for (const { dir } of bundles) {
      const files = readdirSync(dir);
      const modules = files.filter((file) => file.endsWith('.mjs'));
      expect(modules).toContain('index.mjs');
      // Beside the entry only chunks: what a dynamic import reaches, and what those share with it.
      expect(modules.filter((file) => file !== 'index.mjs' && !/^chunk-[A-Z0-9]+\.mjs$/.test(file))).toEqual([]);
      // Nothing but the modules and their maps: no sources, no metafile, no dependencies.
      expect(files.filter((file) => !file.endsWith('.mjs') && !file.endsWith('.mjs.map'))).toEqual([]);
      for (const module of modules) {
        const source = readFileSync(join(dir, module), 'utf8');
        // No createRequire banner: it costs every module's start-up, and no bundle needs a require().
        expect(source).not.toMatch(/createRequire\(import\.meta\.url\)/);
        expect(source.trimEnd().endsWith(`//# sourceMappingURL=${module}.map`)).toBe(true);
        // An external SDK would remain as an import of the package.
        expect(source).not.toMatch(/from\s*"@aws-sdk\//);
        expect(JSON.parse(readFileSync(join(dir, `${module}.map`), 'utf8'))).not.toHaveProperty('sourcesContent');
      }
    }
    // Importing every bundle runs its cold start (configuration, clients). Then the JWKS
    // function answers one request with KMS pointed at a closed loopback port: the bundled SDK
    // must load its HTTP stack and the chain must turn the refused connection into a 503.
    const jwks = bundles.find((b) => b.route.handler === 'get-jwks');
    expect(jwks).toBeDefined();
    const event = { version: '2.0', routeKey: 'GET /.well-known/jwks.json', rawPath: '/.well-known/jwks.json', rawQueryString: '', headers: {}, isBase64Encoded: false, requestContext: { http: { method: 'GET', path: '/.well-known/jwks.json' }, requestId: 'r1' } };
    const context = "{ functionName: 'get-jwks', awsRequestId: 'r1', getRemainingTimeInMillis: () => 10000 }";
    const script = [
      `for (const f of ${JSON.stringify(bundles.map((b) => b.file))}) {`,
      `  const m = await import(f); if (typeof m.handler !== 'function') throw new Error('no handler in ' + f);`,
      `}`,
      `const { handler } = await import(${JSON.stringify(jwks?.file)});`,
      `const res = await handler(${JSON.stringify(event)}, ${context});`,
      `console.log(JSON.stringify({ status: res.statusCode, body: JSON.parse(res.body) }));`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: {
        PATH: process.env['PATH'],
        AWS_REGION: 'cn-north-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${closedPort}`,
        POWERTOOLS_LOG_LEVEL: 'CRITICAL',
        DCC_TABLE_NAME: 'dcc-qa-certificates',
        DCC_KMS_KEY_ID: 'arn:aws-cn:kms:cn-north-1:123456789012:key/11111111-2222-3333-4444-555555555555',
        DCC_ISSUER: 'https://dcc.example.gov.cn',
        DCC_PUBLIC_BASE_URL: 'https://dcc.example.gov.cn',
        DCC_LOG_ORIGIN: 'dcc.example.gov.cn/log',
      },
      timeout: 90_000,
    });
    expect(run.stderr).not.toMatch(/Dynamic require/);
    const answer = JSON.parse(run.stdout.trim().split('\n').pop() ?? 'null') as { status: number; body: { code: string } };
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('service-unavailable');
    expect(run.status).toBe(0);
  });
});

describe('HTTP API', () => {
  const routeResource = (route: RouteDefinition): CfnResource =>
    onlyResource(template, 'AWS::ApiGatewayV2::Route', (r) => r.Properties?.['RouteKey'] === routeKey(route))[1];

  it('has exactly the routes of the routes table', () => {
    const keys = idsOfType(template, 'AWS::ApiGatewayV2::Route').map(
      (id) => (template.Resources[id] as CfnResource).Properties?.['RouteKey'],
    );
    expect(keys.sort()).toEqual(DEPLOYED.map((r) => routeKey(r)).sort());
  });

  it.each(DEPLOYED.map((r) => [routeKey(r), r] as const))('%s: authorizer and scopes as the routes table says', (_, route) => {
    const props = routeResource(route).Properties ?? {};
    if (route.auth === 'public') {
      expect(props['AuthorizationType']).toBe('NONE');
      expect(props['AuthorizerId']).toBeUndefined();
      expect(props['AuthorizationScopes']).toBeUndefined();
    } else {
      expect(props['AuthorizationType']).toBe('JWT');
      expect(props['AuthorizerId']).toEqual(ref(onlyResource(template, 'AWS::ApiGatewayV2::Authorizer')[0]));
      expect(props['AuthorizationScopes']).toEqual([...route.auth.anyScope]);
    }
    // The route reaches its own function.
    const target = props['Target'] as { 'Fn::Join': [string, [string, { Ref: string }]] };
    expect(target['Fn::Join'][1][0]).toBe('integrations/');
    const integration = template.Resources[target['Fn::Join'][1][1].Ref] as CfnResource;
    expect(integration.Properties?.['IntegrationUri']).toEqual(arnOf(functionIdOf(route)));
    expect(integration.Properties?.['PayloadFormatVersion']).toBe('2.0');
  });

  it('the JWT authorizer trusts the API itself as issuer and exactly one audience', () => {
    const [, authorizer] = onlyResource(template, 'AWS::ApiGatewayV2::Authorizer');
    const config = authorizer.Properties?.['JwtConfiguration'] as { Audience: unknown[]; Issuer: unknown };
    // The issuer is the public base URL, which without a custom domain is the API's endpoint.
    expect(config.Issuer).toEqual(template.Outputs?.['PublicBaseUrl']?.Value);
    expect(JSON.stringify(config.Issuer)).toContain('ApiEndpoint');
    expect(config.Audience).toEqual([ACCESS_TOKEN_AUDIENCE]);
    expect(authorizer.Properties?.['IdentitySource']).toEqual(['$request.header.Authorization']);
  });

  it('the default stage is throttled and writes JSON access logs without credentials', () => {
    const [, stage] = onlyResource(template, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties?.['StageName']).toBe('$default');
    expect(stage.Properties?.['AutoDeploy']).toBe(true);
    expect(stage.Properties?.['DefaultRouteSettings']).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    const settings = stage.Properties?.['AccessLogSettings'] as { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
    const sample = settings.Format.replace(/\$context\.[A-Za-z.]+/g, (m) => (m === '$context.status' || m === '$context.responseLatency' ? '200' : 'x'));
    const line = JSON.parse(sample) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(expect.arrayContaining(['requestId', 'ip', 'routeKey', 'status', 'latency']));
    expect(settings.Format).toContain('"requestId":"$context.requestId"');
    expect(settings.Format).toContain('"ip":"$context.identity.sourceIp"');
    expect(settings.Format).toContain('"routeKey":"$context.routeKey"');
    expect(settings.Format).toContain('"status":$context.status');
    expect(settings.Format).toContain('"latency":$context.responseLatency');
    expect(settings.Format.toLowerCase()).not.toMatch(/authorization|\$request\.header|\$context\.authorizer\.token/);
    const accessLogs = template.Resources[settings.DestinationArn['Fn::GetAtt'][0]] as CfnResource;
    expect(accessLogs.Type).toBe('AWS::Logs::LogGroup');
    expect(accessLogs.Properties?.['RetentionInDays']).toBe(30);
  });

  it('has no custom domain unless one is configured; status list URLs use the API URL', () => {
    for (const type of ['AWS::ApiGatewayV2::DomainName', 'AWS::ApiGatewayV2::ApiMapping', 'AWS::CertificateManager::Certificate', 'AWS::Route53::RecordSet']) {
      expect(idsOfType(template, type), type).toEqual([]);
    }
    expect(template.Outputs?.['CustomDomainTarget']).toBeUndefined();
  });

  it('has no CORS configuration', () => {
    const [, api] = onlyResource(template, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties?.['CorsConfiguration']).toBeUndefined();
  });
});

describe('machine-client authentication (no Cognito)', () => {
  it('has no Cognito resource and nothing per exchange: clients live in the table', () => {
    expect(Object.values(template.Resources).filter((r) => r.Type.startsWith('AWS::Cognito::'))).toEqual([]);
    // Nothing in the template is named after an exchange or a client: registering one is a table write.
    for (const [id, resource] of Object.entries(template.Resources)) {
      expect(`${id} ${JSON.stringify(resource.Properties ?? {})}`).not.toMatch(/demo-exchange|hz-sde|UserPoolClient/);
    }
    expect(Object.keys(template.Outputs ?? {}).filter((name) => /ClientId|UserPool/.test(name))).toEqual([]);
  });

  it('a KMS RSA_2048 SIGN_VERIFY key signs access tokens; only the token function may sign, RS256 over a digest', () => {
    const keyId = accessTokenKeyId();
    const key = template.Resources[keyId] as CfnResource;
    expect(key.Properties?.['KeyUsage']).toBe('SIGN_VERIFY');
    const statements = (key.Properties?.['KeyPolicy'] as { Statement: CfnStatement[] }).Statement;
    const signers = statements.filter((st) => [st.Action].flat().includes('kms:Sign'));
    expect(signers).toHaveLength(1);
    expect(signers[0]?.Principal).toEqual({ AWS: arnOf(roleIdOf(routeOf('oauth-token'))) });
    expect(signers[0]?.Condition).toEqual({
      StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_256', 'kms:MessageType': 'DIGEST' },
    });
    for (const handler of ['oauth-token', 'oauth-jwks']) {
      expect(envOf(routeOf(handler))['DCC_ACCESS_TOKEN_KMS_KEY_ID'], handler).toEqual(arnOf(keyId));
    }
    expect(template.Outputs?.['AccessTokenKeyArn']?.Value).toEqual(arnOf(keyId));
  });

  it('the token, discovery and access-token JWKS routes are public; the registration routes are admin-only', () => {
    for (const key of ['POST /oauth2/token', 'GET /.well-known/openid-configuration', 'GET /oauth2/jwks.json']) {
      expect(DEPLOYED.find((r) => routeKey(r) === key)?.auth, key).toBe('public');
    }
    for (const key of ['PUT /v1/exchanges/{exchangeId}', 'GET /v1/exchanges/{exchangeId}', 'PUT /v1/clients/{clientId}']) {
      expect(DEPLOYED.find((r) => routeKey(r) === key)?.auth, key).toEqual({ anyScope: ['dcc/revoke'] });
    }
    expect(JSON.stringify(template.Outputs?.['TokenEndpoint']?.Value)).toContain('/oauth2/token');
    expect(JSON.stringify(template.Outputs?.['OpenIdConfiguration']?.Value)).toContain('/.well-known/openid-configuration');
  });

  it('the table expires only assertion jti items (its TTL attribute)', () => {
    const table = template.Resources[tableId] as CfnResource;
    expect(table.Properties?.['TimeToLiveSpecification']).toEqual({ AttributeName: 'jtiExpiresAt', Enabled: true });
  });
});

describe('data and keys are kept', () => {
  it('the retained table has no fixed name, so a deploy after `cdk destroy` does not collide with it', () => {
    const table = template.Resources[tableId] as CfnResource;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties?.['TableName']).toBeUndefined();
    // Everything that needs the name gets the generated one: functions and the output.
    expect(template.Outputs?.['TableName']?.Value).toEqual(ref(tableId));
  });

  it('no retained resource has a fixed physical name, and the fixed alias name is not retained', () => {
    // Names that must be unique in the account and region.
    const nameProperties = ['TableName', 'AliasName', 'TopicName', 'FunctionName', 'LogGroupName', 'AlarmName'];
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.DeletionPolicy !== 'Retain') continue;
      for (const property of nameProperties) expect(resource.Properties?.[property], `${id}.${property}`).toBeUndefined();
    }
    // CloudFormation deletes the alias with the stack, so a new stack can take the name again
    // for its own key, while the retained key stays reachable by its ARN.
    const [, alias] = onlyResource(template, 'AWS::KMS::Alias');
    expect(alias.DeletionPolicy).toBeUndefined();
    expect(alias.UpdateReplacePolicy).toBeUndefined();
  });

  it('the table: key schema from the shared definition, on demand, PITR, deletion protection, retained', () => {
    const table = template.Resources[tableId] as CfnResource;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    const props = table.Properties ?? {};
    expect(props['KeySchema']).toEqual([
      { AttributeName: TABLE_DEFINITION.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE_DEFINITION.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(props['BillingMode']).toBe('PAY_PER_REQUEST');
    expect((props['GlobalSecondaryIndexes'] as { IndexName: string }[]).map((i) => i.IndexName)).toEqual(
      TABLE_DEFINITION.globalSecondaryIndexes.map((i) => i.indexName),
    );
    const [replica] = props['Replicas'] as Record<string, unknown>[];
    expect(replica?.['DeletionProtectionEnabled']).toBe(true);
    expect(replica?.['PointInTimeRecoverySpecification']).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(props['SSESpecification']).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(props['StreamSpecification']).toEqual({ StreamViewType: 'NEW_IMAGE' });
    // Only the token endpoint's jti items carry the TTL attribute (the machine-client block checks it).
    expect(props['TimeToLiveSpecification']).toEqual({ AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true });
  });

  it('every signing key generation is a retained P-256 signing key', () => {
    for (const keyId of [currentKeyId, retiredKeyId]) {
      const key = template.Resources[keyId] as CfnResource;
      expect(key.Properties?.['KeySpec']).toBe('ECC_NIST_P256');
      expect(key.Properties?.['KeyUsage']).toBe('SIGN_VERIFY');
      expect(key.DeletionPolicy).toBe('Retain');
      expect(key.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('the alias points at the current key', () => {
    const [, alias] = onlyResource(template, 'AWS::KMS::Alias');
    expect(alias.Properties).toEqual({ AliasName: `alias/dcc-${STAGE}-certificate-signing`, TargetKeyId: arnOf(currentKeyId) });
  });
});

describe('operations', () => {
  const alarms = (): CfnResource[] => idsOfType(template, 'AWS::CloudWatch::Alarm').map((id) => template.Resources[id] as CfnResource);
  const topicRef = (): unknown => ref(onlyResource(template, 'AWS::SNS::Topic')[0]);

  const topicId = (): string => onlyResource(template, 'AWS::SNS::Topic')[0];
  const sourceArnPattern = `arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:dcc-${STAGE}-*`;
  /** Renders a statement's conditions with intrinsics as strings. */
  const renderedConditions = (condition: unknown): Record<string, Record<string, string>> =>
    Object.fromEntries(
      Object.entries(condition as Record<string, Record<string, unknown>>).map(([op, keys]) => [
        op,
        Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, render(v)])),
      ]),
    );
  const ownAlarmsOnly = { StringEquals: { 'aws:SourceAccount': '<AWS::AccountId>' }, ArnLike: { 'aws:SourceArn': sourceArnPattern } };

  it('the topic policy lets CloudWatch publish for this stack\'s alarms only, and still refuses plain HTTP', () => {
    const [, policy] = onlyResource(template, 'AWS::SNS::TopicPolicy');
    expect(policy.Properties?.['Topics']).toEqual([ref(topicId())]);
    const statements = (policy.Properties?.['PolicyDocument'] as { Statement: CfnStatement[] }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    // Before: only the Deny of enforceSSL, so CloudWatch could not publish at all.
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' }, Resource: ref(topicId()) });
    expect(renderedConditions(allows[0]?.Condition)).toEqual(ownAlarmsOnly);
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies).toHaveLength(1);
    expect(denies[0]?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('the topic key lets CloudWatch encrypt notifications, under the same conditions', () => {
    const [, topic] = onlyResource(template, 'AWS::SNS::Topic');
    const keyId = (topic.Properties?.['KmsMasterKeyId'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = keyPolicyOf(keyId).filter((s) => JSON.stringify(s.Principal).includes('cloudwatch'));
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect([statements[0]?.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(renderedConditions(statements[0]?.Condition)).toEqual(ownAlarmsOnly);
  });

  it('every alarm of the stack has a name the topic\'s SourceArn condition admits', () => {
    const admitted = new RegExp(`^${sourceArnPattern.slice(sourceArnPattern.lastIndexOf(':') + 1).replace('*', '.*')}$`);
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) {
      const name = alarm.Properties?.['AlarmName'];
      expect(typeof name, JSON.stringify(alarm.Properties?.['AlarmDescription'])).toBe('string');
      expect(name as string).toMatch(admitted);
    }
  });

  it('every alarm notifies the encrypted alarm topic', () => {
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) expect(alarm.Properties?.['AlarmActions']).toEqual([topicRef()]);
    const [, topic] = onlyResource(template, 'AWS::SNS::Topic');
    expect(topic.Properties?.['KmsMasterKeyId']).toBeDefined();
  });

  it.each(DEPLOYED.map((r) => [r.handler, r] as const))('%s: alarms on errors and throttles', (_, route) => {
    for (const metric of ['Errors', 'Throttles']) {
      const found = alarms().filter(
        (a) =>
          a.Properties?.['Namespace'] === 'AWS/Lambda' &&
          a.Properties?.['MetricName'] === metric &&
          JSON.stringify(a.Properties?.['Dimensions']) === JSON.stringify([{ Name: 'FunctionName', Value: ref(functionIdOf(route)) }]),
      );
      expect(found, metric).toHaveLength(1);
    }
  });

  it('alarms on the API 5xx rate and on throttled requests', () => {
    const [apiId] = onlyResource(template, 'AWS::ApiGatewayV2::Api');
    const rate = alarms().find((a) => JSON.stringify(a.Properties?.['Metrics'] ?? []).includes('"MetricName":"5xx"'));
    expect(JSON.stringify(rate?.Properties?.['Metrics'])).toContain(JSON.stringify({ Name: 'ApiId', Value: ref(apiId) }));
    const throttled = alarms().find((a) => a.Properties?.['MetricName'] === 'ApiThrottledRequests');
    expect(throttled?.Properties?.['Dimensions']).toEqual([{ Name: 'service', Value: `dcc-${STAGE}` }]);
  });

  it('counts KMS sign failures in the logs of exactly the signing functions, and alarms on them', () => {
    const filters = idsOfType(template, 'AWS::Logs::MetricFilter')
      .map((id) => template.Resources[id] as CfnResource)
      .filter((f) => (f.Properties?.['MetricTransformations'] as { MetricName: string }[])[0]?.MetricName === 'KmsSignFailures');
    const logGroups = filters.map((f) => (f.Properties?.['LogGroupName'] as { Ref: string }).Ref).sort();
    expect(logGroups).toEqual(DEPLOYED.filter((r) => r.needs.sign).map(logGroupIdOf).sort());
    expect(alarms().filter((a) => a.Properties?.['MetricName'] === 'KmsSignFailures')).toHaveLength(1);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only the public routes (APIG4) and ListStreams on "*" (IAM5), each with a reason', () => {
    const acknowledged: { path: string; id: string; reason: string }[] = [];
    const walk = (c: IConstruct): void => {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledged.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
        }
      }
      c.node.children.forEach(walk);
    };
    walk(stack);
    const publicRoutes = DEPLOYED.filter((r) => r.auth === 'public');
    expect(acknowledged.map((a) => a.id).sort()).toEqual(
      [...publicRoutes.map(() => 'AwsSolutions-APIG4'), 'AwsSolutions-IAM5[Resource::*]'].sort(),
    );
    // The IAM5 acknowledgement sits on the policy that holds ListStreams and nothing else.
    const iam5 = acknowledged.find((a) => a.id.startsWith('AwsSolutions-IAM5')) as { path: string };
    const policy = stack.node.findAll().find((c) => c.node.path === iam5.path) as IConstruct;
    const held = policy.node.findAll().flatMap((c) => (c instanceof CfnPolicy ? [c] : []));
    expect(held).toHaveLength(1);
    expect(stack.resolve((held[0] as CfnPolicy).policyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' }],
    });
    for (const a of acknowledged) expect(a.reason.length, a.path).toBeGreaterThan(60);
    for (const route of publicRoutes) {
      expect(acknowledged.some((a) => a.id === 'AwsSolutions-APIG4' && a.reason.startsWith(routeKey(route)))).toBe(true);
    }
  });
});

describe('transparency log', () => {
  const LOG_SIGN_CONDITION = { StringEquals: { 'kms:SigningAlgorithm': 'ED25519_SHA_512', 'kms:MessageType': 'RAW' } };
  const integrator = () => onlyResource(template, 'AWS::Lambda::Function', (r) => r.Properties?.['FunctionName'] === `dcc-${STAGE}-log-integrator`);
  const logKeyId = () => onlyResource(template, 'AWS::KMS::Key', (r) => r.Properties?.['KeySpec'] === 'ECC_NIST_EDWARDS25519')[0];
  const integratorRoleId = () => ((integrator()[1].Properties?.['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);

  it('has a retained Ed25519 log key that only the integrator may sign with, RAW Ed25519 only', () => {
    const key = template.Resources[logKeyId()] as CfnResource;
    expect(key.Properties?.['KeyUsage']).toBe('SIGN_VERIFY');
    expect(key.DeletionPolicy).toBe('Retain');
    const sign = keyPolicyOf(logKeyId()).filter((s) => [s.Action].flat().some((a) => String(a).startsWith('kms:Sign')));
    expect(sign).toHaveLength(1);
    expect(sign[0]).toMatchObject({ Action: 'kms:Sign', Principal: { AWS: arnOf(integratorRoleId()) }, Condition: LOG_SIGN_CONDITION });
  });

  it('the integrator role allows exactly what integrating needs', () => {
    const [, fn] = integrator();
    const logGroup = arnOf(((fn.Properties?.['LoggingConfig'] as { LogGroup: { Ref: string } }).LogGroup).Ref);
    const table = arnOf(tableId);
    const outbox = { 'Fn::Join': ['', [table, '/index/outbox']] };
    const stream = { 'Fn::GetAtt': [tableId, 'StreamArn'] };
    const key = arnOf(logKeyId());
    const expected = [
      permission('Allow', 'logs:CreateLogStream', logGroup),
      permission('Allow', 'logs:PutLogEvents', logGroup),
      ...TABLE_READ_WRITE.flatMap((a) => [permission('Allow', a, table), permission('Allow', a, outbox)]),
      permission('Allow', 'dynamodb:BatchGetItem', table),
      ...['DescribeStream', 'GetRecords', 'GetShardIterator'].map((a) => permission('Allow', `dynamodb:${a}`, stream)),
      // The one "*": ListStreams has no resource-level permissions (see the next test).
      permission('Allow', 'dynamodb:ListStreams', '*'),
      permission('Allow', 'kms:GetPublicKey', key),
      permission('Allow', 'kms:Sign', key, LOG_SIGN_CONDITION),
    ].sort();
    expect(permissionsOfRole(template, integratorRoleId())).toEqual(expected);
  });

  it('no route function may sign with or read the log key', () => {
    for (const route of DEPLOYED) {
      expect(permissionsOfRole(template, roleIdOf(route)).some((p) => p.includes(logKeyId())), route.handler).toBe(false);
    }
  });

  it('reserves no concurrency by default (the head\'s conditional write keeps concurrent runs from forking), fed by pending outbox records and a schedule, with a lag alarm', () => {
    const [id, fn] = integrator();
    // Reserving 1 fails the whole deployment in an account with a concurrency quota under 101.
    expect(fn.Properties?.['ReservedConcurrentExecutions']).toBeUndefined();
    const env = (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(env['DCC_LOG_KMS_KEY_ID']).toEqual(arnOf(logKeyId()));
    expect(env['DCC_LOG_SIGNER']).toBe('kms');
    expect(typeof env['DCC_LOG_ORIGIN']).toBe('string');
    const [, mapping] = onlyResource(template, 'AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties?.['EventSourceArn']).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    expect(JSON.stringify(mapping.Properties?.['FilterCriteria'])).toContain('outboxPk');
    const [, rule] = onlyResource(template, 'AWS::Events::Rule');
    expect(rule.Properties?.['ScheduleExpression']).toBe('rate(1 minute)');
    const lag = idsOfType(template, 'AWS::CloudWatch::Alarm')
      .map((a) => template.Resources[a] as CfnResource)
      .find((a) => a.Properties?.['MetricName'] === 'IteratorAge');
    expect(lag?.Properties?.['Dimensions']).toEqual([{ Name: 'FunctionName', Value: ref(id) }]);
  });
});
