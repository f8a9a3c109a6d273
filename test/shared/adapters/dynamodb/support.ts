import { type AttributeValue, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'vitest';
import type { StoredCertificate } from '#shared/domain/records.ts';

/**
 * What the unit tests of the DynamoDB adapters share: a mocked document client (each test file
 * gets its own module instance, so its own mock), a certificate to store, and cancelled
 * transactions written the way DynamoDB writes them.
 */

export const TABLE = 'certificates-test';
export const url = (listId: string) => `https://dcc.example/v1/status-lists/${listId}`;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const ddb = mockClient(DynamoDBDocumentClient);
export const documentClient = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);

/** A new, active certificate of exchange `sde`, with `overrides`. */
export function certificate(overrides: Partial<StoredCertificate> = {}): StoredCertificate {
  const statusList = overrides.statusList ?? { listId: '0', index: 9000 };
  return {
    id: 'urn:uuid:0195f0c2-7a3b-7000-8000-000000000001',
    certificateNo: '20261120000000000017',
    exchangeId: 'sde',
    transactionRef: 'SDE-2026-000123',
    requestHash: 'a'.repeat(64),
    token: 'eyJhbGciOiJFUzI1NiJ9.eyJpZCI6MX0.c2lnbmF0dXJl',
    issuedAt: '2026-11-20T08:31:00.000Z',
    validUntil: '2027-11-30T23:59:59Z',
    status: 'active',
    statusList,
    statusListCredential: url(statusList.listId),
    revocation: null,
    supersedes: null,
    supersededBy: null,
    ...overrides,
  };
}

/** Plain value → raw attribute value, written independently of the code under test. */
function toAttribute(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toAttribute) };
  if (value instanceof Set) return { NS: [...value].map(String) };
  return { M: toAttributeMap(value as Record<string, unknown>) };
}

/** A plain item as a raw attribute map, as DynamoDB puts it in a cancellation reason. */
export function toAttributeMap(item: Record<string, unknown>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toAttribute(v)]));
}

/** The error of a cancelled transaction, one reason per item (`Item` only with a failed condition). */
export function cancelled(reasons: { Code: string; Item?: Record<string, unknown> }[]) {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    $metadata: {},
    CancellationReasons: reasons.map((r) => ({
      Code: r.Code,
      ...(r.Item ? { Item: toAttributeMap(r.Item), Message: 'The conditional request failed' } : {}),
    })),
  });
}

/** The inputs of every transaction sent so far. */
export function sentTransactions(): TransactWriteCommandInput[] {
  return ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input);
}

/** The input of the one transaction sent (fails the test unless exactly one was). */
export function onlyTransaction() {
  const all = sentTransactions();
  expect(all).toHaveLength(1);
  return all[0] as TransactWriteCommandInput;
}
