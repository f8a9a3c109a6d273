import { pathToFileURL } from 'node:url';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolveStageConfig } from './config.ts';
import { DccStack } from './stack.ts';

/**
 * Builds the CDK app: one stack per stage (`-c stage=prod`), checked by cdk-nag's AwsSolutions
 * pack. Exported so that tests synthesize exactly what `npm run synth` does.
 *
 * The stack is environment-agnostic on purpose: it makes no look-ups, so `cdk synth` needs no
 * credentials and gives the same template on every machine; account and region come from the
 * credentials at deploy time.
 */
export function buildApp(app: App = new App()): { app: App; stack: DccStack } {
  const config = resolveStageConfig(app.node);
  const stack = new DccStack(app, `DataComplianceCertificates-${config.stage}`, {
    config,
    description: `Data compliance certificates (${config.stage}): issue, verify and revoke signed data invoices`,
    terminationProtection: config.production,
  });
  Tags.of(stack).add('service', 'data-compliance-certificates');
  Tags.of(stack).add('stage', config.stage);
  // cdk-nag 3 runs as a synthesis validation plugin: any unacknowledged finding fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

// Run by the CDK CLI (cdk.json: `npx tsx infra/app.ts`), not when a test imports buildApp.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().app.synth();
}
