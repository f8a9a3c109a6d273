import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { refusalTexts } from './support/refusal-texts.ts';

const script = fileURLToPath(new URL('./support/refusal-texts.ts', import.meta.url));

describe("the schemas' refusal texts", () => {
  it('are English whether or not the full zod is loaded in the same process', async () => {
    // A process with zod/mini alone: the schemas' own locale module must supply the texts.
    const alone = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' })) as unknown;
    // This process, after the full zod has built a schema (and so installed its default locale).
    const z = await import('zod');
    z.string().parse('x');
    expect(alone).toEqual(refusalTexts());
    expect(alone).toMatchObject({
      problems: expect.arrayContaining([
        { pointer: '/transactionRef', message: 'must be a string' },
        { pointer: '/tradedAt', message: 'is required' },
        { pointer: '/amount/rate', message: 'is not an accepted member' },
      ]),
      messages: expect.arrayContaining(['iat: Invalid input: expected int, received number', 'id: Invalid input: expected string, received undefined']),
    });
  }, 30_000);
});
