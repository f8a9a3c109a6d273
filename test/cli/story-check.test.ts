import { describe, expect, it } from 'vitest';
import { StoryCheck } from '../../cli/commands/log.ts';
import type { LogEntry } from '#shared/transparency/entry.ts';

/** The monitor's per-certificate story, kept as digests in a compact table (cli/commands/log.ts). */

const entry = (n: number, event: LogEntry['event'] = 'issued', change: Partial<LogEntry> = {}): LogEntry => ({
  v: 1,
  event,
  id: `0192f3a4-5b6c-7d8e-9f01-${String(n).padStart(12, '0')}`,
  certificateNo: `DCC${String(n).padStart(17, '0')}`,
  tokenSha256: n.toString(16).padStart(64, '0'),
  at: '2027-01-01T00:00:00Z',
  statusListIndex: n,
  ...change,
});

describe('StoryCheck', () => {
  it('accepts 5000 issues and their revocations (the table grows several times) and flags every incoherence', () => {
    const story = new StoryCheck();
    const problems: string[] = [];
    let i = 0;
    const add = (e: LogEntry) => {
      const p = story.add(e, i++);
      if (p) problems.push(p);
    };
    for (let n = 0; n < 5000; n++) add(entry(n));
    for (let n = 0; n < 5000; n += 2) add(entry(n, 'revoked', { reason: 'unspecified' }));
    expect(problems).toEqual([]);

    add(entry(1)); // issued twice
    add(entry(2, 'revoked')); // revoked twice
    add(entry(3, 'revoked', { tokenSha256: 'f'.repeat(64) })); // another token hash
    add(entry(5, 'superseded', { statusListIndex: 6 })); // another status index
    add(entry(9999, 'revoked')); // never issued
    add(entry(7, 'revoked')); // fine: first revocation
    expect(problems).toEqual([
      `entry 7500: ${entry(1).id} issued twice`,
      `entry 7501: ${entry(2).id} revoked twice`,
      `entry 7502: ${entry(3).id} has a different number, token hash or status index than in its first entry`,
      `entry 7503: ${entry(5).id} has a different number, token hash or status index than in its first entry`,
      `entry 7504: revoked ${entry(9999).id} before it was issued`,
    ]);
  });
});
