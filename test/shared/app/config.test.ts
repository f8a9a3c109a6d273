import { describe, expect, it } from 'vitest';
import { loadConfig, logSigning, statusListUrl } from '#shared/app/config.ts';

/** A deployed stage's environment, as the stack sets it. */
const DEPLOYED = {
  DCC_TABLE_NAME: 'dcc-qa-certificates',
  DCC_KMS_KEY_ID: 'arn:aws-cn:kms:cn-north-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  DCC_ISSUER: 'https://dcc.example.gov.cn',
  DCC_PUBLIC_BASE_URL: 'https://api.dcc.example.gov.cn/',
  DCC_LOG_ORIGIN: 'dcc.example.gov.cn/log',
} as const;

/** Local mode's, as the local service sets it. */
const LOCAL = {
  DCC_SIGNER: 'local',
  DCC_TABLE_NAME: 'dcc-local',
  DCC_LOCAL_KEY_FILE: '/data/signing-key.pem',
  DCC_LOG_KEY_FILE: '/data/log-key.pem',
  DCC_ISSUER: 'https://issuer.dcc.localhost',
  DCC_PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  DCC_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  DCC_LOG_ORIGIN: 'dcc.localhost/log',
} as const;

describe('loadConfig', () => {
  it('reads a deployed stage, with the defaults of everything it does not set', () => {
    const config = loadConfig(DEPLOYED);
    expect(config).toMatchObject({
      DCC_SIGNER: 'kms',
      DCC_RETIRED_KMS_KEY_IDS: [],
      DCC_PUBLIC_BASE_URL: 'https://api.dcc.example.gov.cn',
      DCC_CLOCK_SKEW_SECONDS: 300,
      DCC_MAX_VALIDITY_DAYS: 1830,
      DCC_EXCHANGE_CACHE_SECONDS: 60,
      DCC_STATUS_LIST_TTL_SECONDS: 300,
      DCC_LOG_ORIGIN: 'dcc.example.gov.cn/log',
      POWERTOOLS_SERVICE_NAME: 'dcc',
      POWERTOOLS_METRICS_NAMESPACE: 'DataComplianceCertificates',
      POWERTOOLS_METRICS_DISABLED: false,
      AWS_REGION: 'us-east-1',
    });
    expect(config.POWERTOOLS_LOG_LEVEL).toBeUndefined();
    expect(statusListUrl(config, '7')).toBe('https://api.dcc.example.gov.cn/v1/status-lists/7');
  });

  it('refuses a deployed stage without a log origin, naming the variable', () => {
    const { DCC_LOG_ORIGIN: _, ...withoutOrigin } = DEPLOYED;
    expect(() => loadConfig(withoutOrigin)).toThrow(/Invalid configuration: DCC_LOG_ORIGIN: required/);
  });

  it('has no default log origin in local mode either: the local service passes its own', () => {
    const { DCC_LOG_ORIGIN: _, ...withoutOrigin } = LOCAL;
    expect(() => loadConfig(withoutOrigin)).toThrow(/DCC_LOG_ORIGIN/);
    expect(loadConfig(LOCAL).DCC_LOG_ORIGIN).toBe('dcc.localhost/log');
  });

  it('refuses an origin that cannot name a note key', () => {
    expect(() => loadConfig({ ...DEPLOYED, DCC_LOG_ORIGIN: 'has space' })).toThrow(/DCC_LOG_ORIGIN: a non-empty name/);
    expect(() => loadConfig({ ...DEPLOYED, DCC_LOG_ORIGIN: 'a+b' })).toThrow(/DCC_LOG_ORIGIN/);
  });

  it('names every bad variable at once', () => {
    const error = (() => {
      try {
        loadConfig({ DCC_SIGNER: 'kms', DCC_ISSUER: 'not a url', DCC_LOG_ORIGIN: 'x/log' });
      } catch (e) {
        return String(e);
      }
      return '';
    })();
    expect(error).toMatch(/DCC_TABLE_NAME/);
    expect(error).toMatch(/DCC_ISSUER/);
    expect(error).toMatch(/DCC_PUBLIC_BASE_URL/);
  });

  it('requires the signing key of the signer chosen', () => {
    const { DCC_KMS_KEY_ID: _, ...withoutKey } = DEPLOYED;
    expect(() => loadConfig(withoutKey)).toThrow(/DCC_KMS_KEY_ID: required when DCC_SIGNER=kms/);
    const { DCC_LOCAL_KEY_FILE: __, ...withoutFile } = LOCAL;
    expect(() => loadConfig(withoutFile)).toThrow(/DCC_LOCAL_KEY_FILE: required when DCC_SIGNER=local/);
  });

  it('reads the Powertools settings and the region, which the app used to take from the environment itself', () => {
    const config = loadConfig({
      ...DEPLOYED,
      POWERTOOLS_SERVICE_NAME: 'dcc-qa',
      POWERTOOLS_METRICS_NAMESPACE: 'Other',
      POWERTOOLS_LOG_LEVEL: 'warn',
      POWERTOOLS_METRICS_DISABLED: 'TRUE',
      AWS_REGION: 'cn-north-1',
      DCC_RETIRED_KMS_KEY_IDS: ' arn:a , arn:b,',
    });
    expect(config).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'dcc-qa',
      POWERTOOLS_METRICS_NAMESPACE: 'Other',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: true,
      AWS_REGION: 'cn-north-1',
      DCC_RETIRED_KMS_KEY_IDS: ['arn:a', 'arn:b'],
    });
    expect(loadConfig({ ...DEPLOYED, POWERTOOLS_METRICS_DISABLED: 'false' }).POWERTOOLS_METRICS_DISABLED).toBe(false);
    expect(() => loadConfig({ ...DEPLOYED, POWERTOOLS_LOG_LEVEL: 'LOUD' })).toThrow(/POWERTOOLS_LOG_LEVEL/);
  });

  it('ignores variables it does not know (a function environment holds many)', () => {
    expect(loadConfig({ ...DEPLOYED, PATH: '/usr/bin', AWS_LAMBDA_FUNCTION_NAME: 'f' })).not.toHaveProperty('PATH');
  });
});

