import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeInvisible, isPlainText, isWellFormedUnicode, plainTextProblem, quoteText } from '#shared/domain/text.ts';

/** The classes the rule refuses, as Unicode defines them (not as `text.ts` spells them). */
const REFUSED_CLASSES = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;
const PRESENTATION_SELECTORS = new Set([0xfe0e, 0xfe0f]);

/** The rule as the module states it with regular expressions alone: the reference of its shortcut for common text. */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|(?![\uFE0E\uFE0F])\p{Default_Ignorable_Code_Point}|(?<!\p{Emoji})[\uFE0E\uFE0F]/u;
function regexProblem(value: string): string | null {
  if (!isWellFormedUnicode(value)) return 'ill-formed';
  if (FORBIDDEN.test(value)) return 'control-character';
  return value.trim() !== value ? 'surrounding-whitespace' : null;
}

describe('certificate text', () => {
  it('accepts ordinary names in any script, including astral characters', () => {
    for (const text of ['Alibaba (China) Co., Ltd.', '阿里巴巴（中国）有限公司', 'Société Générale', '𠮷野家', 'a b']) {
      expect(isPlainText(text), text).toBe(true);
    }
  });

  it('accepts letters of many scripts, punctuation, full-width forms and emoji without a joiner', () => {
    const samples = [
      '北京数据交易所有限公司', '深圳數據交易所', 'ＡＢＣ　１２３（株）', '「数据」、《产品》；“引用”—…',
      'Ελληνικά', 'Русский', 'العربية', 'עברית', 'हिन्दी', 'বাংলা', 'தமிழ்', 'ไทย', 'ລາວ', 'မြန်မာ', 'ខ្មែរ',
      '한국어', 'カタカナ ひらがな', 'ქართული', 'Հայերեն', 'አማርኛ', 'ᠮᠣᠩᠭᠣᠯ', 'བོད་ཡིག', 'ئۇيغۇرچە', 'ꆈꌠꉙ',
      'Dvořák & Søn, S.à r.l.', 'a–b — c · d © ® ™ § ¶ ° ± × ÷ € ¥ £', '😀 👍🏽 ❤️ 1️⃣ 🇨🇳 ✓',
    ];
    for (const text of samples) expect(plainTextProblem(text), text).toBeNull();
  });

  it('refuses every control, format, separator and default-ignorable code point, and nothing else', () => {
    // Generated from the Unicode properties of the engine: one pass over every code point.
    const wrong: string[] = [];
    let refused = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp === 0xd800) cp = 0xe000; // surrogates are not characters (see the ill-formed test)
      const c = String.fromCodePoint(cp);
      const inClass = REFUSED_CLASSES.test(c);
      const problem = plainTextProblem(`a${c}b`);
      if (inClass) refused++;
      if ((problem === 'control-character') !== inClass) wrong.push(`U+${cp.toString(16)} ${problem}`);
      if (inClass && !PRESENTATION_SELECTORS.has(cp)) {
        const shown = escapeInvisible(`a${c}b`);
        if (REFUSED_CLASSES.test(shown) || JSON.parse(`"${shown}"`) !== `a${c}b`) wrong.push(`U+${cp.toString(16)} shown as ${shown}`);
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    // Cc alone is 65 code points and Cf over 160; the default-ignorable ranges add thousands.
    expect(refused).toBeGreaterThan(4000);
  });

  it('refuses every Cf character named in the bug: bidi marks, isolates, zero-width joiners, soft hyphen, tags', () => {
    for (const c of ['\u200e', '\u200f', '\u061c', '\u202a', '\u202e', '\u2066', '\u2069', '\u200b', '\u200c', '\u200d', '\u00ad', '\u{e0041}', '\u180e', '\u3164', '\u034f']) {
      expect(plainTextProblem(`a${c}b`), escapeInvisible(c)).toBe('control-character');
    }
    // An emoji ZWJ sequence joins with U+200D, a format character: refused.
    expect(plainTextProblem('👨\u200d👩\u200d👧')).toBe('control-character');
  });

  it('allows the presentation selectors VS15/VS16 only right after an emoji', () => {
    expect(plainTextProblem('\u2764\ufe0f')).toBeNull();
    expect(plainTextProblem('\u2764\ufe0e')).toBeNull();
    expect(plainTextProblem('A\ufe0f')).toBe('control-character');
    expect(plainTextProblem('中\ufe0e')).toBe('control-character');
    expect(plainTextProblem('\u2764\ufe00')).toBe('control-character');
  });

  it('refuses control, bidi-override, zero-width and separator characters', () => {
    for (const text of ['a\u0000b', 'a\nb', 'a\tb', 'a\u007fb', 'a\u0085b', 'a\u202eb', 'a\u2066b', 'a\u200bb', 'a\u2028b', 'a\ufeffb']) {
      expect(plainTextProblem(text), JSON.stringify(text)).toBe('control-character');
    }
  });

  it('refuses surrounding whitespace', () => {
    expect(plainTextProblem(' a')).toBe('surrounding-whitespace');
    expect(plainTextProblem('a\u3000')).toBe('surrounding-whitespace');
  });

  it('answers as the rule\'s regular expressions do for every UTF-16 unit, alone, inside and at either end of text', () => {
    // plainTextProblem reads common text (ASCII, Latin-1, CJK, full-width forms) without the
    // regular expressions: this holds it to them around every boundary of that shortcut.
    const wrong: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const c = String.fromCharCode(unit);
      for (const text of [c, `a${c}b`, `${c}a`, `a${c}`, `数${c}`, `${c}数`, `${c}${c}`, `\u2764${c}`, `（${c}）`]) {
        if (plainTextProblem(text) !== regexProblem(text)) wrong.push(`${escapeInvisible(JSON.stringify(text))}: ${plainTextProblem(text)}`);
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('answers as the regular expressions do for text mixing common characters with the ones around them (fixed seed)', () => {
    const units = [
      'a', 'Z', '0', ' ', '~', '(', 'é', '\u00a0', '\u00ad', '\u00b7', '\u00ff', '\u0100', '\u2010', '\u2014', '\u201c', '\u2027', '\u2028', '\u2029',
      '\u200b', '\u200d', '\u200e', '\u202e', '\u2060', '\u2000', '\u200a', '\u1680', '\u3000', '\u303f', '\u3040', '\u3164', '\u4e00', '\u9fff',
      '\ua000', '\ufeff', '\ufe0e', '\ufe0f', '\uff01', '\uff5e', '\uff5f', '\uffa0', '\u2764', '\u034f', '\u0085', '\u007f', '\t', '\n', '\u0000',
      '数', '（', '、', '\ud800', '\udc00', '\ud83d', '\ude00', '😀', '𠀀', '\u{e0041}',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...units), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(plainTextProblem(text), escapeInvisible(JSON.stringify(text))).toBe(regexProblem(text));
      }),
      { numRuns: 20_000, seed: 20261201 },
    );
  });

  it('refuses lone surrogates', () => {
    expect(isWellFormedUnicode('\ud83d\ude00')).toBe(true);
    expect(isWellFormedUnicode('a\ud83d')).toBe(false);
    expect(isWellFormedUnicode('\ude00a')).toBe(false);
    expect(plainTextProblem('x\ud800y')).toBe('ill-formed');
  });
});

