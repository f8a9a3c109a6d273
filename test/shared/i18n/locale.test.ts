import { describe, expect, it } from 'vitest';
import { localeFromEnv, localeFromList, localeOfTag, negotiateAcceptLanguage } from '#shared/i18n/locale.ts';

/** How a reader's language is chosen from each source (docs/glossary.md, "Languages"). */

describe('negotiateAcceptLanguage', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['zh', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh-cn', 'zh-CN'],
    ['zh-Hans', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-SG', 'zh-CN'],
    ['zh-Hans-HK', 'zh-CN'],
    // Traditional Chinese: no catalogue; the next language listed, else English.
    ['zh-TW', 'en'],
    ['zh-HK', 'en'],
    ['zh-Hant', 'en'],
    ['zh-Hant-CN', 'en'],
    ['zh-TW, zh-CN;q=0.5', 'zh-CN'],
    ['en-US', 'en'],
    ['en-GB,en;q=0.9', 'en'],
    ['fr-FR, de;q=0.9', 'en'],
    ['fr-FR, zh;q=0.1', 'zh-CN'],
    ['*', 'en'],
    ['fr, *;q=0.5', 'en'],
    ['en;q=0, *', 'zh-CN'],
    ['en;q=0.5, zh-CN;q=0.9', 'zh-CN'],
    ['zh-CN;q=0.5, en;q=0.5', 'zh-CN'],
    ['en;q=0.5, zh-CN;q=0.5', 'en'],
    ['zh-CN;q=0, en', 'en'],
    ['zh-CN;q=0', 'en'],
    // Malformed members are skipped, not fatal.
    ['zh-CN;q=2, en', 'en'],
    ['zh-CN;q=0.0001, en;q=0.1', 'en'],
    ['zh-CN;level=1, en;q=0.5', 'en'],
    [';;;,=q', 'en'],
    ['i-klingon, 12-34, zh', 'zh-CN'],
    ['zh_CN', 'en'],
    ['x'.repeat(5000), 'en'],
  ])('%j → %s', (header, locale) => {
    expect(negotiateAcceptLanguage(header)).toBe(locale);
  });
});

describe('localeFromEnv (POSIX precedence: LC_ALL, LC_MESSAGES, LANG)', () => {
  it.each([
    [{}, 'en'],
    [{ LANG: 'zh_CN.UTF-8' }, 'zh-CN'],
    [{ LANG: 'zh_CN.GB18030' }, 'zh-CN'],
    [{ LANG: 'zh_CN' }, 'zh-CN'],
    [{ LANG: 'zh_TW.UTF-8' }, 'en'],
    [{ LANG: 'en_US.UTF-8' }, 'en'],
    [{ LANG: 'C.UTF-8' }, 'en'],
    [{ LANG: 'POSIX' }, 'en'],
    [{ LANG: 'de_DE.UTF-8@euro' }, 'en'],
    [{ LANG: 'en_US.UTF-8', LC_MESSAGES: 'zh_CN.UTF-8' }, 'zh-CN'],
    [{ LANG: 'zh_CN.UTF-8', LC_ALL: 'C' }, 'en'],
    [{ LANG: 'zh_CN.UTF-8', LC_ALL: '' }, 'zh-CN'],
    [{ LC_ALL: 'zh_CN.UTF-8', LC_MESSAGES: 'en_US.UTF-8', LANG: 'en_US.UTF-8' }, 'zh-CN'],
  ])('%j → %s', (env, locale) => {
    expect(localeFromEnv(env)).toBe(locale);
  });
});

describe('localeFromList (navigator.languages)', () => {
  it.each([
    [[], 'en'],
    [['zh-CN', 'zh', 'en'], 'zh-CN'],
    [['zh-TW', 'zh-CN'], 'zh-CN'],
    [['zh-TW', 'ja'], 'en'],
    [['fr', 'zh'], 'zh-CN'],
    [['en-US', 'zh-CN'], 'en'],
  ])('%j → %s', (list, locale) => {
    expect(localeFromList(list)).toBe(locale);
  });
});

describe('localeOfTag', () => {
  it('reads the extended language subtag and cmn', () => {
    expect(localeOfTag('zh-cmn-Hans-CN')).toBe('zh-CN');
    expect(localeOfTag('cmn-Hans')).toBe('zh-CN');
    expect(localeOfTag('yue-HK')).toBeNull();
    expect(localeOfTag('')).toBeNull();
  });
});
