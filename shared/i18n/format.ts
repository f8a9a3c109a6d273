import type { Locale } from './locale.ts';

/**
 * Values as each language writes them, with the platform's `Intl` (Node's full ICU, the
 * browser's): money, instants and lists. English keeps the forms the page and `dcc` always
 * printed (ISO 8601 UTC instants, `120,000.00 CNY`); Chinese follows Chinese invoices (¥ with
 * grouped digits, the amount in capital numerals, dates in Beijing time with the UTC instant
 * beside them).
 */

/** The time zone Chinese readers date things in: China Standard Time, UTC+8, no daylight saving. */
export const CHINA_TIME_ZONE = 'Asia/Shanghai';

/** `1234567.5` → `1,234,567.5`: thousands grouped, the decimal string otherwise untouched. */
export function groupThousands(value: string): string {
  const [whole = '', fraction] = value.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/**
 * A decimal amount string with its ISO 4217 currency: `120,000.00 CNY` in English, `¥120,000.00`
 * in Chinese (`Intl.NumberFormat`, fed the string itself so no digit passes through a binary
 * float, with exactly the fraction digits written).
 */
export function formatAmount(value: string, currency: string, locale: Locale): string {
  if (locale === 'en') return `${groupThousands(value)} ${currency}`;
  const digits = value.includes('.') ? value.length - value.indexOf('.') - 1 : 0;
  try {
    const format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    // A string argument is formatted as an exact decimal (ECMA-402 2023); older engines take
    // it as a Number, still right for every amount with 15 significant digits or fewer.
    return format.format(value as unknown as number);
  } catch {
    return `${groupThousands(value)} ${currency}`;
  }
}

const CAPITAL_DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'] as const;
const IN_GROUP = ['仟', '佰', '拾', ''] as const;
const GROUPS = ['', '万', '亿', '万亿'] as const;

/**
 * A renminbi amount in capital numerals, as cheques, invoices and payment slips write it
 * ("大写"): `120000.00` → `壹拾贰万元整`, `16409.02` → `壹万陆仟肆佰零玖元零贰分`. The rules of the
 * People's Bank of China for filling in payment instruments: 整 after 元 when nothing follows;
 * one 零 for any run of zeros inside the number; 零 after 元 when 角 is zero and 分 is not.
 * Null when the amount has more than 16 integer digits or more than 2 fraction digits.
 */
export function renminbiInCapitals(value: string): string | null {
  const m = /^(\d{1,16})(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) return null;
  const whole = (m[1] as string).replace(/^0+(?=\d)/, '');
  const [jiao = 0, fen = 0] = (m[2] ?? '').padEnd(2, '0').split('').map(Number);
  let words = '';
  if (whole !== '0') {
    const padded = whole.padStart(Math.ceil(whole.length / 4) * 4, '0');
    const groupCount = padded.length / 4;
    let zero = false;
    for (let g = 0; g < groupCount; g++) {
      const group = padded.slice(g * 4, g * 4 + 4);
      if (group === '0000') {
        if (words !== '') zero = true;
        continue;
      }
      for (let i = 0; i < 4; i++) {
        const digit = Number(group[i]);
        if (digit === 0) {
          if (words !== '') zero = true;
          continue;
        }
        if (zero) words += '零';
        zero = false;
        words += `${CAPITAL_DIGITS[digit]}${IN_GROUP[i]}`;
      }
      words += GROUPS[groupCount - 1 - g];
    }
    words += '元';
  }
  if (jiao === 0 && fen === 0) return words === '' ? '零元整' : `${words}整`;
  if (jiao !== 0) words += `${CAPITAL_DIGITS[jiao]}角`;
  else if (words !== '') words += '零';
  if (fen !== 0) words += `${CAPITAL_DIGITS[fen]}分`;
  return words;
}

const chinaDateTime = new Map<Locale, Intl.DateTimeFormat>();

/**
 * An RFC 3339 instant for people: English keeps the ISO 8601 UTC form; Chinese shows the date
 * and time in Beijing time (`2026年11月20日 16:30:00`) followed by the UTC instant, so the
 * wall-clock reading and the exact instant are both on the line.
 */
export function formatInstant(iso: string, locale: Locale): string {
  if (locale === 'en') return iso;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let format = chinaDateTime.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone: CHINA_TIME_ZONE,
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    chinaDateTime.set(locale, format);
  }
  return `${format.format(date)}（北京时间，${iso}）`;
}

/** Seconds since the epoch as the RFC 3339 UTC instant the certificate means (no milliseconds). */
export function instantOfSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * A list of names (`Intl.ListFormat`): `a, b, c` in English, as the page and `dcc` always wrote
 * it; `a、b和c` in Chinese.
 */
export function formatList(items: readonly string[], locale: Locale): string {
  const options: Intl.ListFormatOptions = locale === 'en' ? { type: 'unit', style: 'short' } : { type: 'conjunction' };
  return new Intl.ListFormat(locale, options).format(items);
}

/** A certificate number in groups of four, as printed on the paper form. */
export function formatCertificateNo(no: string): string {
  return no.replace(/(\d{4})(?=\d)/g, '$1 ');
}
