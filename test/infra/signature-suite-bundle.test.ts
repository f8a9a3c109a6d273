import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiFunction } from '../../infra/constructs/api-function.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** A string only `shared/crypto/sm2.ts` holds: present exactly when a bundle carries the SM2 suite. */
const SM2_MODULE_MARK = 'the distinguishing ID is longer than 8191 bytes';

let outdir: string;
const bundles: Record<'es256' | 'sm2' | 'unset', string> = { es256: '', sm2: '', unset: '' };

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'dcc-suite-bundle-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'SuiteBundles', { env: { region: 'cn-north-1', account: '123456789012' } });
  // The verifier: it checks certificates of every key of its stage, so it is the function that
  // would need the SM2 code if any key of the stage were an SM2 key.
  const functions = Object.fromEntries(
    (['es256', 'sm2', 'unset'] as const).map((suite) => [
      suite,
      new ApiFunction(stack, `Verify${suite}`, {
        entry: join(ROOT, 'functions/verify-certificate.ts'),
        functionName: `dcc-suite-${suite}-verify-certificate`,
        environment: { DCC_TABLE_NAME: 't', DCC_ISSUER: 'https://dcc.example.gov.cn', DCC_PUBLIC_BASE_URL: 'https://dcc.example.gov.cn', DCC_LOG_ORIGIN: 'dcc.example.gov.cn/log' },
        projectRoot: ROOT,
        ...(suite === 'unset' ? {} : { signatureSuite: suite }),
      }),
    ]),
  );
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Properties?: { Code?: { S3Key?: string } } }> };
  for (const [suite, fn] of Object.entries(functions)) {
    const key = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)]?.Properties?.Code?.S3Key ?? '';
    // Every module of the bundle, the chunks loaded on demand included.
    const asset = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    const modules = readdirSync(asset).filter((file) => file.endsWith('.mjs'));
    expect(modules).toContain('index.mjs');
    bundles[suite as keyof typeof bundles] = modules.map((file) => readFileSync(join(asset, file), 'utf8')).join('\n');
  }
}, 120_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('a function bundle and its stage signature suite', () => {
  it('an ES256 stage leaves the SM2 suite out of every module of the bundle', () => {
    expect(bundles.es256).not.toContain(SM2_MODULE_MARK);
    // What stands in for it says why, should anything reach for it.
    expect(bundles.es256).toContain('this build leaves out the SM2 suite');
    expect(bundles.es256.length).toBeLessThan(bundles.sm2.length - 40_000);
  });

  it('an SM2 stage, or a function not told its suite, carries it', () => {
    expect(bundles.sm2).toContain(SM2_MODULE_MARK);
    expect(bundles.unset).toContain(SM2_MODULE_MARK);
  });
});
