import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importVerificationKeys, jwkFromKeyObject, MAX_VERIFICATION_KEYS } from '#shared/crypto/jwks.ts';
import { codeOf } from './support/crypto-error-code.ts';

describe('the key cap of importVerificationKeys', () => {
  const key = jwkFromKeyObject(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);

  it('accepts up to the cap and refuses one more before importing any key', () => {
    expect(importVerificationKeys({ keys: Array.from({ length: MAX_VERIFICATION_KEYS }, () => key) })).toEqual([key]);
    // Not even the first key is looked at: a set over the cap whose keys are all garbage is refused as too large.
    expect(codeOf(() => importVerificationKeys({ keys: Array.from({ length: MAX_VERIFICATION_KEYS + 1 }, () => 'garbage') }))).toBe('jwks-too-many-keys');
    expect(codeOf(() => importVerificationKeys({ keys: [key, key, key] }, { maxKeys: 2 }))).toBe('jwks-too-many-keys');
  });

  it('refuses 100,000 keys at once', () => {
    const started = performance.now();
    expect(codeOf(() => importVerificationKeys({ keys: Array.from({ length: 100_000 }, () => key) }))).toBe('jwks-too-many-keys');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
