import { describe, expect, it } from 'vitest';
import { isPlainText, isWellFormedUnicode, plainTextProblem } from '#shared/domain/text.ts';

describe('certificate text', () => {
  it('accepts ordinary names in any script, including astral characters', () => {
    for (const text of ['Alibaba (China) Co., Ltd.', '阿里巴巴（中国）有限公司', 'Société Générale', '𠮷野家', 'a b']) {
      expect(isPlainText(text), text).toBe(true);
    }
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

  it('refuses lone surrogates', () => {
    expect(isWellFormedUnicode('\ud83d\ude00')).toBe(true);
    expect(isWellFormedUnicode('a\ud83d')).toBe(false);
    expect(isWellFormedUnicode('\ude00a')).toBe(false);
    expect(plainTextProblem('x\ud800y')).toBe('ill-formed');
  });
});
