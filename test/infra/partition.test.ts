import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { resolveStageConfig } from '../../infra/config.ts';
import type { DccStack } from '../../infra/stack.ts';
import { type CfnResource, type CfnTemplate, cdkJsonContext, idsOfType, onlyResource } from './support/template.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** The stack of `npm run synth` for a target region (none: environment-agnostic), without bundling. */
function synth(region: string | undefined, context: Record<string, unknown> = {}): { stack: DccStack; template: CfnTemplate } {
  const app = new App({
    context: { ...cdkJsonContext(ROOT), 'aws:cdk:bundling-stacks': [], stage: 'qa', ...(region ? { region } : {}), ...context },
  });
  const { stack } = buildApp(app);
  return { stack, template: Template.fromStack(stack).toJSON() as CfnTemplate };
}

const ofType = (template: CfnTemplate, type: string): CfnResource[] => idsOfType(template, type).map((id) => template.Resources[id] as CfnResource);

function logKeyOf(template: CfnTemplate): CfnResource {
  return onlyResource(template, 'AWS::KMS::Key', (r) => String(r.Properties?.['Description']).includes('checkpoint signing key'))[1];
}

function integratorOf(template: CfnTemplate): CfnResource {
  return onlyResource(template, 'AWS::Lambda::Function', (r) => r.Properties?.['FunctionName'] === 'dcc-qa-log-integrator')[1];
}

/** Every string in the template, intrinsics included. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** Statements of a key's policy that grant kms:Sign. */
function signStatements(key: CfnResource): { Condition?: unknown }[] {
  const statements = (key.Properties?.['KeyPolicy'] as { Statement: { Action: string | string[]; Condition?: unknown }[] }).Statement;
  return statements.filter((s) => [s.Action].flat().includes('kms:Sign'));
}

