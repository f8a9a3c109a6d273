/**
 * The exchange's own reference of a transaction: 1–64 characters of
 * `A–Z a–z 0–9 . _ : / -`. Together with the exchange it identifies the transaction, so the
 * character set is kept narrow enough to be a storage key and a query parameter unescaped.
 */
export const TRANSACTION_REF_PATTERN = /^[A-Za-z0-9._:/-]{1,64}$/;

/** Whether `value` is a valid transaction reference. */
export function isTransactionRef(value: string): boolean {
  return TRANSACTION_REF_PATTERN.test(value);
}
