import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_TRANSACTION_ATTEMPTS,
  TableClient,
  cancellationReasons,
  cancelledByContention,
  failedCondition,
} from '#shared/adapters/dynamodb/table-client.ts';
import { TABLE, UUID, cancelled, ddb, documentClient, sentTransactions } from './support.ts';

const table = () => new TableClient(documentClient, TABLE);
const put = { Put: { TableName: TABLE, Item: { pk: 'A', sk: 'B' } } };

beforeEach(() => {
  ddb.reset();
});
afterEach(() => {
  ddb.reset();
});

describe('cancellationReasons', () => {
  it('reads the reasons of a cancelled transaction in item order, with the stored item', () => {
    const reasons = cancellationReasons(cancelled([{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { id: 'x' } }]));
    expect(reasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(reasons?.[1]?.Item).toEqual({ id: { S: 'x' } });
    expect(failedCondition(reasons?.[0])).toBe(false);
    expect(failedCondition(reasons?.[1])).toBe(true);
  });

  it('reads a cancellation by its name, whichever copy of the SDK made it, and nothing else', () => {
    const foreign = Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'TransactionConflict' }] });
    expect(cancellationReasons(foreign)).toEqual([{ Code: 'TransactionConflict' }]);
    expect(cancellationReasons(Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException' }))).toEqual([]);
    expect(cancellationReasons(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' }))).toBeNull();
    expect(cancellationReasons('TransactionCanceledException')).toBeNull();
    expect(cancellationReasons(null)).toBeNull();
  });

  it('calls a cancellation contention only when no condition failed', () => {
    expect(cancelledByContention([{ Code: 'None' }, { Code: 'TransactionConflict' }])).toBe(true);
    expect(cancelledByContention([{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }])).toBe(false);
    expect(cancelledByContention([{ Code: 'ThrottlingError' }])).toBe(false);
    expect(cancelledByContention(null)).toBe(false);
  });
});

describe('TableClient.transact', () => {
  it('sends the items as one transaction with a fresh request token', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await table().transact([put]);
    await table().transact([put]);
    const [a, b] = sentTransactions();
    expect(a?.TransactItems).toEqual([put]);
    expect(a?.ClientRequestToken).toMatch(UUID);
    expect(b?.ClientRequestToken).toMatch(UUID);
    expect(a?.ClientRequestToken).not.toBe(b?.ClientRequestToken);
  });

  it('gives up on contention after the last attempt and throws the cancellation as it came', async () => {
    const contention = cancelled([{ Code: 'TransactionConflict' }]);
    ddb.on(TransactWriteCommand).rejects(contention);
    await expect(table().transact([put])).rejects.toBe(contention);
    expect(sentTransactions()).toHaveLength(MAX_TRANSACTION_ATTEMPTS);
    expect(new Set(sentTransactions().map((t) => t.ClientRequestToken)).size).toBe(MAX_TRANSACTION_ATTEMPTS);
  });

  it('runs once when asked for one attempt, and never repeats a failed condition', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled([{ Code: 'TransactionConflict' }]));
    await expect(table().transact([put], 1)).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(sentTransactions()).toHaveLength(1);

    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled([{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }]));
    await expect(table().transact([put])).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(sentTransactions()).toHaveLength(1);
  });
});

describe('TableClient reads', () => {
  it('gets one item strongly consistent, null when absent', async () => {
    ddb.on(GetCommand).resolvesOnce({ Item: { pk: 'A', sk: 'B', v: 1 } }).resolvesOnce({});
    await expect(table().get({ pk: 'A', sk: 'B' })).resolves.toEqual({ pk: 'A', sk: 'B', v: 1 });
    await expect(table().get({ pk: 'A', sk: 'C' })).resolves.toBeNull();
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({ TableName: TABLE, Key: { pk: 'A', sk: 'B' }, ConsistentRead: true });
  });

  it('queries every page, strongly consistent', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ n: 1 }], LastEvaluatedKey: { pk: 'A', sk: '1' } })
      .resolvesOnce({ Items: [{ n: 2 }] });
    const items = await table().queryAll({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': 'A' },
    });
    expect(items).toEqual([{ n: 1 }, { n: 2 }]);
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.ConsistentRead)).toEqual([true, true]);
    expect(calls[1]?.ExclusiveStartKey).toEqual({ pk: 'A', sk: '1' });
  });

  it('puts new items only where the key is free', () => {
    expect(table().putNew({ pk: 'A', sk: 'B' })).toEqual({
      Put: { TableName: TABLE, Item: { pk: 'A', sk: 'B' }, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } },
    });
  });
});
