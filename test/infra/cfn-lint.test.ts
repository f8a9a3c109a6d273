import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { cdkJsonContext } from './support/template.ts';

const ROOT = resolve(import.meta.dirname, '../..');
/** Every region the stack is meant for: the global one CI knows best and both China regions. */
const LINT_REGIONS = ['us-east-1', 'cn-north-1', 'cn-northwest-1'];
/**
 * Warnings kept on purpose, each justified in the README ("cfn-lint"): none today. A rule id
 * added here without a README entry is a review finding.
 */
const ACCEPTED_WARNINGS: readonly string[] = [];

/** The templates CI lints: agnostic, pinned to each region, and a prod stage with every option in China. */
const VARIANTS: Record<string, Record<string, unknown>> = {
  agnostic: {},
  'us-east-1': { region: 'us-east-1' },
  'cn-north-1': { region: 'cn-north-1' },
  'cn-northwest-1': { region: 'cn-northwest-1' },
  'cn-northwest-1-prod': {
    region: 'cn-northwest-1',
    stage: 'prod',
    alarmEmail: 'ops@example.gov.cn',
    domainName: 'dcc.example.gov.cn',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.gov.cn',
    logIntegratorReservedConcurrency: true,
  },
};

interface Finding {
  Rule: { Id: string };
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Filename: string;
}

let directory: string;
let findings: Finding[];

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'dcc-cfn-lint-'));
  const files = Object.entries(VARIANTS).map(([name, context]) => {
    const app = new App({ context: { ...cdkJsonContext(ROOT), 'aws:cdk:bundling-stacks': [], ...context } });
    const file = join(directory, `${name}.template.json`);
    writeFileSync(file, JSON.stringify(Template.fromStack(buildApp(app).stack).toJSON()));
    return file;
  });
  const lint = spawnSync('cfn-lint', ['--format', 'json', '--regions', ...LINT_REGIONS, '--', ...files], { encoding: 'utf8' });
  if (lint.error) {
    // Never a silent pass: without cfn-lint nothing here has been checked.
    throw new Error(`cfn-lint could not be run (${lint.error.message}); install it: pip install cfn-lint`);
  }
  try {
    findings = JSON.parse(lint.stdout || '[]') as Finding[];
  } catch {
    throw new Error(`cfn-lint did not answer JSON (exit ${lint.status}): ${lint.stderr}`);
  }
}, 240_000);

afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe(`cfn-lint on every synthesized template, regions ${LINT_REGIONS.join(' ')}`, () => {
  const describeFinding = (f: Finding): string => `${f.Rule.Id} ${f.Filename.split('/').pop()}: ${f.Message}`;

  it('finds no error', () => {
    expect(findings.filter((f) => f.Level === 'Error').map(describeFinding)).toEqual([]);
  });

  it('finds no warning but the ones the README justifies', () => {
    expect(findings.filter((f) => f.Level === 'Warning' && !ACCEPTED_WARNINGS.includes(f.Rule.Id)).map(describeFinding)).toEqual([]);
  });
});
