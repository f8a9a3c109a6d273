import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseCompactJwsStrict } from '#shared/crypto/compact-jws.ts';
import { verifyP256 } from '#shared/crypto/ecdsa-p256.ts';
import { CryptoError } from '#shared/crypto/errors.ts';

interface JwsTest {
  tcId: number;
  comment: string;
  jws: unknown;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface JwsGroup {
  comment: string;
  public?: JWK;
  tests: JwsTest[];
}

const file = JSON.parse(
  readFileSync(new URL('../../fixtures/wycheproof/json_web_signature_test.json', import.meta.url), 'utf8'),
) as { testGroups: JwsGroup[] };

/**
 * The compact-JWS core of our verifier, without the certificate rules (these vectors carry no
 * `typ` and a `kid` that is not a thumbprint): strict parse, `alg` exactly ES256, then the
 * R||S verification. Returns how the token ended.
 */
function es256Core(token: unknown, key: JWK): 'accepted' | 'format' | 'alg' | 'signature' {
  if (typeof token !== 'string') return 'format';
  let parsed;
  try {
    parsed = parseCompactJwsStrict(token);
  } catch (error) {
    if (error instanceof CryptoError) return 'format';
    throw error;
  }
  if (parsed.header['alg'] !== 'ES256') return 'alg';
  return verifyP256(key, parsed.signingInput, parsed.signature) ? 'accepted' : 'signature';
}

describe('Wycheproof JWS, the ES256 groups', () => {
  const groups = file.testGroups.filter((g) => g.public?.alg === 'ES256' && g.public.crv === 'P-256');
  const cases = groups.flatMap((g) => g.tests.map((test) => ({ key: g.public as JWK, test })));

  it('runs both ES256 groups, 39 cases (2 valid, 37 invalid, no acceptable)', () => {
    expect(groups.map((g) => g.comment).sort()).toEqual(['SpecialCaseEs256', 'es256']);
    expect(cases).toHaveLength(39);
    expect(cases.filter((c) => c.test.result === 'valid')).toHaveLength(2);
    expect(cases.filter((c) => c.test.result === 'acceptable')).toHaveLength(0);
  });

  it('accepts every valid token and rejects every invalid one', () => {
    const wrong = cases
      .filter(({ key, test }) => (es256Core(test.jws, key) === 'accepted') !== (test.result === 'valid'))
      .map(({ test }) => `tcId ${test.tcId} (${test.comment})`);
    expect(wrong).toEqual([]);
  });

  it('refuses the HMAC-with-EC-key-bytes confusion at the alg rule and the embedded jwk at the signature', () => {
    const byComment = (c: string) => cases.find((x) => x.test.comment === c);
    const confusion = byComment('rejectsSymmetryConfusionAttacks_aesKeyFromEcVerificationKeyBytes');
    const embedded = byComment('rejectsAttackerProvidedEmbeddedJwk');
    expect(confusion && es256Core(confusion.test.jws, confusion.key)).toBe('alg');
    // The embedded key is ignored: the signature is checked with the group's key, and fails.
    expect(embedded && es256Core(embedded.test.jws, embedded.key)).toBe('signature');
  });
});
