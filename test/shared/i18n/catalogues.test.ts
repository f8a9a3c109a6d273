import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { certificateMessages } from '#shared/i18n/messages/certificate.ts';
import { cliMessages } from '#shared/i18n/messages/cli.ts';
import { pageMessages } from '#shared/i18n/messages/page.ts';
import { problemMessages } from '#shared/i18n/messages/problems.ts';
import { type Catalogue, type Messages, placeholdersIn, renderMessage } from '#shared/i18n/translate.ts';
import { problemCatalog, problemTitle, type ProblemCode } from '#shared/http/problems.ts';

/**
 * Every catalogue has the same keys in both languages, each message of the same kind (text or
 * plural) with exactly the same placeholders; no message is empty or left untranslated.
 */

const CATALOGUES: Record<string, Catalogue<Messages>> = {
  certificate: certificateMessages,
  cli: cliMessages,
  page: pageMessages,
  problems: problemMessages,
};

/** English words that may stand in Chinese text: standards, media types, product and field names. */
const KEPT_IN_CHINESE = /\b(JSON|API|USCC|application\/json|Content-Type|DynamoDB Local|vc\+sd-jwt|audience|nonce|jwks|URL|UTC|P-256|tile|ns|online)\b/g;

describe.each(Object.entries(CATALOGUES))('the %s catalogue', (_name, catalogue) => {
  const en = catalogue.en;
  const zh = catalogue['zh-CN'] as Messages;

  it('has the same keys in both languages', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it('has the same placeholders and the same kind of message for every key', () => {
    for (const key of Object.keys(en)) {
      const a = en[key]!;
      const b = zh[key]!;
      expect(typeof b, key).toBe(typeof a);
      expect(placeholdersIn(b), key).toEqual(placeholdersIn(a));
    }
  });

  it('has no empty message, and every Chinese message is written in Chinese', () => {
    for (const key of Object.keys(en)) {
      const b = zh[key]!;
      for (const text of typeof b === 'string' ? [b] : [b.other, ...(b.one === undefined ? [] : [b.one])]) {
        expect(text.trim(), key).not.toBe('');
        const words = text.replace(/\{[A-Za-z]+\}/g, '').replace(KEPT_IN_CHINESE, '');
        // Either Chinese characters, or nothing but placeholders, digits and punctuation.
        expect(/[\u4e00-\u9fff]/.test(words) || !/[A-Za-z]{2,}/.test(words), `${key}: ${text}`).toBe(true);
      }
    }
  });
});

describe('problem titles', () => {
  it('exist in both languages for every code of the problem catalog', () => {
    for (const code of Object.keys(problemCatalog) as ProblemCode[]) {
      expect(problemTitle(code, 'en'), code).toBe(problemCatalog[code].title);
      expect(problemTitle(code, 'zh-CN'), code).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('rendering', () => {
  it('fills placeholders and picks the plural form by Intl.PluralRules', () => {
    const compliance = problemMessages.en['detail.compliance-violations'];
    expect(renderMessage('en', compliance, { count: 1 })).toBe('The transaction violates 1 compliance rule.');
    expect(renderMessage('en', compliance, { count: 3 })).toBe('The transaction violates 3 compliance rules.');
    expect(renderMessage('zh-CN', problemMessages['zh-CN']['detail.compliance-violations'], { count: 1 })).toBe('该交易违反 1 项合规规则。');
  });

  it('refuses a missing parameter instead of printing the placeholder', () => {
    expect(() => renderMessage('en', 'No certificate {id}.', {})).toThrow(/parameter id is missing/);
  });
});

describe('the page', () => {
  it('names only messages of its catalogue in data-i18n attributes, and every one of them', async () => {
    const html = await readFile('web/page/verify-page.html', 'utf8');
    const named = [...html.matchAll(/data-i18n(?:-alt)?="([^"]+)"/g)].map((m) => m[1] as string);
    expect(named.length).toBeGreaterThan(10);
    for (const key of named) expect(Object.hasOwn(pageMessages.en, key), key).toBe(true);
  });
});
