import { describe, expect, it } from 'vitest';
import { changeTime, inLifecycleOrder } from '#shared/domain/lifecycle.ts';

describe('changeTime', () => {
  it('dates a change at the clock when it reads after the issuance', () => {
    expect(changeTime('2026-11-20T09:00:00Z', '2026-11-20T10:00:00+08:00')).toBe('2026-11-20T09:00:00.000Z');
    expect(changeTime('2026-11-20T09:00:00Z', '2026-11-20T09:00:00.001Z')).toBe('2026-11-20T09:00:00.001Z');
  });

  it('dates a change at the issuance when the clock reads earlier', () => {
    expect(changeTime('2026-11-20T09:00:00.500Z', '2026-11-20T08:59:59Z')).toBe('2026-11-20T09:00:00.500Z');
  });

  it('refuses what is not a time', () => {
    expect(() => changeTime('yesterday', '2026-11-20T09:00:00Z')).toThrow(TypeError);
    expect(() => changeTime('2026-11-20T09:00:00Z', '')).toThrow(TypeError);
  });
});

describe('inLifecycleOrder', () => {
  it('puts the issuance first even when a later change carries an earlier time', () => {
    const events = [
      { type: 'revoked' as const, at: '2026-11-20T08:00:00Z' },
      { type: 'issued' as const, at: '2026-11-20T09:00:00Z' },
    ];
    expect(inLifecycleOrder(events).map((e) => e.type)).toEqual(['issued', 'revoked']);
    expect(events[0]?.type).toBe('revoked');
  });

  it('orders the other changes by time', () => {
    const events = [
      { type: 'superseded' as const, at: '2026-11-21T00:00:00Z' },
      { type: 'revoked' as const, at: '2026-11-20T23:00:00+08:00' },
      { type: 'issued' as const, at: '2026-11-20T00:00:00Z' },
    ];
    expect(inLifecycleOrder(events).map((e) => e.type)).toEqual(['issued', 'revoked', 'superseded']);
  });
});
