import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStatusListStore } from '#shared/adapters/dynamodb/status-list-store.ts';
import { STATUS_LIST_ID_PATTERN } from '#shared/domain/schemas/api.ts';
import { TABLE, ddb, documentClient } from './support.ts';

function newStore(options: { blockSize?: number; statusListSize?: number } = {}) {
  return new DynamoDbStatusListStore({ client: documentClient, tableName: TABLE, ...options });
}

beforeEach(() => {
  ddb.reset();
});
afterEach(() => {
  ddb.reset();
});

describe('status list positions', () => {
  function counter(start = 0) {
    let next = start;
    ddb.on(UpdateCommand).callsFake((input: { Key: { sk: string }; ExpressionAttributeValues: Record<string, number> }) => {
      if (input.Key.sk !== 'COUNTER') return {};
      next += input.ExpressionAttributeValues[':by'] ?? 0;
      return { Attributes: { next } };
    });
  }
  const counterCalls = () => ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.['sk'] === 'COUNTER');
  const headCalls = () => ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.['sk'] === 'HEAD');

  it('reserves 1000 concurrent positions with 4 counter writes of 256, each handed out once', async () => {
    counter();
    const store = newStore({ blockSize: 256 });
    const positions = await Promise.all(Array.from({ length: 1000 }, () => store.reserveStatusListPosition()));

    expect(counterCalls()).toHaveLength(4);
    for (const call of counterCalls()) {
      expect(call.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: 'STATUSLIST', sk: 'COUNTER' },
        UpdateExpression: 'ADD #next :by',
        ExpressionAttributeNames: { '#next': 'next' },
        ExpressionAttributeValues: { ':by': 256 },
        ReturnValues: 'UPDATED_NEW',
      });
    }
    const indexes = positions.map((p) => p.index).sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new Set(positions.map((p) => p.listId))).toEqual(new Set(['0']));
    // The list is opened once: its head exists before any of its positions is handed out.
    expect(headCalls().map((c) => c.args[0].input.UpdateExpression)).toEqual(['ADD #version :zero']);
  });

  it('moves to the next list at the boundary and opens it', async () => {
    counter(256);
    const store = newStore({ blockSize: 256, statusListSize: 512 });
    const got = [];
    for (let i = 0; i < 258; i++) got.push(await store.reserveStatusListPosition());
    expect(got[0]).toEqual({ listId: '0', index: 256 });
    expect(got[255]).toEqual({ listId: '0', index: 511 });
    expect(got[256]).toEqual({ listId: '1', index: 0 });
    expect(headCalls().map((c) => c.args[0].input.Key)).toEqual([
      { pk: 'STATUSLIST#0', sk: 'HEAD' },
      { pk: 'STATUSLIST#1', sk: 'HEAD' },
    ]);
  });

  it('refuses a block size that does not divide the list size', () => {
    expect(() => newStore({ blockSize: 300 })).toThrow(TypeError);
  });

  it('passes a failed reservation to every waiter and tries again on the next call', async () => {
    let fail = true;
    ddb.on(UpdateCommand).callsFake(() => {
      if (fail) throw new Error('unavailable');
      return { Attributes: { next: 256 } };
    });
    const store = newStore();
    const results = await Promise.allSettled([store.reserveStatusListPosition(), store.reserveStatusListPosition()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    fail = false;
    await expect(store.reserveStatusListPosition()).resolves.toEqual({ listId: '0', index: 0 });
  });
});

describe('revokedIndexes', () => {
  it('reads the whole list partition, page by page, consistently', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          { pk: 'STATUSLIST#2', sk: 'HEAD', version: 3 },
          { pk: 'STATUSLIST#2', sk: 'SHARD#1', revoked: new Set([9000, 8192]) },
        ],
        LastEvaluatedKey: { pk: 'STATUSLIST#2', sk: 'SHARD#1' },
      })
      .resolvesOnce({ Items: [{ pk: 'STATUSLIST#2', sk: 'SHARD#0', revoked: new Set([5]) }] });
    const result = await newStore().revokedIndexes('2');

    expect(result).toEqual({ indexes: [5, 8192, 9000], version: '3' });
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ ConsistentRead: true, ExpressionAttributeValues: { ':pk': 'STATUSLIST#2' } });
    expect(calls[1]?.ExclusiveStartKey).toEqual({ pk: 'STATUSLIST#2', sk: 'SHARD#1' });
  });

  it('is null for a list nobody was placed in, and for a non-canonical id without a query', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const store = newStore();
    await expect(store.revokedIndexes('7')).resolves.toBeNull();
    await expect(store.revokedIndexes('07')).resolves.toBeNull();
    await expect(store.revokedIndexes('1e3')).resolves.toBeNull();
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it('accepts the list ids the status-list route accepts, and no others', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const store = newStore();
    await expect(store.revokedIndexes('999999999')).resolves.toBeNull();
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    for (const id of ['1000000000', '1234567890123456', '-1', '']) {
      expect(STATUS_LIST_ID_PATTERN.test(id)).toBe(false);
      await expect(store.revokedIndexes(id)).resolves.toBeNull();
    }
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it('reports an opened list with no revocation as empty, version 0', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'STATUSLIST#0', sk: 'HEAD', version: 0 }] });
    await expect(newStore().revokedIndexes('0')).resolves.toEqual({ indexes: [], version: '0' });
  });
});
