/**
 * Unified social credit codes (统一社会信用代码), GB 32100-2015.
 *
 * 18 characters from a 31-character alphabet (digits and upper-case letters without I, O, S, V
 * and Z): registration authority (1), organisation category (1), administrative division
 * (6 digits, GB/T 2260), subject identifier (9: the GB 11714 organisation code, whose last
 * character is its own check character), and the check character (1), computed over the first
 * 17 with weights 3^i mod 31.
 *
 * Positions 1 and 2 are only required to be in the alphabet: their code tables have grown by
 * administrative notice since 2015, and refusing a newly assigned authority would refuse a real
 * party. Everything the standard fixes arithmetically is enforced.
 */

/** The code alphabet in value order: a character's index is its value in the check sum. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * Each character's value in the check sum by its character code, -1 outside the alphabet. The
 * verifier checks three codes per certificate: reading them by numbers spares the slices,
 * pattern tests and alphabet searches a check used to cost.
 */
const ALPHABET_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < USCC_ALPHABET.length; i++) values[USCC_ALPHABET.charCodeAt(i)] = i;
  return values;
})();

/** The value of the character at `i`, or -1 outside the alphabet (a typed array reads `undefined` above 127). */
function alphabetValueAt(code: string, i: number): number {
  return ALPHABET_VALUES[code.charCodeAt(i)] ?? -1;
}

/** Whether the first 17 characters of `code` are of the alphabet, with digits at positions 3–8. */
function hasWellFormedFirst17(code: string): boolean {
  for (let i = 0; i < 17; i++) {
    const value = alphabetValueAt(code, i);
    if (value < 0 || (i >= 2 && i < 8 && value > 9)) return false;
  }
  return true;
}

/** GB 11714-1997 organisation code weights over its 8-character body. */
const ORGANISATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** The GB 11714 check character (`0`–`9` or `X`) of the 8-character organisation code body at `start` of `code`. */
function organisationCheckCharacter(code: string, start: number): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    // GB 11714 values digits as themselves and letters A=10 … Z=35 (its own table, not USCC's).
    const unit = code.charCodeAt(start + i);
    sum += (unit <= 57 ? unit - 48 : unit - 55) * ORGANISATION_CODE_WEIGHTS[i]!;
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** The GB 32100 check character of the first 17 characters of `code`, which {@link hasWellFormedFirst17}. */
function checkCharacterOf(code: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += alphabetValueAt(code, i) * WEIGHTS[i]!;
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/**
 * The GB 32100 check character for the first 17 characters of a code.
 * @throws TypeError when `first17` is not 17 characters of the code alphabet with digits at
 *   positions 3–8 (a programming error: validate untrusted input with {@link isValidUscc}).
 */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17 || !hasWellFormedFirst17(first17)) {
    throw new TypeError('usccCheckCharacter: expected 17 characters of the GB 32100 alphabet');
  }
  return checkCharacterOf(first17);
}

/**
 * Whether `code` is a well-formed unified social credit code: 18 characters of the alphabet,
 * a 6-digit administrative division, a subject identifier whose GB 11714 check character is
 * right, and the right GB 32100 check character. Only the canonical upper-case form is valid.
 */
export function isValidUscc(code: string): boolean {
  return (
    code.length === 18 &&
    hasWellFormedFirst17(code) &&
    organisationCheckCharacter(code, 8) === code[16] &&
    checkCharacterOf(code) === code[17]
  );
}

const FIRST_16 = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{8}$/;

/**
 * Completes a code from its first 16 characters by appending both check characters (the
 * subject identifier's GB 11714 one and the GB 32100 one). For test data and tooling.
 * @throws TypeError when `first16` is not 16 characters of the alphabet with digits at 3–8.
 */
export function completeUscc(first16: string): string {
  if (!FIRST_16.test(first16)) {
    throw new TypeError('completeUscc: expected 16 characters of the GB 32100 alphabet');
  }
  const first17 = first16 + organisationCheckCharacter(first16, 8);
  return first17 + usccCheckCharacter(first17);
}
