/**
 * Free text that ends up in a signed certificate (names, purposes, references) must print the
 * same everywhere it is shown: well-formed Unicode, no control or invisible formatting
 * characters that could hide or reorder what a reader sees, and no surrounding whitespace.
 *
 * The same class of characters is what `escapeInvisible` makes visible when untrusted text is
 * shown to a person (a terminal, an error message): one definition for refusing and for showing.
 */

/**
 * What is refused, by Unicode property rather than by a hand list, so that it follows the
 * standard as the engine's Unicode data grows:
 * - `\p{Cc}`: C0 and C1 controls and DEL (ESC starts terminal escape sequences, U+009B is a
 *   one-character CSI, CR and BS overwrite what was printed).
 * - `\p{Cf}`: every format character: bidi marks, embeddings, overrides and isolates, zero-width
 *   space, joiner and non-joiner (so emoji ZWJ sequences such as 👨‍👩‍👧 are refused, and so is
 *   the ZWNJ of Persian and some Indic spellings), word joiner, invisible operators, soft hyphen,
 *   BOM, tag characters, Arabic number signs, the Mongolian vowel separator.
 * - `\p{Zl}`, `\p{Zp}`: line and paragraph separators (U+2028, U+2029) start a new line.
 * - `\p{Default_Ignorable_Code_Point}`: what renderers draw as nothing although it is not Cf:
 *   the combining grapheme joiner U+034F, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0
 *   (blank-looking letters, a known way to make an "empty" name), Khmer U+17B4/U+17B5, the
 *   Mongolian free variation selectors, and the variation selectors U+FE00–FE0F and
 *   U+E0100–E01EF. A variation selector after a base that has no such variant is invisible, so
 *   `A` and `A` + VS1 would be two names that look the same; the cost is that ideographic
 *   variation sequences (glyph variants of CJK characters) and traditional Mongolian spellings
 *   that need the selectors are refused: registered names are written without them. The
 *   property also covers the reserved default-ignorable ranges (U+2065, U+FFF0–FFF8,
 *   U+E0000–E0FFF), so a character assigned there later is refused by old and new engines alike.
 *   One exception: the text and emoji presentation selectors VS15/VS16 (U+FE0E, U+FE0F) directly
 *   after an emoji character, since many emoji are written with VS16 (❤️ is U+2764 U+FE0F) and
 *   there they change how the emoji looks, not whether it is seen.
 * Ordinary punctuation, full-width forms, the ideographic space inside text, and emoji without a
 * ZWJ pass. Not refused: private-use characters and look-alike letters of different scripts;
 * neither hides or reorders text, and confusable letters are a matter for the people who register
 * the names.
 */
// The `u` flag, not `v` (set subtraction): the verification page bundles this for browsers
// that predate `v`.
const FORBIDDEN_CLASS = String.raw`[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|(?![\uFE0E\uFE0F])\p{Default_Ignorable_Code_Point}|(?<!\p{Emoji})[\uFE0E\uFE0F]`;

// Both built on first use: V8 builds the Unicode property classes when a regex is constructed
// (about half a millisecond for the two), and a Lambda function whose modules import this one
// but check no text would pay for it at every cold start.
let forbidden: RegExp | undefined;
const forbiddenPattern = (): RegExp => (forbidden ??= new RegExp(FORBIDDEN_CLASS, 'u'));

/** Everything `escapeInvisible` rewrites: the forbidden class, and lone surrogates (which the `u` flag matches one by one). */
let invisibleOrLone: RegExp | undefined;
const invisibleOrLonePattern = (): RegExp => (invisibleOrLone ??= new RegExp(`${FORBIDDEN_CLASS}|\\p{Cs}`, 'gu'));

