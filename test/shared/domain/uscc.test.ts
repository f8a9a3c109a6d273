import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeUscc, isValidUscc, USCC_ALPHABET, usccCheckCharacter } from '#shared/domain/uscc.ts';

// Published codes of real organisations: the two of examples/issue-request.json, and a selection
// from the test data of python-stdnum (tests/test_cn_uscc.doctest, arthurdejong/python-stdnum),
// covering a public institution (12…), enterprises (91…), individual businesses (92…), letters
// in the subject identifier and `X` as its check character.
const REAL_CODES = [
  '91330100799655058B',
  '91440300708461136T',
  '91110000600037341L',
  '121200004013590816',
  '91310115MA1K3BTP2B',
  '9144030071526726XG',
  '91620105L015101280',
  '92340602MA2PBMEM24',
  '92340621MA2PBKRXXG',
];

const alphabetChar = fc.constantFrom(...USCC_ALPHABET.split(''));
const digit = fc.constantFrom(...'0123456789'.split(''));
/** Arbitrary valid codes: random positions 1–2, division, subject body; both checks computed. */
const validCode = fc
  .tuple(fc.array(alphabetChar, { minLength: 2, maxLength: 2 }), fc.array(digit, { minLength: 6, maxLength: 6 }), fc.array(alphabetChar, { minLength: 8, maxLength: 8 }))
  .map(([a, b, c]) => completeUscc(a.join('') + b.join('') + c.join('')));

describe('isValidUscc', () => {
  it.each(REAL_CODES)('accepts the real code %s', (code) => {
    expect(isValidUscc(code)).toBe(true);
  });

  it('computes the check character of the real codes', () => {
    for (const code of REAL_CODES) expect(usccCheckCharacter(code.slice(0, 17))).toBe(code[17]);
  });

  it('refuses every single-character change of the real codes (every position, every other character)', () => {
    let tried = 0;
    for (const code of REAL_CODES) {
      for (let i = 0; i < 18; i++) {
        for (const ch of USCC_ALPHABET) {
          if (ch === code[i]) continue;
          const changed = code.slice(0, i) + ch + code.slice(i + 1);
          expect(isValidUscc(changed), changed).toBe(false);
          tried++;
        }
      }
    }
    expect(tried).toBe(REAL_CODES.length * 18 * 30);
  });

  it('property: every single-character change of any valid code is refused', () => {
    fc.assert(
      fc.property(validCode, fc.integer({ min: 0, max: 17 }), (code, position) => {
        expect(isValidUscc(code)).toBe(true);
        for (const ch of USCC_ALPHABET) {
          if (ch === code[position]) continue;
          expect(isValidUscc(code.slice(0, position) + ch + code.slice(position + 1))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses the letters the standard leaves out, and lower case', () => {
    for (const letter of ['I', 'O', 'S', 'V', 'Z']) {
      expect(isValidUscc(`9133010079965505${letter}B`)).toBe(false);
    }
    expect(isValidUscc('91330100799655058b')).toBe(false);
  });

  it('refuses a character outside ASCII at every position, however its code relates to the alphabet\'s', () => {
    // Full-width forms, Latin-1 and characters whose low byte is an alphabet character's code.
    for (const ch of ['Ａ', '０', 'é', '\u0130', '\u0141', '\u0180', '\u00b9', '\uff10']) {
      for (let i = 0; i < 18; i++) expect(isValidUscc(REAL_CODES[0]!.slice(0, i) + ch + REAL_CODES[0]!.slice(i + 1))).toBe(false);
    }
  });

  it('refuses wrong lengths and surrounding whitespace', () => {
    expect(isValidUscc('')).toBe(false);
    expect(isValidUscc('91330100799655058')).toBe(false);
    expect(isValidUscc('91330100799655058BB')).toBe(false);
    expect(isValidUscc(' 91330100799655058B')).toBe(false);
  });

  it('refuses a letter in the administrative division (positions 3-8 are digits)', () => {
    // Right by both check sums, but with `A` at position 3: only the structure rule catches it.
    const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    const first17 = '91A30100799655058';
    const sum = [...first17].reduce((acc, ch, i) => acc + USCC_ALPHABET.indexOf(ch) * weights[i]!, 0);
    const code = first17 + USCC_ALPHABET[(31 - (sum % 31)) % 31];
    expect(isValidUscc(code)).toBe(false);
    expect(() => usccCheckCharacter(first17)).toThrow(TypeError);
  });

  it('refuses a code whose subject identifier has a wrong GB 11714 check character', () => {
    // 91330100799655058B with its 17th character changed and the GB 32100 check recomputed:
    // the outer sum is right again, only the organisation code's own check catches it.
    const first17 = '9133010079965505' + '7';
    const forged = first17 + usccCheckCharacter(first17);
    expect(isValidUscc(forged)).toBe(false);
  });
});

describe('usccCheckCharacter', () => {
  it('throws a TypeError for input that is not 17 alphabet characters', () => {
    expect(() => usccCheckCharacter('9133010079965505')).toThrow(TypeError);
    expect(() => usccCheckCharacter('9133010079965505I')).toThrow(TypeError);
  });
});