describe('escapeInvisible', () => {
  it('writes controls, format characters and lone surrogates as JSON escapes and leaves the rest', () => {
    expect(escapeInvisible('\u001b[2J\u001b[HVALID')).toBe('\\u001b[2J\\u001b[HVALID');
    expect(escapeInvisible('a\u009bb\u202ec\nd\te\rf')).toBe('a\\u009bb\\u202ec\\u000ad\\u0009e\\u000df');
    expect(escapeInvisible('x\ud800y\u{e0041}')).toBe('x\\ud800y\\udb40\\udc41');
    expect(escapeInvisible('阿里巴巴 ❤️ \\u001b')).toBe('阿里巴巴 ❤️ \\u001b');
  });

  it('rewrites exactly what the regular expressions match, for every UTF-16 unit alone and inside common text', () => {
    // Common text is returned without the regular expression: this holds the shortcut to it.
    const reference = (value: string) =>
      value.replace(new RegExp(`${FORBIDDEN.source}|\\p{Cs}`, 'gu'), (m) => Array.from({ length: m.length }, (_, i) => `\\u${m.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
    const wrong: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const c = String.fromCharCode(unit);
      for (const text of [c, `a${c}b`, `数${c}`, `\u2764${c}`]) {
        if (escapeInvisible(text) !== reference(text)) wrong.push(`U+${unit.toString(16)} in ${JSON.stringify(text)}`);
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(escapeInvisible('a\u00adb')).toBe('a\\u00adb');
  });

  it('keeps JSON text JSON with the same values', () => {
    const value = { 'k\u001b[2J': ['\u009b31m', '\u202eevil', 'tab\there', '❤️', '\u{e0041}'] };
    const escaped = escapeInvisible(JSON.stringify(value, null, 2).replaceAll('\n', '\u0000NL')).replaceAll('\\u0000NL', '\n');
    expect(escaped).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(JSON.parse(escaped)).toEqual(value);
  });

  it('quoteText gives a JSON string literal without raw invisible characters', () => {
    const name = 'x"\u001b[2J\u2066';
    expect(quoteText(name)).toBe('"x\\"\\u001b[2J\\u2066"');
    expect(JSON.parse(quoteText(name))).toBe(name);
  });
});