describe.each([
  ['cn-north-1', 'aws-cn'],
  ['cn-northwest-1', 'aws-cn'],
  ['us-east-1', 'aws'],
] as const)('the stack for %s', (region, partition) => {
  let stack: DccStack;
  let template: CfnTemplate;
  const china = partition === 'aws-cn';
  beforeAll(() => {
    // CDK validates the resource types against the region here: a type China lacks fails the synth.
    ({ stack, template } = synth(region));
  }, 120_000);

  it(`is pinned to ${region} in the ${partition} partition, and cdk-nag clean`, () => {
    expect(stack.region).toBe(region);
    expect(stack.partition).toBe(partition);
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it(`names its own partition in every ARN and never the other one`, () => {
    // A literal partition, or `arn:` joined with the AWS::Partition pseudo parameter.
    const literal = strings(template).flatMap((s) => /^arn:([a-z-]+):/.exec(s)?.[1] ?? []);
    expect(literal.length).toBeGreaterThan(10);
    expect(new Set(literal)).toEqual(new Set([partition]));
  });

  it('uses the service principals that are the same in both partitions', () => {
    const principals = new Set(
      [...ofType(template, 'AWS::IAM::Role').flatMap((r) => strings(r.Properties?.['AssumeRolePolicyDocument'])),
        ...ofType(template, 'AWS::Lambda::Permission').flatMap((r) => strings(r.Properties?.['Principal']))].filter((s) => s.includes('amazonaws')),
    );
    expect([...principals].sort()).toEqual(['apigateway.amazonaws.com', 'events.amazonaws.com', 'lambda.amazonaws.com']);
  });

  it(china ? 'signs checkpoints with a P-256 key (RFC 6962 tree head signatures)' : 'signs checkpoints with an Ed25519 key', () => {
    const key = logKeyOf(template);
    expect(key.Properties?.['KeySpec']).toBe(china ? 'ECC_NIST_P256' : 'ECC_NIST_EDWARDS25519');
    const condition = china
      ? { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' } }
      : { StringEquals: { 'kms:SigningAlgorithm': 'ED25519_SHA_512', 'kms:MessageType': 'RAW' } };
    expect(signStatements(key).map((s) => s.Condition)).toEqual([condition]);
    const env = (integratorOf(template).Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(env['DCC_LOG_SIGNATURE']).toBe(china ? 'rfc6962' : 'ed25519');
  });

  it(china ? 'leaves the stream mapping untagged (no event source mapping tags in China)' : 'tags the stream mapping like everything else', () => {
    const [mapping] = ofType(template, 'AWS::Lambda::EventSourceMapping');
    expect(mapping?.Properties?.['Tags']).toEqual(china ? undefined : expect.arrayContaining([{ Key: 'stage', Value: 'qa' }]));
    for (const fn of ofType(template, 'AWS::Lambda::Function')) expect(fn.Properties?.['Tags']).toContainEqual({ Key: 'stage', Value: 'qa' });
  });

  it('runs Node.js 24 on arm64, and refers to no Cognito resource', () => {
    for (const fn of ofType(template, 'AWS::Lambda::Function')) {
      expect(fn.Properties?.['Runtime']).toBe('nodejs24.x');
      expect(fn.Properties?.['Architectures']).toEqual(['arm64']);
    }
    expect(Object.values(template.Resources).filter((r) => r.Type.startsWith('AWS::Cognito::'))).toEqual([]);
  });

  it('carries no partition rule (the pinned region already fixes the partition)', () => {
    expect(Object.keys((template as { Rules?: object }).Rules ?? {})).not.toContain('GlobalPartitionOnly');
  });
});

describe('the environment-agnostic stack (no region given)', () => {
  let stack: DccStack;
  let template: CfnTemplate;
  beforeAll(() => {
    ({ stack, template } = synth(undefined));
  }, 120_000);

  it('is the global flavour, with partition pseudo parameters in its ARNs and a rule refusing other partitions', () => {
    expect(stack.region).toMatch(/^\$\{Token/);
    expect(logKeyOf(template).Properties?.['KeySpec']).toBe('ECC_NIST_EDWARDS25519');
    expect(strings(template).filter((s) => /^arn:aws/.test(s))).toEqual([]);
    const rule = (template as { Rules?: Record<string, { Assertions: { Assert: unknown }[] }> }).Rules?.['GlobalPartitionOnly'];
    expect(rule?.Assertions[0]?.Assert).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Partition' }, 'aws'] });
  });
});

describe('choosing the target', () => {
  it('takes the region from -c region, else from CDK_DEFAULT_REGION, and the partition from the region', () => {
    const app = new App({ context: { region: 'cn-north-1' } });
    expect(resolveStageConfig(app.node, { CDK_DEFAULT_REGION: 'us-west-2' })).toMatchObject({ region: 'cn-north-1', partition: 'aws-cn', logSignature: 'rfc6962' });
    expect(resolveStageConfig(new App().node, { CDK_DEFAULT_REGION: 'cn-northwest-1' })).toMatchObject({ region: 'cn-northwest-1', partition: 'aws-cn' });
    expect(resolveStageConfig(new App().node, {})).toMatchObject({ region: undefined, partition: 'aws', logSignature: 'ed25519' });
    expect(() => resolveStageConfig(new App({ context: { region: 'CN north' } }).node, {})).toThrow(/context "region"/);
  });

  it('lets the operator override the checkpoint signature and the architecture', () => {
    const { template } = synth('eu-west-1', { logSignature: 'rfc6962', lambdaArchitecture: 'x86_64' });
    expect(logKeyOf(template).Properties?.['KeySpec']).toBe('ECC_NIST_P256');
    for (const fn of ofType(template, 'AWS::Lambda::Function')) expect(fn.Properties?.['Architectures']).toEqual(['x86_64']);
    expect(() => synth('eu-west-1', { logSignature: 'ecdsa' })).toThrow(/logSignature/);
  });
});
