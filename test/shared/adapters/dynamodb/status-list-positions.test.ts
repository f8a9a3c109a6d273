import { describe, expect, it } from 'vitest';
import { StatusListPositions } from '#shared/adapters/dynamodb/status-list-positions.ts';

describe('StatusListPositions', () => {
  it('cuts a misaligned block at the end of its list instead of spilling into the next', async () => {
    const ends = [640, 896];
    const positions = new StatusListPositions(
      { advance: async () => ends.shift() ?? Number.NaN, listOpened: async () => {} },
      512,
      256,
    );
    const got = [];
    for (let i = 0; i < 129; i++) got.push(await positions.next());
    expect(got[0]).toEqual({ listId: '0', index: 384 });
    expect(got[127]).toEqual({ listId: '0', index: 511 });
    expect(got[128]).toEqual({ listId: '1', index: 128 });
  });
});
