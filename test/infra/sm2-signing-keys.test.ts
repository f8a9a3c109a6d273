import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { stageConfigFromContext } from '../../infra/config.ts';
import { type CfnResource, type CfnTemplate, cdkJsonContext, idsOfType } from './support/template.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function synth(context: Record<string, unknown>): CfnTemplate {
  const app = new App({ context: { ...cdkJsonContext(ROOT), 'aws:cdk:bundling-stacks': [], stage: 'qa', ...context } });
  return Template.fromStack(buildApp(app).stack).toJSON() as CfnTemplate;
}

/** The certificate signing keys' KeySpec, by generation (from the description). */
function certificateKeySpecs(template: CfnTemplate): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const id of idsOfType(template, 'AWS::KMS::Key')) {
    const key = template.Resources[id] as CfnResource;
    const description = String(key.Properties?.['Description']);
    const generation = /certificate and status list signing key, generation (\d+)/.exec(description)?.[1];
    if (generation) out[generation] = key.Properties?.['KeySpec'];
  }
  return out;
}

function suitesOfFunctions(template: CfnTemplate): Set<unknown> {
  return new Set(
    idsOfType(template, 'AWS::Lambda::Function')
      .map((id) => (template.Resources[id] as CfnResource).Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
      .filter((env) => env?.Variables?.['DCC_KMS_KEY_ID'] !== undefined)
      .map((env) => env?.Variables?.['DCC_SIGNATURE_SUITE']),
  );
}

describe('the signature suite of a stage (context signatureSuite)', () => {
  it('es256 by default: ECC_NIST_P256 keys, functions told es256', () => {
    const template = synth({ region: 'cn-north-1' });
    expect(certificateKeySpecs(template)).toEqual({ '1': 'ECC_NIST_P256' });
    expect(suitesOfFunctions(template)).toEqual(new Set(['es256']));
  });

  it('sm2 in a China Region: an SM2 key and DCC_SIGNATURE_SUITE=sm2 for every function', () => {
    const template = synth({ region: 'cn-northwest-1', signatureSuite: 'sm2' });
    expect(certificateKeySpecs(template)).toEqual({ '1': 'SM2' });
    expect(suitesOfFunctions(template)).toEqual(new Set(['sm2']));
  });

  it('an ES256 stage moves to SM2 by a new generation: the P-256 key keeps its spec and stays', () => {
    const template = synth({ region: 'cn-north-1', signatureSuite: 'sm2', signingKeyGenerations: '1,2', sm2FromGeneration: '2' });
    expect(certificateKeySpecs(template)).toEqual({ '1': 'ECC_NIST_P256', '2': 'SM2' });
  });

  it('refuses sm2 outside the China Regions, an unknown suite, and sm2FromGeneration without sm2 or outside the generations', () => {
    const config = (context: Record<string, unknown>) => () => stageConfigFromContext((key) => ({ stage: 'qa', ...context })[key]);
    expect(config({ region: 'us-east-1', signatureSuite: 'sm2' })).toThrow(/China Region/);
    expect(config({ signatureSuite: 'SM2' })).toThrow(/must be es256 or sm2/);
    expect(config({ sm2FromGeneration: '1' })).toThrow(/"signatureSuite" is not sm2/);
    expect(config({ region: 'cn-north-1', signatureSuite: 'sm2', sm2FromGeneration: '3' })).toThrow(/not one of/);
  });
});
