import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#shared/http/routes.ts';
import type { CfnResource, CfnTemplate } from './support/template.ts';
import { withoutEnclosingNpxCall } from './support/npx-env.ts';
import { cdkJsonContext, idsOfType } from './support/template.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DEPLOYED_ROUTES = routes.length;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  outdir: string;
}

const outdirs: string[] = [];

/**
 * Runs the app entry of `cdk.json` the way the CDK CLI does: a child process with the output
 * directory and the context in the environment. Bundling is skipped here (context
 * `aws:cdk:bundling-stacks: []`); stack.test.ts synthesizes with real bundling.
 */
function runApp(context: Record<string, unknown>): Promise<Run> {
  const outdir = mkdtempSync(join(tmpdir(), 'dcc-app-'));
  outdirs.push(outdir);
  const [command, ...args] = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { app: string }).app.split(' ');
  return new Promise((done, fail) => {
    const child = spawn(command as string, args, {
      cwd: ROOT,
      env: {
        ...withoutEnclosingNpxCall(process.env),
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(ROOT), 'aws:cdk:bundling-stacks': [], ...context }),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr, outdir }));
  });
}

interface Manifest {
  artifacts: Record<string, { type: string; properties?: { templateFile?: string; terminationProtection?: boolean } }>;
}

function manifestOf(run: Run): Manifest {
  return JSON.parse(readFileSync(join(run.outdir, 'manifest.json'), 'utf8')) as Manifest;
}

function templateOf(run: Run, stackName: string): CfnTemplate {
  return JSON.parse(readFileSync(join(run.outdir, `${stackName}.template.json`), 'utf8')) as CfnTemplate;
}

describe('cdk.json', () => {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };

  it('runs infra/app.ts with tsx', () => {
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
  });

  it('sets every feature flag `cdk init` sets for this CDK version, to the same value', () => {
    const recommended = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/aws-cdk/lib/init-templates/.recommended-feature-flags.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(Object.keys(recommended).length).toBeGreaterThan(50);
    for (const [flag, value] of Object.entries(recommended)) expect(cdkJson.context[flag], flag).toEqual(value);
  });

  it('defaults to the dev stage with one signing key generation, and no reserved concurrency for the log integrator', () => {
    expect(cdkJson.context['stage']).toBe('dev');
    expect(cdkJson.context['signingKeyGenerations']).toEqual([1]);
    // Reserving any concurrency fails the deployment in an account whose quota is under 101.
    expect(cdkJson.context['logIntegratorReservedConcurrency']).toBe(false);
  });
});

describe('the app entry (npm run synth)', () => {
  let dev: Run;
  let prod: Run;
  let broken: Run;

  beforeAll(async () => {
    [dev, prod, broken] = await Promise.all([
      runApp({}),
      runApp({ stage: 'prod', alarmEmail: 'ops@example.gov.cn' }),
      runApp({ stage: 'Prod!' }),
    ]);
  }, 180_000);

  afterAll(() => {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });

  it('synthesizes the dev stack, environment-agnostic and cdk-nag clean', () => {
    expect(dev.stderr).not.toMatch(/AwsSolutions-|ValidationFailed/);
    expect(dev.code).toBe(0);
    const manifest = manifestOf(dev);
    const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
    expect(stacks.map(([name]) => name)).toEqual(['DataComplianceCertificates-dev']);
    expect((stacks[0]?.[1] as { environment?: string }).environment).toBe('aws://unknown-account/unknown-region');
    expect(stacks[0]?.[1].properties?.terminationProtection).toBeFalsy();
    const template = templateOf(dev, 'DataComplianceCertificates-dev');
    // One per route, and the transparency log's integrator.
    expect(idsOfType(template, 'AWS::Lambda::Function')).toHaveLength(DEPLOYED_ROUTES + 1);
    // No Cognito (not offered in the China regions): the service is its own token issuer.
    expect(Object.values(template.Resources).filter((r) => r.Type.startsWith('AWS::Cognito::'))).toEqual([]);
  });

  it('prod keeps more: a year of logs, retained log groups and keys, termination protection', () => {
    expect(prod.code).toBe(0);
    const manifest = manifestOf(prod);
    expect(manifest.artifacts['DataComplianceCertificates-prod']?.properties?.terminationProtection).toBe(true);
    const template = templateOf(prod, 'DataComplianceCertificates-prod');
    const logGroups = idsOfType(template, 'AWS::Logs::LogGroup').map((id) => template.Resources[id] as CfnResource);
    // One per function (the routes' and the log integrator's), and the API's access log.
    expect(logGroups.length).toBe(DEPLOYED_ROUTES + 2);
    for (const group of logGroups) {
      expect(group.Properties?.['RetentionInDays']).toBe(365);
      expect(group.DeletionPolicy).toBe('Retain');
    }
    const accessTokenKey = Object.values(template.Resources).find((r) => r.Type === 'AWS::KMS::Key' && r.Properties?.['KeySpec'] === 'RSA_2048');
    expect(accessTokenKey?.DeletionPolicy).toBe('Retain');
    const subscription = Object.values(template.Resources).find((r) => r.Type === 'AWS::SNS::Subscription');
    expect(subscription?.Properties?.['Endpoint']).toBe('ops@example.gov.cn');
    const stage = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
    expect(stage?.Properties?.['DefaultRouteSettings']).toEqual({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
  });

  it('refuses a malformed stage name before building anything', () => {
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain('context "stage"');
    expect(existsSync(join(broken.outdir, 'manifest.json'))).toBe(false);
  });
});
