import { describe, expect, it } from 'vitest';
import { fromAttributeMap, sortableTime } from '#shared/adapters/dynamodb/marshalling.ts';
import { toAttributeMap } from './support.ts';

describe('marshalling', () => {
  it('orders event times as times, whatever their RFC 3339 spelling', () => {
    const spelled = ['2026-01-01T00:00:00.500Z', '2026-01-01T00:00:00Z', '2026-01-01T08:00:00.250+08:00'];
    const sorted = spelled.map(sortableTime).sort();
    expect(sorted).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.250Z', '2026-01-01T00:00:00.500Z']);
    expect(() => sortableTime('yesterday')).toThrow(TypeError);
  });

  it('reads raw attribute maps, including number sets and nested maps', () => {
    const raw = toAttributeMap({ a: 'x', n: 12.5, z: null, m: { l: ['y', 1] }, s: new Set([3, 1]) });
    expect(fromAttributeMap(raw)).toEqual({ a: 'x', n: 12.5, z: null, m: { l: ['y', 1] }, s: new Set([1, 3]) });
  });
});
