import { describe, expect, it } from 'vitest';
import { ISO_3166_ALPHA2_CODES, isIso3166Alpha2 } from '#shared/domain/iso3166.ts';

describe('ISO 3166-1 alpha-2', () => {
  it('holds all 249 assigned codes, sorted and unique', () => {
    expect(ISO_3166_ALPHA2_CODES).toHaveLength(249);
    expect(new Set(ISO_3166_ALPHA2_CODES).size).toBe(249);
    expect([...ISO_3166_ALPHA2_CODES].sort()).toEqual(ISO_3166_ALPHA2_CODES);
    for (const code of ISO_3166_ALPHA2_CODES) expect(code).toMatch(/^[A-Z]{2}$/);
  });

  it('accepts assigned codes, including the newest and the special areas', () => {
    for (const code of ['CN', 'HK', 'MO', 'TW', 'US', 'DE', 'SG', 'SS', 'BQ', 'CW', 'SX', 'AQ', 'AX', 'PS', 'VA']) {
      expect(isIso3166Alpha2(code), code).toBe(true);
    }
  });

  it('refuses reserved, user-assigned, withdrawn and malformed codes', () => {
    for (const code of ['UK', 'EU', 'XK', 'ZZ', 'AA', 'QZ', 'AN', 'YU', 'CS', 'cn', 'C', 'CHN', '']) {
      expect(isIso3166Alpha2(code), code).toBe(false);
    }
  });
});
