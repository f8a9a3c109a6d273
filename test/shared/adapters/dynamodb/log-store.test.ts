import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbLogStore } from '#shared/adapters/dynamodb/log-store.ts';
import type { LogHead } from '#shared/ports/log-store.ts';
import { TABLE, UUID, cancelled, ddb, documentClient, sentTransactions } from './support.ts';

const store = () => new DynamoDbLogStore({ client: documentClient, tableName: TABLE });
const next: LogHead = { size: 1, rootHash: new Uint8Array(32), checkpoint: 'checkpoint\n', verifierKey: 'key' };
const ref = { pk: 'CERT#urn:uuid:c1', sk: 'EVENT#2026-11-20T08:31:00.000Z#issued' };

beforeEach(() => {
  ddb.reset();
});
afterEach(() => {
  ddb.reset();
});

describe('advance', () => {
  it('commits the head, the checkpoint and the integrated events in one transaction with its own token', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await expect(store().advance(null, next, [{ ref, index: 0 }], [])).resolves.toBe(true);
    const [tx] = sentTransactions();
    expect(tx?.ClientRequestToken).toMatch(UUID);
    expect(tx?.TransactItems?.map((i) => i.Put?.Item?.['pk'] ?? i.Update?.Key?.['pk'])).toEqual(['LOG', 'LOGCHECKPOINT', ref.pk]);
  });

  it.each(['ConditionalCheckFailed', 'TransactionConflict'])('reports a race lost by %s as false, in one attempt', async (code) => {
    ddb.on(TransactWriteCommand).rejects(cancelled([{ Code: code }, { Code: 'None' }]));
    await expect(store().advance(0, next, [{ ref, index: 0 }], [])).resolves.toBe(false);
    expect(sentTransactions()).toHaveLength(1);
  });

  it('lets any other failure through', async () => {
    const throttled = cancelled([{ Code: 'ThrottlingError' }, { Code: 'None' }]);
    ddb.on(TransactWriteCommand).rejects(throttled);
    await expect(store().advance(0, next, [], [])).rejects.toBe(throttled);
  });
});

describe('loggedEvents', () => {
  it('reads the certificate partition page by page and keeps the integrated events', async () => {
    const event = (type: string, at: string, logIndex?: number) => ({
      pk: 'CERT#urn:uuid:c1',
      sk: `EVENT#${at}#${type}`,
      kind: 'event',
      certificateId: 'urn:uuid:c1',
      type,
      at,
      actor: 'sde',
      detail: {},
      certificateNo: '20261120000000000017',
      statusListId: '0',
      statusListIndex: 4,
      tokenSha256: 'f'.repeat(64),
      ...(logIndex === undefined ? { outboxPk: 'PENDING' } : { logIndex }),
    });
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [event('issued', '2026-11-20T08:31:00.000Z', 7)], LastEvaluatedKey: { pk: 'CERT#urn:uuid:c1', sk: 'x' } })
      .resolvesOnce({ Items: [event('revoked', '2026-11-21T08:31:00.000Z')] });
    await expect(store().loggedEvents('urn:uuid:c1')).resolves.toEqual([{ type: 'issued', at: '2026-11-20T08:31:00.000Z', index: 7 }]);
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :event)',
      ExpressionAttributeValues: { ':pk': 'CERT#urn:uuid:c1', ':event': 'EVENT#' },
      ConsistentRead: true,
    });
  });
});
