import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSha256Hex } from '#shared/domain/digest.ts';
import { tokenSha256 } from '#shared/crypto/token-digest.ts';

describe('tokenSha256', () => {
  it('is the SHA-256 of the compact JWS bytes, in the lower-case hex the log entries carry', () => {
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJpZCI6MX0.c2lnbmF0dXJl';
    const digest = tokenSha256(token);
    expect(digest).toBe(createHash('sha256').update(Buffer.from(token, 'ascii')).digest('hex'));
    expect(isSha256Hex(digest)).toBe(true);
    expect(tokenSha256(`${token}x`)).not.toBe(digest);
  });
});