describe('logSigning', () => {
  it('follows DCC_SIGNER unless DCC_LOG_SIGNER says otherwise', () => {
    expect(logSigning(loadConfig(LOCAL))).toEqual({ kind: 'local', origin: 'dcc.localhost/log', signature: 'ed25519', keyFile: '/data/log-key.pem' });
    expect(logSigning(loadConfig({ ...DEPLOYED, DCC_LOG_KMS_KEY_ID: 'arn:log' }))).toEqual({
      kind: 'kms',
      origin: 'dcc.example.gov.cn/log',
      signature: 'ed25519',
      keyId: 'arn:log',
    });
    expect(logSigning(loadConfig({ ...DEPLOYED, DCC_LOG_SIGNER: 'local', DCC_LOG_KEY_FILE: '/k.pem' }))).toEqual({
      kind: 'local',
      origin: 'dcc.example.gov.cn/log',
      signature: 'ed25519',
      keyFile: '/k.pem',
    });
  });

  it('takes the checkpoint signature from DCC_LOG_SIGNATURE (rfc6962 in the China regions) and refuses others', () => {
    expect(logSigning(loadConfig({ ...DEPLOYED, DCC_LOG_KMS_KEY_ID: 'arn:log', DCC_LOG_SIGNATURE: 'rfc6962' }))).toMatchObject({ signature: 'rfc6962' });
    expect(() => loadConfig({ ...DEPLOYED, DCC_LOG_SIGNATURE: 'ecdsa' })).toThrow(/DCC_LOG_SIGNATURE/);
  });

  it('names the missing key setting, only when the log is to sign', () => {
    // The API functions have no log key; their configuration still loads.
    const config = loadConfig(DEPLOYED);
    expect(() => logSigning(config)).toThrow(/DCC_LOG_KMS_KEY_ID: required when the log signs with KMS/);
    const { DCC_LOG_KEY_FILE: _, ...withoutLogKey } = LOCAL;
    expect(() => logSigning(loadConfig(withoutLogKey))).toThrow(/DCC_LOG_KEY_FILE: required when the log signs locally/);
  });
});
