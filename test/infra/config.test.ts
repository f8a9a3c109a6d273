import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { stageConfigFromContext } from '../../infra/config.ts';
import { KMS_FAILURE_NAMES, KMS_FAILURE_REGEX } from '../../infra/constructs/operations.ts';

const config = (context: Record<string, unknown>) => stageConfigFromContext((key) => context[key]);
const ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CERT = 'arn:aws-cn:acm:cn-northwest-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('stage configuration from context', () => {
  it('defaults to a dev stage with one key generation', () => {
    const c = config({});
    expect(c).toMatchObject({
      stage: 'dev',
      production: false,
      signingKeyGenerations: [1],
      externalRetiredKeyArns: [],
      issuer: undefined,
      publicBaseUrl: undefined,
      customDomain: undefined,
      // CloudFormation names the retained table; the integrator reserves no concurrency.
      tableName: undefined,
      logIntegratorReservedConcurrency: false,
      logRetention: RetentionDays.ONE_MONTH,
    });
  });

  it('reserves the log integrator\'s concurrency only when asked to, from JSON or -c text', () => {
    expect(config({ logIntegratorReservedConcurrency: true }).logIntegratorReservedConcurrency).toBe(true);
    expect(config({ logIntegratorReservedConcurrency: 'true' }).logIntegratorReservedConcurrency).toBe(true);
    expect(config({ logIntegratorReservedConcurrency: false }).logIntegratorReservedConcurrency).toBe(false);
    expect(config({ logIntegratorReservedConcurrency: 'false' }).logIntegratorReservedConcurrency).toBe(false);
  });

  it('pins the table name only when asked to (a table deployed before, or one to import)', () => {
    expect(config({ tableName: 'dcc-prod-certificates' }).tableName).toBe('dcc-prod-certificates');
  });

  it('a custom domain with a hosted zone: the public base URL defaults to it', () => {
    const c = config({ domainName: 'DCC.example.gov.cn.', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.gov.cn' });
    expect(c.customDomain).toEqual({
      domainName: 'dcc.example.gov.cn',
      certificateArn: undefined,
      hostedZone: { id: 'Z0123456789ABCDEFGHIJ', name: 'example.gov.cn' },
    });
    expect(c.publicBaseUrl).toBe('https://dcc.example.gov.cn');
    // The issuer is not the configuration's to guess: the stack defaults it to the public base URL.
    expect(c.issuer).toBeUndefined();
  });

  it('a custom domain with an existing certificate; an explicit public base URL still wins', () => {
    const c = config({ domainName: 'dcc.example.gov.cn', certificateArn: CERT, publicBaseUrl: 'https://status.example.gov.cn/' });
    expect(c.customDomain).toEqual({ domainName: 'dcc.example.gov.cn', certificateArn: CERT, hostedZone: undefined });
    expect(c.publicBaseUrl).toBe('https://status.example.gov.cn');
  });

  it('prod keeps logs for a year and allows more traffic', () => {
    const c = config({ stage: 'prod' });
    expect(c.production).toBe(true);
    expect(c.logRetention).toBe(RetentionDays.ONE_YEAR);
    expect(c.throttleRateLimit).toBeGreaterThan(config({}).throttleRateLimit);
  });

  it('reads lists as JSON arrays (cdk.json), JSON text or comma-separated text (-c)', () => {
    expect(config({ signingKeyGenerations: [1, 2] }).signingKeyGenerations).toEqual([1, 2]);
    expect(config({ signingKeyGenerations: '[1,2]' }).signingKeyGenerations).toEqual([1, 2]);
    expect(config({ signingKeyGenerations: '1,2' }).signingKeyGenerations).toEqual([1, 2]);
    expect(config({ signingKeyGenerations: [1, 3] }).signingKeyGenerations).toEqual([1, 3]);
    expect(config({ retiredKmsKeyIds: ARN }).externalRetiredKeyArns).toEqual([ARN]);
  });

  it.each([
    [{ stage: 'Prod' }, 'context "stage"'],
    [{ stage: 'x' }, 'context "stage"'],
    [{ exchanges: 'hz-sde' }, 'PUT /v1/exchanges'],
    [{ authDomainPrefix: 'dcc-dev' }, 'is no longer read'],
    [{ signingKeyGenerations: '2,1' }, 'strictly increasing'],
    [{ signingKeyGenerations: '0' }, 'not a positive integer'],
    [{ retiredKmsKeyIds: 'alias/old-key' }, 'not a KMS key ARN'],
    [{ retiredKmsKeyIds: '1234abcd-12ab-34cd-56ef-1234567890ab' }, 'not a KMS key ARN'],
    [{ issuer: 'http://dcc.example.gov.cn' }, 'must be an https URL'],
    [{ publicBaseUrl: 'not a url' }, 'is not a URL'],
    [{ alarmEmail: 'ops' }, 'not an e-mail address'],
    [{ retiredKmsKeyIds: '[broken' }, 'not valid JSON'],
    [{ logIntegratorReservedConcurrency: 'yes' }, 'must be true or false'],
    [{ logIntegratorReservedConcurrency: 1 }, 'must be true or false'],
    [{ tableName: 'a b' }, 'not a DynamoDB table name'],
    [{ domainName: 'dcc.example.gov.cn' }, 'needs "certificateArn"'],
    [{ domainName: '*.example.gov.cn', certificateArn: CERT }, 'not a host name'],
    [{ domainName: 'https://dcc.example.gov.cn', certificateArn: CERT }, 'not a host name'],
    [{ domainName: 'dcc.example.gov.cn', certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' }, 'not an ACM certificate ARN'],
    [{ domainName: 'dcc.example.gov.cn', hostedZoneId: 'Z0123456789ABCDEFGHIJ' }, 'go together'],
    [{ domainName: 'dcc.example.gov.cn', hostedZoneId: 'zone', hostedZoneName: 'example.gov.cn' }, 'not a Route 53 hosted zone id'],
    [{ domainName: 'dcc.example.gov.cn', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'other.example' }, 'not in the hosted zone'],
    [{ domainName: 'dcc.notexample.gov.cn', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.gov.cn' }, 'not in the hosted zone'],
    [{ certificateArn: CERT }, '"domainName" is not'],
    [{ hostedZoneId: 'Z0123456789ABCDEFGHIJ' }, '"domainName" is not'],
  ])('refuses %j', (context, message) => {
    expect(() => config(context)).toThrow(message);
  });

  it('drops a trailing slash of the public base URL (status list URLs append paths)', () => {
    expect(config({ publicBaseUrl: 'https://dcc.example.gov.cn/' }).publicBaseUrl).toBe('https://dcc.example.gov.cn');
  });
});

describe('KMS failure pattern', () => {
  // CloudWatch's regex dialect is a subset of JavaScript's for what the pattern uses (^, $, |).
  const matches = (name: string) => new RegExp(KMS_FAILURE_REGEX).test(name);

  it('matches every listed KMS failure and any other KMS exception', () => {
    for (const name of KMS_FAILURE_NAMES) expect(matches(name), name).toBe(true);
    expect(matches('KMSSomethingNewException')).toBe(true);
  });

  it('does not match what the other dependency (DynamoDB) throws', () => {
    for (const name of [
      'ResourceNotFoundException',
      'ConditionalCheckFailedException',
      'TransactionCanceledException',
      'ProvisionedThroughputExceededException',
      'RequestLimitExceeded',
      'InternalServerError',
      'ValidationException',
      'NotFoundExceptionX',
    ]) {
      expect(matches(name), name).toBe(false);
    }
  });

  it('uses only what CloudWatch filter regexes support (no groups)', () => {
    expect(KMS_FAILURE_REGEX).toMatch(/^[A-Za-z^$|]+$/);
  });
});
