import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import type { DccStack } from '../../infra/stack.ts';
import { type CfnResource, type CfnTemplate, cdkJsonContext, idsOfType, onlyResource, ref } from './support/template.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DOMAIN = 'dcc.example.gov.cn';
const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.gov.cn' };
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * The stack of `npm run synth` with extra context, without bundling (context
 * `aws:cdk:bundling-stacks: []`: stack.test.ts covers the bundles). The template comes from
 * `Template.fromStack`, which runs the app's cdk-nag validation too.
 */
function synth(context: Record<string, unknown>): { stack: DccStack; template: CfnTemplate } {
  const app = new App({ context: { ...cdkJsonContext(ROOT), 'aws:cdk:bundling-stacks': [], stage: 'qa', ...context } });
  const { stack } = buildApp(app);
  return { stack, template: Template.fromStack(stack).toJSON() as CfnTemplate };
}

function integratorOf(template: CfnTemplate): CfnResource {
  return onlyResource(template, 'AWS::Lambda::Function', (r) => r.Properties?.['FunctionName'] === 'dcc-qa-log-integrator')[1];
}

function envOfFunctions(template: CfnTemplate): Record<string, unknown>[] {
  return idsOfType(template, 'AWS::Lambda::Function').map(
    (id) => ((template.Resources[id] as CfnResource).Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables,
  );
}

function expectNagClean(stack: DccStack): void {
  const report = new AwsSolutionsChecks().validateScope(stack);
  expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
}

describe('context options of the stack', () => {
  it('logIntegratorReservedConcurrency=true reserves concurrency 1 for the integrator, and for nothing else', () => {
    const { template } = synth({ logIntegratorReservedConcurrency: 'true' });
    expect(integratorOf(template).Properties?.['ReservedConcurrentExecutions']).toBe(1);
    const reserved = idsOfType(template, 'AWS::Lambda::Function').filter(
      (id) => (template.Resources[id] as CfnResource).Properties?.['ReservedConcurrentExecutions'] !== undefined,
    );
    expect(reserved).toHaveLength(1);
  }, 120_000);

  it('tableName pins the name of the table (to keep a table deployed before, or to import a retained one)', () => {
    const { template } = synth({ tableName: 'dcc-qa-certificates' });
    const [tableId, table] = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    expect(table.Properties?.['TableName']).toBe('dcc-qa-certificates');
    expect(table.DeletionPolicy).toBe('Retain');
    for (const env of envOfFunctions(template)) expect(env['DCC_TABLE_NAME']).toEqual(ref(tableId));
  }, 120_000);
});

describe('custom domain', () => {
  it('with a hosted zone: a DNS-validated certificate, the domain, the mapping to the stage, the alias record; certificates name the domain', () => {
    const { stack, template } = synth({ domainName: DOMAIN, ...ZONE });
    const [certificateId, certificate] = onlyResource(template, 'AWS::CertificateManager::Certificate');
    expect(certificate.Properties).toMatchObject({
      DomainName: DOMAIN,
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: DOMAIN, HostedZoneId: ZONE.hostedZoneId }],
    });
    const [domainId, domain] = onlyResource(template, 'AWS::ApiGatewayV2::DomainName');
    expect(domain.Properties).toMatchObject({
      DomainName: DOMAIN,
      DomainNameConfigurations: [{ CertificateArn: ref(certificateId), EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    const [, mapping] = onlyResource(template, 'AWS::ApiGatewayV2::ApiMapping');
    expect(mapping.Properties).toEqual({
      ApiId: ref(onlyResource(template, 'AWS::ApiGatewayV2::Api')[0]),
      DomainName: ref(domainId),
      Stage: '$default',
    });
    // The stage is named, not referenced: the explicit dependency keeps the mapping after it.
    expect(mapping.DependsOn).toContain(onlyResource(template, 'AWS::ApiGatewayV2::Stage')[0]);
    const [, record] = onlyResource(template, 'AWS::Route53::RecordSet');
    expect(record.Properties).toEqual({
      Name: `${DOMAIN}.`,
      Type: 'A',
      HostedZoneId: ZONE.hostedZoneId,
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      },
    });
    // Signed into every certificate: status list URLs and, unless configured, the issuer.
    for (const env of envOfFunctions(template)) {
      expect(env['DCC_PUBLIC_BASE_URL']).toBe(`https://${DOMAIN}`);
      expect(env['DCC_ISSUER']).toBe(`https://${DOMAIN}`);
    }
    expect(template.Outputs?.['PublicBaseUrl']?.Value).toBe(`https://${DOMAIN}`);
    expect(template.Outputs?.['CustomDomainTarget']?.Value).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
    expectNagClean(stack);
  }, 120_000);

  it('with an existing certificate and no zone: no new certificate and no record (DNS is the operator\'s)', () => {
    const { stack, template } = synth({ domainName: DOMAIN, certificateArn: CERT, issuer: 'https://authority.example.gov.cn' });
    expect(idsOfType(template, 'AWS::CertificateManager::Certificate')).toEqual([]);
    expect(idsOfType(template, 'AWS::Route53::RecordSet')).toEqual([]);
    const [, domain] = onlyResource(template, 'AWS::ApiGatewayV2::DomainName');
    expect((domain.Properties?.['DomainNameConfigurations'] as { CertificateArn: unknown }[])[0]?.CertificateArn).toBe(CERT);
    expect(idsOfType(template, 'AWS::ApiGatewayV2::ApiMapping')).toHaveLength(1);
    for (const env of envOfFunctions(template)) {
      expect(env['DCC_PUBLIC_BASE_URL']).toBe(`https://${DOMAIN}`);
      expect(env['DCC_ISSUER']).toBe('https://authority.example.gov.cn');
    }
    expectNagClean(stack);
  }, 120_000);

  it('with an existing certificate and a zone: the record, but no new certificate', () => {
    const { template } = synth({ domainName: DOMAIN, certificateArn: CERT, ...ZONE });
    expect(idsOfType(template, 'AWS::CertificateManager::Certificate')).toEqual([]);
    expect(idsOfType(template, 'AWS::Route53::RecordSet')).toHaveLength(1);
  }, 120_000);

  it('refuses a domain without a certificate or a zone before building anything', () => {
    expect(() => synth({ domainName: DOMAIN })).toThrow('context "domainName" needs');
  });
});
