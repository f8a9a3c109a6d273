import { describe, expect, it } from 'vitest';
import { isTransactionRef } from '#shared/domain/transaction-ref.ts';

describe('transactionRef', () => {
  it.each(['SDE-2026-000123', 'a', 'A.b_c:d/e-f', '0'.repeat(64), 'urn:sde:tx/2026/11/20-001'])('accepts %j', (ref) => {
    expect(isTransactionRef(ref)).toBe(true);
  });

  it.each(['', '0'.repeat(65), 'SDE 2026', 'SDE#1', 'SDE?x=1', 'SDE%20', '交易-1', 'SDE-1\n', 'a+b', 'a\\b'])('refuses %j', (ref) => {
    expect(isTransactionRef(ref)).toBe(false);
  });
});
