/**
 * The languages people read this product in, and how a reader's language is chosen: from an
 * HTTP `Accept-Language` header (the service's problem documents), from the POSIX locale
 * variables or `--lang` (`dcc`), from `navigator.languages` or the reader's own choice (the page).
 *
 * Chinese means Simplified Chinese as written in mainland China (`zh-CN`). Tags that name the
 * Traditional script, explicitly (`zh-Hant`) or by a region that writes it (`zh-TW`, `zh-HK`,
 * `zh-MO`), do not select it: CLDR does not make `zh-Hant` a child of `zh`, and a reader who asked
 * for Traditional characters gets the next language they listed, else English, and can switch.
 */

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** What a reader who states no usable preference gets: the language the API always spoke. */
export const DEFAULT_LOCALE: Locale = 'en';

/** `value` if it names one of {@link LOCALES} exactly (the `--lang` option, a stored choice). */
export function asLocale(value: unknown): Locale | null {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value) ? (value as Locale) : null;
}

const TRADITIONAL_REGIONS = new Set(['tw', 'hk', 'mo']);

/**
 * The locale a BCP 47 language tag (or POSIX `zh_CN`) selects, or null: `en`, `en-US`, `en-GB`...
 * are English; `zh`, `zh-CN`, `zh-Hans`, `zh-Hans-CN`, `zh-SG`, `cmn-Hans-CN` are Simplified
 * Chinese; Traditional tags and every other language select nothing.
 */
export function localeOfTag(tag: string): Locale | null {
  if (!/^[A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8})*$/.test(tag)) return null;
  const [primary, ...rest] = tag.toLowerCase().split(/[-_]/);
  if (primary === 'en') return 'en';
  if (primary !== 'zh' && primary !== 'cmn') return null;
  // zh-cmn-Hans: the extended language subtag says Mandarin, which is what zh means here anyway.
  const subtags = rest[0] === 'cmn' ? rest.slice(1) : rest;
  const script = subtags.find((s) => s.length === 4 && /^[a-z]{4}$/.test(s));
  if (script === 'hant') return null;
  if (script === 'hans') return 'zh-CN';
  if (script !== undefined) return null;
  const region = subtags.find((s) => /^([a-z]{2}|\d{3})$/.test(s));
  return region !== undefined && TRADITIONAL_REGIONS.has(region) ? null : 'zh-CN';
}

interface WeightedRange {
  range: string;
  q: number;
  order: number;
}

/** The ranges of an `Accept-Language` value with their weights (RFC 9110); malformed members are skipped. */
function parseAcceptLanguage(header: string): WeightedRange[] {
  const ranges: WeightedRange[] = [];
  header.split(',').forEach((member, order) => {
    const [rangePart = '', ...params] = member.split(';').map((p) => p.trim());
    if (rangePart !== '*' && !/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(rangePart)) return;
    let q = 1;
    for (const param of params) {
      const m = /^q\s*=\s*(0(\.\d{0,3})?|1(\.0{0,3})?)$/i.exec(param);
      if (!m) return;
      q = Number(m[1]);
    }
    ranges.push({ range: rangePart, q, order });
  });
  return ranges.sort((a, b) => b.q - a.q || a.order - b.order);
}

/**
 * The locale for a request's `Accept-Language` (absent, empty or unusable: the default). Ranges
 * are tried by weight, then in the order written; `q=0` excludes a language, and `*` stands for
 * any language not excluded (the default first).
 */
export function negotiateAcceptLanguage(header: string | undefined | null): Locale {
  if (!header) return DEFAULT_LOCALE;
  const ranges = parseAcceptLanguage(header.slice(0, 1024));
  const excluded = new Set(ranges.filter((r) => r.q === 0 && r.range !== '*').map((r) => localeOfTag(r.range)));
  for (const { range, q } of ranges) {
    if (q === 0) continue;
    if (range === '*') {
      const any = [DEFAULT_LOCALE, ...LOCALES].find((l) => !excluded.has(l));
      if (any) return any;
      continue;
    }
    const locale = localeOfTag(range);
    if (locale && !excluded.has(locale)) return locale;
  }
  return DEFAULT_LOCALE;
}

/**
 * The locale of a POSIX environment: the first non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG`
 * (the order POSIX gives them for messages), as `language[_territory][.codeset][@modifier]`.
 * `C`, `POSIX` and languages without a catalogue are English.
 */
export function localeFromEnv(env: Readonly<Record<string, string | undefined>>): Locale {
  const value = [env['LC_ALL'], env['LC_MESSAGES'], env['LANG']].find((v) => v !== undefined && v !== '');
  if (value === undefined) return DEFAULT_LOCALE;
  const name = value.split(/[.@]/)[0] ?? '';
  return localeOfTag(name) ?? DEFAULT_LOCALE;
}

/** The first of a browser's `navigator.languages` that selects a locale, else the default. */
export function localeFromList(tags: readonly string[]): Locale {
  for (const tag of tags) {
    const locale = localeOfTag(tag);
    if (locale) return locale;
  }
  return DEFAULT_LOCALE;
}
