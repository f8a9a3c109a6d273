import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCAL_ISSUER,
  DEFAULT_LOCAL_LOG_ORIGIN,
  type LocalSettings,
  SIGNING_KEY_FILE,
  localConfiguration,
  settingsFromEnvironment,
} from '#local/local-service.ts';
import { LOG_KEY_FILE } from '#shared/adapters/key-file/note-signer.ts';
import { loadConfig, logSigning } from '#shared/app/config.ts';

/** Local mode's configuration, without starting anything. */

const place = { dataDir: '/data', tableName: 'dcc-local', dynamoDbEndpoint: 'http://127.0.0.1:8000', publicBaseUrl: 'http://127.0.0.1:3000' };

describe('localConfiguration', () => {
  it('sets local defaults explicitly: key files in the data directory, the local issuer and log origin, quiet metrics and logs', () => {
    const config = loadConfig(localConfiguration(place));
    expect(config).toMatchObject({
      DCC_SIGNER: 'local',
      DCC_LOCAL_KEY_FILE: `/data/${SIGNING_KEY_FILE}`,
      DCC_LOG_KEY_FILE: `/data/${LOG_KEY_FILE}`,
      DCC_TABLE_NAME: 'dcc-local',
      DCC_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      DCC_PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      DCC_ISSUER: DEFAULT_LOCAL_ISSUER,
      DCC_LOG_ORIGIN: DEFAULT_LOCAL_LOG_ORIGIN,
      POWERTOOLS_METRICS_DISABLED: true,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    expect(DEFAULT_LOCAL_LOG_ORIGIN).toBe('dcc.localhost/log');
    expect(logSigning(config)).toEqual({ kind: 'local', origin: DEFAULT_LOCAL_LOG_ORIGIN, signature: 'ed25519', keyFile: `/data/${LOG_KEY_FILE}` });
  });

  it('takes settings over the defaults, but never over what the service decides', () => {
    const settings = { DCC_ISSUER: 'https://issuer.example.localhost', DCC_LOG_ORIGIN: 'mine.localhost/log', DCC_EXCHANGE_CACHE_SECONDS: '0' };
    const config = loadConfig(localConfiguration({ ...place, settings }));
    expect(config).toMatchObject({ DCC_ISSUER: 'https://issuer.example.localhost', DCC_LOG_ORIGIN: 'mine.localhost/log', DCC_EXCHANGE_CACHE_SECONDS: 0 });
    // Not settings a caller may give (the type refuses them); passed anyway, they lose.
    const owned = { DCC_SIGNER: 'kms', DCC_TABLE_NAME: 'other' } as unknown as LocalSettings;
    expect(loadConfig(localConfiguration({ ...place, settings: owned }))).toMatchObject({ DCC_SIGNER: 'local', DCC_TABLE_NAME: 'dcc-local' });
  });
});

describe('settingsFromEnvironment', () => {
  it('picks the settings a local service takes, and nothing else', () => {
    expect(
      settingsFromEnvironment({ DCC_ISSUER: 'https://i.localhost', POWERTOOLS_LOG_LEVEL: 'DEBUG', DCC_SIGNER: 'kms', PATH: '/bin', DCC_LOG_ORIGIN: undefined }),
    ).toEqual({ DCC_ISSUER: 'https://i.localhost', POWERTOOLS_LOG_LEVEL: 'DEBUG' });
  });
});
