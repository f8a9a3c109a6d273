import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { certificateMessages } from '#shared/i18n/messages/certificate.ts';
import { cliMessages } from '#shared/i18n/messages/cli.ts';
import { pageMessages } from '#shared/i18n/messages/page.ts';
import { problemMessages } from '#shared/i18n/messages/problems.ts';
import type { Messages } from '#shared/i18n/translate.ts';

/**
 * docs/glossary.md and the catalogues say the same: each catalogue entry the glossary names reads
 * exactly as its Chinese term, and no Chinese message uses a word the glossary says to avoid.
 */

const CHINESE: Record<string, Messages> = {
  certificate: certificateMessages['zh-CN'],
  cli: cliMessages['zh-CN'],
  page: pageMessages['zh-CN'],
  problems: problemMessages['zh-CN'],
};

interface Term {
  chinese: string;
  avoid: string[];
  keys: string[];
}

async function glossary(): Promise<Term[]> {
  const text = await readFile('docs/glossary.md', 'utf8');
  const table = text.slice(text.indexOf('## Terms'), text.indexOf('## Where each language is chosen'));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| 中文') && !line.startsWith('|---'))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      const list = (cell: string | undefined) => (cell ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      return { chinese: cells[0] ?? '', avoid: list(cells[2]), keys: list(cells[3]) };
    });
}

function textsOf(message: Messages[string]): string[] {
  return typeof message === 'string' ? [message] : [message.other, ...(message.one === undefined ? [] : [message.one])];
}

describe('the glossary', () => {
  it('is read (the table parses)', async () => {
    const terms = await glossary();
    expect(terms.length).toBeGreaterThan(30);
    expect(terms.map((t) => t.chinese)).toContain('数据合规流通数字证书');
  });

  it('names catalogue entries that read exactly as its terms', async () => {
    for (const term of await glossary()) {
      for (const ref of term.keys) {
        const [catalogue = '', key = ''] = ref.split(':');
        const table = CHINESE[catalogue];
        expect(table, ref).toBeDefined();
        expect(Object.hasOwn(table!, key), ref).toBe(true);
        expect(table![key], ref).toBe(term.chinese);
      }
    }
  });

  it('has no avoided word in any Chinese message', async () => {
    const avoided = (await glossary()).flatMap((t) => t.avoid.map((word) => ({ word, instead: t.chinese })));
    expect(avoided.length).toBeGreaterThan(3);
    for (const [name, table] of Object.entries(CHINESE)) {
      for (const [key, message] of Object.entries(table)) {
        for (const text of textsOf(message)) {
          for (const { word, instead } of avoided) expect(text.includes(word), `${name}:${key} says ${word}; the glossary says ${instead}`).toBe(false);
        }
      }
    }
  });
});
