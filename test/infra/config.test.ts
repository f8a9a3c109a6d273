import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { stageConfigFromContext } from '../../infra/config.ts';
import { KMS_FAILURE_NAMES, KMS_FAILURE_REGEX } from '../../infra/constructs/operations.ts';

const config = (context: Record<string, unknown>) => stageConfigFromContext((key) => context[key]);
const ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('stage configuration from context', () => {
  it('defaults to a dev stage with one key generation and no exchanges', () => {
    const c = config({});
    expect(c).toMatchObject({
      stage: 'dev',
      production: false,
      exchanges: [],
      signingKeyGenerations: [1],
      externalRetiredKeyArns: [],
      issuer: undefined,
      publicBaseUrl: undefined,
      logRetention: RetentionDays.ONE_MONTH,
    });
  });

  it('prod keeps logs for a year and allows more traffic', () => {
    const c = config({ stage: 'prod' });
    expect(c.production).toBe(true);
    expect(c.logRetention).toBe(RetentionDays.ONE_YEAR);
    expect(c.throttleRateLimit).toBeGreaterThan(config({}).throttleRateLimit);
  });

  it('reads lists as JSON arrays (cdk.json), JSON text or comma-separated text (-c)', () => {
    expect(config({ exchanges: ['hz-sde', 'sh-dex'] }).exchanges).toEqual(['hz-sde', 'sh-dex']);
    expect(config({ exchanges: '["hz-sde","sh-dex"]' }).exchanges).toEqual(['hz-sde', 'sh-dex']);
    expect(config({ exchanges: 'hz-sde, sh-dex' }).exchanges).toEqual(['hz-sde', 'sh-dex']);
    expect(config({ signingKeyGenerations: '1,2' }).signingKeyGenerations).toEqual([1, 2]);
    expect(config({ signingKeyGenerations: [1, 3] }).signingKeyGenerations).toEqual([1, 3]);
    expect(config({ retiredKmsKeyIds: ARN }).externalRetiredKeyArns).toEqual([ARN]);
  });

  it.each([
    [{ stage: 'Prod' }, 'context "stage"'],
    [{ stage: 'x' }, 'context "stage"'],
    [{ exchanges: 'HZ_SDE' }, 'context "exchanges"'],
    [{ exchanges: 'hz-sde,hz-sde' }, 'listed twice'],
    [{ exchanges: 'admin' }, 'built-in client'],
    [{ signingKeyGenerations: '2,1' }, 'strictly increasing'],
    [{ signingKeyGenerations: '0' }, 'not a positive integer'],
    [{ retiredKmsKeyIds: 'alias/old-key' }, 'not a KMS key ARN'],
    [{ retiredKmsKeyIds: '1234abcd-12ab-34cd-56ef-1234567890ab' }, 'not a KMS key ARN'],
    [{ issuer: 'http://dcc.example.gov.cn' }, 'must be an https URL'],
    [{ publicBaseUrl: 'not a url' }, 'is not a URL'],
    [{ authDomainPrefix: 'Has Spaces' }, 'Cognito domain prefix'],
    [{ alarmEmail: 'ops' }, 'not an e-mail address'],
    [{ exchanges: '[broken' }, 'not valid JSON'],
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
