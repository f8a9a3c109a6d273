/**
 * Free text that ends up in a signed certificate (names, purposes, references) must print the
 * same everywhere it is shown: well-formed Unicode, no control or invisible formatting
 * characters that could hide or reorder what a reader sees, and no surrounding whitespace.
 */

// C0/C1 controls, DEL, bidirectional overrides and isolates, zero-width and line/paragraph
// separators, BOM: each can make two different certificates look alike on screen.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/u;

// Without the `u` flag a regex sees UTF-16 code units, so unpaired surrogates are visible to it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `value` is well-formed UTF-16 (no unpaired surrogate), i.e. encodable as UTF-8. */
export function isWellFormedUnicode(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Why a text is refused, or `null` when it is acceptable. */
export type PlainTextProblem = 'ill-formed' | 'control-character' | 'surrounding-whitespace';

/** Checks `value` against the rules in the module comment. Does not check length. */
export function plainTextProblem(value: string): PlainTextProblem | null {
  if (!isWellFormedUnicode(value)) return 'ill-formed';
  if (FORBIDDEN.test(value)) return 'control-character';
  if (value.trim() !== value) return 'surrounding-whitespace';
  return null;
}

/** Whether `value` is acceptable certificate text (see the module comment). */
export function isPlainText(value: string): boolean {
  return plainTextProblem(value) === null;
}
