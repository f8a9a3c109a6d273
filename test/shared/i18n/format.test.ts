import { describe, expect, it } from 'vitest';
import { formatAmount, formatInstant, formatList, renminbiInCapitals } from '#shared/i18n/format.ts';

describe('renminbiInCapitals (the rules for filling in payment instruments)', () => {
  it.each([
    ['120000.00', '壹拾贰万元整'],
    ['120000', '壹拾贰万元整'],
    ['1680.32', '壹仟陆佰捌拾元叁角贰分'],
    ['16409.02', '壹万陆仟肆佰零玖元零贰分'],
    ['107000.53', '壹拾万零柒仟元伍角叁分'],
    ['100000001', '壹亿零壹元整'],
    ['325.04', '叁佰贰拾伍元零肆分'],
    ['1.1', '壹元壹角'],
    ['10', '壹拾元整'],
    ['0.50', '伍角'],
    ['0.05', '伍分'],
    ['1000000000000', '壹万亿元整'],
    ['9999999999999999.99', '玖仟玖佰玖拾玖万亿玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分'],
  ])('%s → %s', (value, words) => {
    expect(renminbiInCapitals(value)).toBe(words);
  });

  it('declines what it cannot write exactly', () => {
    expect(renminbiInCapitals('10000000000000000')).toBeNull();
    expect(renminbiInCapitals('1.005')).toBeNull();
    expect(renminbiInCapitals('-1')).toBeNull();
  });
});

describe('formatAmount', () => {
  it('keeps every digit of the decimal string', () => {
    expect(formatAmount('120000.00', 'CNY', 'en')).toBe('120,000.00 CNY');
    expect(formatAmount('120000.00', 'CNY', 'zh-CN')).toBe('¥120,000.00');
    expect(formatAmount('123456789012345678.12', 'CNY', 'zh-CN')).toBe('¥123,456,789,012,345,678.12');
    expect(formatAmount('1000.5', 'USD', 'zh-CN')).toBe('US$1,000.5');
    expect(formatAmount('1000', 'JPY', 'zh-CN')).toBe('JP¥1,000');
  });
});

describe('formatInstant', () => {
  it('keeps ISO 8601 UTC in English; Beijing time with the UTC instant in Chinese', () => {
    expect(formatInstant('2026-11-20T08:30:00Z', 'en')).toBe('2026-11-20T08:30:00Z');
    expect(formatInstant('2026-11-20T08:30:00Z', 'zh-CN')).toBe('2026年11月20日 16:30:00（北京时间，2026-11-20T08:30:00Z）');
    // Past midnight in Beijing, the date moves on.
    expect(formatInstant('2026-12-31T17:00:00Z', 'zh-CN')).toBe('2027年1月1日 01:00:00（北京时间，2026-12-31T17:00:00Z）');
  });
});

describe('formatList', () => {
  it('writes lists as each language does', () => {
    expect(formatList(['hold', 'process-use', 'operate'], 'en')).toBe('hold, process-use, operate');
    expect(formatList(['数据资源持有权', '数据加工使用权', '数据产品经营权'], 'zh-CN')).toBe('数据资源持有权、数据加工使用权和数据产品经营权');
  });
});
