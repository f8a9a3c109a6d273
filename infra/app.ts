import { pathToFileURL } from 'node:url';
import { App, Aws, CfnRule, Fn, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolveStageConfig } from './config.ts';
import { DccStack } from './stack.ts';

/**
 * Resource types the China regions do not tag: Lambda's China documentation lists event source
 * mapping tags as unavailable there, so the stack-wide tags leave them out in `aws-cn`.
 */
const UNTAGGED_IN_CHINA = ['AWS::Lambda::EventSourceMapping'];

/**
 * Builds the CDK app: one stack per stage (`-c stage=prod`), checked by cdk-nag's AwsSolutions
 * pack. Exported so that tests synthesize exactly what `npm run synth` does.
 *
 * The stack makes no look-ups, so `cdk synth` needs no credentials and gives the same template on
 * every machine; the account comes from the credentials at deploy time. The region decides the
 * partition: given (`-c region=cn-northwest-1`, or `CDK_DEFAULT_REGION`, which the CDK CLI sets
 * from the profile), the stack is pinned to it, its ARNs name the partition literally and what
 * differs in China is chosen; not given, the template is environment-agnostic for the global
 * partition, and a template rule refuses its deployment anywhere else.
 */
export function buildApp(app: App = new App()): { app: App; stack: DccStack } {
  const config = resolveStageConfig(app.node);
  const stack = new DccStack(app, `DataComplianceCertificates-${config.stage}`, {
    config,
    ...(config.region !== undefined ? { env: { region: config.region } } : {}),
    description: `Data compliance certificates (${config.stage}): issue, verify and revoke signed data invoices`,
    terminationProtection: config.production,
  });
  const excludeResourceTypes = config.partition === 'aws-cn' ? UNTAGGED_IN_CHINA : [];
  Tags.of(stack).add('service', 'data-compliance-certificates', { excludeResourceTypes });
  Tags.of(stack).add('stage', config.stage, { excludeResourceTypes });
  if (config.region === undefined) {
    // An agnostic template carries the global choices (an Ed25519 log key, tagged stream
    // mappings): refuse it in another partition before anything is created.
    new CfnRule(stack, 'GlobalPartitionOnly', {
      assertions: [
        {
          assert: Fn.conditionEquals(Aws.PARTITION, 'aws'),
          assertDescription: 'This template was synthesized for the global partition; for the China regions synthesize with -c region=cn-north-1 or cn-northwest-1.',
        },
      ],
    });
  }
  // cdk-nag 3 runs as a synthesis validation plugin: any unacknowledged finding fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

// Run by the CDK CLI (cdk.json: `npx tsx infra/app.ts`), not when a test imports buildApp.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().app.synth();
}
