import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newCertificateNumber } from '#shared/domain/certificate-number.ts';
import {
  CHECK_VALUE_LENGTH,
  certificateCheckValue,
  checkValuesEqual,
  compactReferenceUrl,
  isCheckValue,
  parseCompactReference,
} from '#shared/domain/compact-reference.ts';
import { FIXTURE_NOW } from '../../fixtures/issue-request.ts';

/** The check value computed another way: node's SHA-256, the digest as one big integer, 5 bits at a time. */
function expectedCheckValue(token: string): string {
  const digest = BigInt(`0x${createHash('sha256').update(token, 'utf8').digest('hex')}`);
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let out = '';
  for (let i = 0; i < CHECK_VALUE_LENGTH; i++) out += alphabet[Number((digest >> BigInt(256 - 5 * (i + 1))) & 31n)];
  return out;
}

describe('certificateCheckValue', () => {
  it('is the first 50 bits of SHA-256 over the token, in Crockford base32', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 300 }), async (token) => {
        expect(await certificateCheckValue(token)).toBe(expectedCheckValue(token));
      }),
      { numRuns: 200 },
    );
    expect(await certificateCheckValue('eyJhbGciOiJFUzI1NiJ9.e30.sig')).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
  });

  it('changes when one character of the token does', async () => {
    expect(await certificateCheckValue('a.b.c')).not.toBe(await certificateCheckValue('a.b.d'));
  });
});

describe('compact references', () => {
  const certificateNo = newCertificateNumber(FIXTURE_NOW);

  it('round-trip through the URL a QR code carries, in the fragment of the verification page', async () => {
    const check = await certificateCheckValue('x.y.z');
    const url = compactReferenceUrl('https://api.dcc.example.gov.cn/', { certificateNo, check });
    expect(url).toBe(`https://api.dcc.example.gov.cn/verify#n=${certificateNo}&c=${check}`);
    expect(parseCompactReference(new URL(url).hash)).toEqual({ certificateNo, check });
    // Short enough for a QR code of version 5 at error correction M (84 bytes).
    expect(url.length).toBeLessThanOrEqual(84);
  });

  it('reads a lower-case check value, and nothing that is not a reference', () => {
    expect(parseCompactReference(`n=${certificateNo}&c=0123456789`.toLowerCase())).toEqual({ certificateNo, check: '0123456789' });
    const wrongDigit = `${certificateNo.slice(0, 19)}${(Number(certificateNo[19]) + 1) % 10}`;
    for (const fragment of ['', '#', `#n=${certificateNo}`, `#c=0123456789`, `#n=${wrongDigit}&c=0123456789`, `#n=${certificateNo}&c=012345678I`, `#n=${certificateNo}&c=0123`]) {
      expect(parseCompactReference(fragment), fragment).toBeNull();
    }
  });

  it('compares check values by content and length', () => {
    expect(checkValuesEqual('ABCDEFGHJK', 'ABCDEFGHJK')).toBe(true);
    expect(checkValuesEqual('ABCDEFGHJK', 'ABCDEFGHJM')).toBe(false);
    expect(checkValuesEqual('ABCDEFGHJK', 'ABCDEFGHJ')).toBe(false);
    expect(isCheckValue('ABCDEFGHJK')).toBe(true);
    expect(isCheckValue('ABCDEFGHIK')).toBe(false);
  });
});