// Without the `u` flag a regex sees UTF-16 code units, so unpaired surrogates are visible to it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `value` is well-formed UTF-16 (no unpaired surrogate), i.e. encodable as UTF-8. */
export function isWellFormedUnicode(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Length limits of free text, in code points (zod's measure: a character beyond U+FFFF counts once). */
export const TextLimits = {
  /** Legal names of parties, exchanges and assessors. */
  name: 200,
  /** References and identifiers from other systems (product ids, report refs, versions). */
  reference: 128,
  /** The usage purpose. */
  purpose: 500,
  /** An admin's revocation comment. */
  comment: 500,
  /** URLs (issuer, status list). */
  url: 2048,
} as const;

/** Why a text is refused, or `null` when it is acceptable. */
export type PlainTextProblem = 'ill-formed' | 'control-character' | 'surrounding-whitespace';

/**
 * Whether the UTF-16 unit `unit` is in a range where no character is refused: printable ASCII,
 * Latin-1 but the soft hyphen (U+00AD, Cf), the dashes, quotes and dots U+2010–U+2027 (the
 * format characters and separators of that block lie above), the arrows U+2190–U+21FF and the
 * dingbats U+2700–U+27BF (the marks `dcc` prints: →, ✓, ✗), CJK symbols and punctuation
 * U+3000–U+303F, the unified ideographs U+4E00–U+9FFF and the full-width forms U+FF01–U+FF5E.
 * Every range is fully assigned and none holds a surrogate or a presentation selector, so the
 * refused class, which looks at one code point at a time except for the selectors, matches
 * nothing in a string made of them; a test holds each unit to the regular expressions.
 */
function isCommonUnit(unit: number): boolean {
  if (unit < 0x7f) return unit >= 0x20;
  if (unit >= 0x4e00) return unit <= 0x9fff || (unit >= 0xff01 && unit <= 0xff5e);
  if (unit <= 0xff) return unit >= 0xa0 && unit !== 0xad;
  if (unit >= 0x3000) return unit <= 0x303f;
  return (unit >= 0x2010 && unit <= 0x2027) || (unit >= 0x2190 && unit <= 0x21ff) || (unit >= 0x2700 && unit <= 0x27bf);
}

/** Whether every unit of `value` is a common one ({@link isCommonUnit}): nothing in it is refused or escaped. */
function isCommonText(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (!isCommonUnit(value.charCodeAt(i))) return false;
  return true;
}

/** Checks `value` against the rules in the module comment. Does not check length. */
export function plainTextProblem(value: string): PlainTextProblem | null {
  // Names, references and purposes are almost always such text: a loop over its units answers
  // what the two Unicode regular expressions below would, at a fraction of their cost.
  if (isCommonText(value)) return value.trim() !== value ? 'surrounding-whitespace' : null;
  if (!isWellFormedUnicode(value)) return 'ill-formed';
  if (forbiddenPattern().test(value)) return 'control-character';
  if (value.trim() !== value) return 'surrounding-whitespace';
  return null;
}

/** Whether `value` is acceptable certificate text (see the module comment). */
export function isPlainText(value: string): boolean {
  return plainTextProblem(value) === null;
}

const hex4 = (unit: number) => `\\u${unit.toString(16).padStart(4, '0')}`;

/**
 * `value` with every character the text rule refuses (controls including newline, tab and ESC,
 * format, separator and default-ignorable characters) and every lone surrogate written as a
 * visible `\uXXXX` escape; a character beyond U+FFFF as its two surrogate escapes. Nothing else
 * changes, backslashes included, so the escapes are JSON's: applied to JSON text the result is
 * still JSON with exactly the same values (every such character sits inside a string there).
 */
export function escapeInvisible(value: string): string {
  // Text made of common units only has nothing to escape: answered without building the regex.
  if (isCommonText(value)) return value;
  return value.replace(invisibleOrLonePattern(), (match) => {
    let out = '';
    for (let i = 0; i < match.length; i++) out += hex4(match.charCodeAt(i));
    return out;
  });
}

/** `value` as a JSON string literal with every invisible character escaped, for error messages. */
export function quoteText(value: string): string {
  return escapeInvisible(JSON.stringify(value));
}
