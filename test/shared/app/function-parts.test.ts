import { describe, expect, it } from 'vitest';
import { bundledSources as bundled } from '../../support/function-bundles.ts';

/**
 * A Lambda function holds the parts of the app its route takes and no other (`shared/app/parts/`,
 * `productionApp` of `shared/app/production.ts`): what it does not wire is neither compiled nor
 * run at its cold start. The bundles are built as the CDK builds them.
 */

const CERTIFICATE_STORES = /shared\/adapters\/dynamodb\/(certificate|status-list|sd-jwt)-store\.ts$/;
const LOG = /shared\/(adapters\/dynamodb\/log-store|services\/log-(reader|integrator)|transparency\/(merkle|tiles|proof|entry|checkpoint))\.ts$/;
const CERTIFICATE_SIGNERS = /shared\/adapters\/(kms|key-file)\/(sm2-)?certificate-signer\.ts$|node_modules\/sm-crypto-v2\//;
const AUTHORIZATION_SERVER = /shared\/adapters\/(dynamodb\/assertion-replay-store|kms\/access-token-signer)\.ts$/;
/** The token endpoint's own store: the discovery document and the access-token key set read no table. */
const ASSERTION_REPLAYS = /shared\/adapters\/dynamodb\/assertion-replay-store\.ts$/;

describe('a function bundles only the parts it wires', () => {
  it.each([
    ['functions/get-jwks.ts', [CERTIFICATE_STORES, LOG, AUTHORIZATION_SERVER]],
    ['functions/openid-configuration.ts', [CERTIFICATE_STORES, LOG, CERTIFICATE_SIGNERS, ASSERTION_REPLAYS]],
    ['functions/oauth-jwks.ts', [CERTIFICATE_STORES, LOG, CERTIFICATE_SIGNERS, ASSERTION_REPLAYS]],
    ['functions/oauth-token.ts', [CERTIFICATE_STORES, LOG, CERTIFICATE_SIGNERS]],
    ['functions/log-key.ts', [CERTIFICATE_STORES, CERTIFICATE_SIGNERS, AUTHORIZATION_SERVER]],
  ] as const)('%s', async (entry, absent) => {
    const inputs = await bundled(entry);
    expect(inputs).toContain(entry);
    for (const pattern of absent) expect(inputs.filter((path) => pattern.test(path))).toEqual([]);
  }, 60_000);

  it('the check finds the parts a function does wire', async () => {
    const inputs = await bundled('functions/verify-certificate.ts');
    for (const pattern of [CERTIFICATE_STORES, LOG, CERTIFICATE_SIGNERS]) expect(inputs.some((path) => pattern.test(path))).toBe(true);
    expect((await bundled('functions/oauth-token.ts')).some((path) => ASSERTION_REPLAYS.test(path))).toBe(true);
  }, 60_000);
});
