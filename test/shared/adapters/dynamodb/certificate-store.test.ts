import { createHash } from 'node:crypto';
import { type AttributeValue, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientIdTakenError, DynamoDbCertificateStore } from '#shared/adapters/dynamodb/certificate-store.ts';
import { fromAttributeMap, sortableTime } from '#shared/adapters/dynamodb/marshalling.ts';
import { StatusListPositions } from '#shared/adapters/dynamodb/status-list-positions.ts';
import { TABLE_DEFINITION, createTableInput } from '#shared/adapters/dynamodb/table.ts';
import { DomainError } from '#shared/domain/errors.ts';
import type { StoredCertificate } from '#shared/domain/records.ts';
import { UniqueValueTakenError } from '#shared/ports/certificate-store.ts';

const TABLE = 'certificates-test';
const url = (listId: string) => `https://dcc.example/v1/status-lists/${listId}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ddb = mockClient(DynamoDBDocumentClient);
const documentClient = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);

function newStore(options: { blockSize?: number; statusListSize?: number } = {}) {
  return new DynamoDbCertificateStore({ client: documentClient, tableName: TABLE, statusListUrl: url, ...options });
}

function certificate(overrides: Partial<StoredCertificate> = {}): StoredCertificate {
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
function toAttributeMap(item: Record<string, unknown>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toAttribute(v)]));
}

function cancelled(reasons: { Code: string; Item?: Record<string, unknown> }[]) {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    $metadata: {},
    CancellationReasons: reasons.map((r) => ({
      Code: r.Code,
      ...(r.Item ? { Item: toAttributeMap(r.Item), Message: 'The conditional request failed' } : {}),
    })),
  });
}

function sentTransactions(): TransactWriteCommandInput[] {
  return ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input);
}

function onlyTransaction() {
  const all = sentTransactions();
  expect(all).toHaveLength(1);
  return all[0] as TransactWriteCommandInput;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

beforeEach(() => {
  ddb.reset();
});
afterEach(() => {
  ddb.reset();
});

describe('table definition', () => {
  it('creates the table with the generic keys and the sparse outbox index, from the one definition', () => {
    const input = createTableInput('t1');
    expect(input.TableName).toBe('t1');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.AttributeDefinitions.map((a) => a.AttributeName).sort()).toEqual(['outboxPk', 'outboxSk', 'pk', 'sk']);
    expect(input.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'outbox',
        KeySchema: [
          { AttributeName: 'outboxPk', KeyType: 'HASH' },
          { AttributeName: 'outboxSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(TABLE_DEFINITION.timeToLiveAttribute).toBeNull();
  });
});

describe('recordIssue', () => {
  it('writes certificate, transaction copy, number and issued event in one conditional transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const c = certificate();
    const result = await newStore().recordIssue(c, null);

    expect(result).toEqual({ outcome: 'created', certificate: c });
    const tx = onlyTransaction();
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(tx.ClientRequestToken).toMatch(UUID);
    const items = tx.TransactItems ?? [];
    expect(items).toHaveLength(4);
    for (const item of items) {
      expect(item.Put?.TableName).toBe(TABLE);
      expect(item.Put?.ConditionExpression).toBe('attribute_not_exists(#pk)');
      expect(item.Put?.ExpressionAttributeNames).toEqual({ '#pk': 'pk' });
    }
    const [cert, txn, number, event] = items.map((i) => i.Put?.Item ?? {});
    expect(cert).toMatchObject({ pk: `CERT#${c.id}`, sk: 'CERT', token: c.token, status: 'active', statusList: c.statusList });
    expect(txn).toMatchObject({ pk: 'TXN#sde#SDE-2026-000123', sk: 'TXN', requestHash: c.requestHash, token: c.token, id: c.id });
    expect(items[1]?.Put?.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(items[0]?.Put?.ReturnValuesOnConditionCheckFailure).toBeUndefined();
    expect(number).toEqual({ pk: `CERTNO#${c.certificateNo}`, sk: 'CERTNO', kind: 'certificate-number', certificateId: c.id });
    expect(event).toEqual({
      pk: `CERT#${c.id}`,
      sk: 'EVENT#2026-11-20T08:31:00.000Z#issued',
      kind: 'event',
      certificateId: c.id,
      type: 'issued',
      at: c.issuedAt,
      actor: 'sde',
      detail: { transactionRef: c.transactionRef, supersedes: null },
      certificateNo: c.certificateNo,
      statusListId: '0',
      statusListIndex: 9000,
      tokenSha256: sha256(c.token),
      outboxPk: 'PENDING',
      outboxSk: `2026-11-20T08:31:00.000Z#${c.id}#issued`,
    });
  });

  it('gives every call its own request token, even two identical calls (DynamoDB would answer the second from the first)', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const store = newStore();
    await store.recordIssue(certificate(), null);
    await store.recordIssue(certificate(), null);
    await store.recordIssue(certificate({ id: 'urn:uuid:0195f0c2-7a3b-7000-8000-000000000002' }), null);
    const [a, b, c] = sentTransactions().map((t) => t.ClientRequestToken);
    for (const token of [a, b, c]) expect(token).toMatch(UUID);
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('answers a replay from the cancellation reason itself, with the stored token, without any read', async () => {
    const stored = certificate({ id: 'urn:uuid:stored', token: 'stored.token.bytes', certificateNo: '20261120000000000025' });
    ddb.on(TransactWriteCommand).rejects(
      cancelled([
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Item: { pk: 'TXN#sde#SDE-2026-000123', sk: 'TXN', kind: 'transaction', ...stored } },
        { Code: 'None' },
        { Code: 'None' },
      ]),
    );
    const result = await newStore().recordIssue(certificate(), null);

    expect(result).toEqual({ outcome: 'replayed', certificate: stored });
    expect(result.outcome === 'replayed' && result.certificate.token).toBe('stored.token.bytes');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('answers a conflict (same transaction, other request) from the cancellation reason, without any read', async () => {
    const stored = certificate({ id: 'urn:uuid:stored', requestHash: 'b'.repeat(64) });
    ddb.on(TransactWriteCommand).rejects(
      cancelled([{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { pk: 'x', sk: 'TXN', ...stored } }]),
    );
    const result = await newStore().recordIssue(certificate(), null);
    expect(result).toEqual({ outcome: 'conflict', existing: stored });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('reports a taken certificate number as a distinct retryable error', async () => {
    ddb.on(TransactWriteCommand).rejects(
      cancelled([{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }]),
    );
    const error = await newStore().recordIssue(certificate(), null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueValueTakenError);
    expect(error).toMatchObject({ field: 'certificateNo', value: '20261120000000000017', retryable: true });
  });

  it('retries a transaction cancelled only by contention, with a new token', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled([{ Code: 'None' }, { Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }]))
      .resolves({});
    const result = await newStore().recordIssue(certificate(), null);
    expect(result.outcome).toBe('created');
    const [first, second] = sentTransactions();
    expect(second?.TransactItems).toEqual(first?.TransactItems);
    expect(second?.ClientRequestToken).not.toBe(first?.ClientRequestToken);
  });

  it('lets any other failure through unchanged', async () => {
    const boom = Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    ddb.on(TransactWriteCommand).rejects(boom);
    await expect(newStore().recordIssue(certificate(), null)).rejects.toBe(boom);
  });

  it('refuses a certificate whose status list URL is not the one of its list', async () => {
    const c = certificate({ statusListCredential: 'https://elsewhere/1' });
    await expect(newStore().recordIssue(c, null)).rejects.toThrow(TypeError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('recordIssue with supersede', () => {
  const old = certificate({
    id: 'urn:uuid:old',
    certificateNo: '20261101000000000011',
    transactionRef: 'SDE-2026-000100',
    token: 'old.token.sig',
    statusList: { listId: '3', index: 20_000 },
  });
  const fresh = certificate({ supersedes: 'urn:uuid:old' });
  const at = fresh.issuedAt;

  it('revokes the old certificate in the same transaction as the new one is issued', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'CERT#urn:uuid:old', sk: 'CERT', ...old } });
    ddb.on(TransactWriteCommand).resolves({});
    const result = await newStore().recordIssue(fresh, { certificateId: 'urn:uuid:old', at });

    expect(result.outcome).toBe('created');
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input.Key)).toEqual([{ pk: 'CERT#urn:uuid:old', sk: 'CERT' }]);
    const items = onlyTransaction().TransactItems ?? [];
    expect(items).toHaveLength(9);
    const [oldCert, oldTxn, shard, head, superseded] = items.slice(4);
    expect(oldCert?.Update).toMatchObject({
      Key: { pk: 'CERT#urn:uuid:old', sk: 'CERT' },
      UpdateExpression: 'SET #status = :revoked, #revocation = :revocation, #supersededBy = :supersededBy',
      ConditionExpression: '#status = :active AND #exchangeId = :exchangeId',
      ExpressionAttributeValues: {
        ':revoked': 'revoked',
        ':active': 'active',
        ':exchangeId': 'sde',
        ':supersededBy': fresh.id,
        ':revocation': { reason: 'superseded', revokedAt: at, comment: null },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(oldTxn?.Update).toMatchObject({
      Key: { pk: 'TXN#sde#SDE-2026-000100', sk: 'TXN' },
      UpdateExpression: oldCert?.Update?.UpdateExpression,
      ConditionExpression: '#id = :id',
      ExpressionAttributeValues: { ':id': 'urn:uuid:old', ':supersededBy': fresh.id },
    });
    expect(shard?.Update).toMatchObject({
      Key: { pk: 'STATUSLIST#3', sk: 'SHARD#2' },
      UpdateExpression: 'ADD #revoked :index',
      ExpressionAttributeValues: { ':index': new Set([20_000]) },
    });
    expect(head?.Update).toMatchObject({ Key: { pk: 'STATUSLIST#3', sk: 'HEAD' }, UpdateExpression: 'ADD #version :one' });
    expect(superseded?.Put?.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(superseded?.Put?.Item).toMatchObject({
      pk: 'CERT#urn:uuid:old',
      type: 'superseded',
      detail: { reason: 'superseded', supersededBy: fresh.id },
      statusListId: '3',
      statusListIndex: 20_000,
      tokenSha256: sha256('old.token.sig'),
    });
    expect(items[3]?.Put?.Item).toMatchObject({ type: 'issued', detail: { supersedes: 'urn:uuid:old' } });
  });

  it.each([
    ['not-found', null, /No certificate urn:uuid:old exists/],
    ['other-exchange', { ...old, exchangeId: 'other' }, /another exchange/],
    ['not-active', { ...old, status: 'revoked' as const }, /already revoked/],
  ])('refuses a target that is %s and writes nothing', async (code, target, message) => {
    ddb
      .on(GetCommand, { Key: { pk: 'CERT#urn:uuid:old', sk: 'CERT' } })
      .resolves(target ? { Item: target } : {})
      .on(GetCommand, { Key: { pk: 'TXN#sde#SDE-2026-000123', sk: 'TXN' } })
      .resolves({});
    const error = await newStore()
      .recordIssue(fresh, { certificateId: 'urn:uuid:old', at })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'supersede-target-invalid', errors: [{ pointer: '/supersedes', code }] });
    expect((error as Error).message).toMatch(message);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers a replayed correction (its target already superseded by it) as a replay', async () => {
    const first = { ...fresh, id: 'urn:uuid:first', token: 'first.token.sig' };
    ddb
      .on(GetCommand, { Key: { pk: 'CERT#urn:uuid:old', sk: 'CERT' } })
      .resolves({ Item: { ...old, status: 'revoked', supersededBy: 'urn:uuid:first' } })
      .on(GetCommand, { Key: { pk: 'TXN#sde#SDE-2026-000123', sk: 'TXN' } })
      .resolves({ Item: first });
    const result = await newStore().recordIssue(fresh, { certificateId: 'urn:uuid:old', at });
    expect(result).toEqual({ outcome: 'replayed', certificate: first });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses when the target was revoked between the read and the transaction', async () => {
    ddb.on(GetCommand).resolves({ Item: old });
    ddb.on(TransactWriteCommand).rejects(
      cancelled([
        { Code: 'None' },
        { Code: 'None' },
        { Code: 'None' },
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Item: { ...old, status: 'revoked' } },
      ]),
    );
    await expect(newStore().recordIssue(fresh, { certificateId: 'urn:uuid:old', at })).rejects.toMatchObject({
      code: 'supersede-target-invalid',
      message: expect.stringMatching(/already revoked/),
    });
  });
});

describe('revoke', () => {
  const active = certificate({ statusList: { listId: '0', index: 8191 } });
  const command = {
    certificateId: active.id,
    reason: 'compliance-violation' as const,
    comment: 'report withdrawn',
    revokedAt: '2026-12-02T09:00:00.000Z',
    actor: 'admin-1',
  };

  it('revokes in one transaction: record, transaction copy, status bit, list head, event', async () => {
    ddb.on(GetCommand).resolves({ Item: active });
    ddb.on(TransactWriteCommand).resolves({});
    const revoked = await newStore().revoke(command);

    const revocation = { reason: 'compliance-violation', revokedAt: command.revokedAt, comment: 'report withdrawn' };
    expect(revoked).toEqual({ ...active, status: 'revoked', revocation });
    const items = onlyTransaction().TransactItems ?? [];
    expect(items).toHaveLength(5);
    expect(items[0]?.Update).toEqual({
      TableName: TABLE,
      Key: { pk: `CERT#${active.id}`, sk: 'CERT' },
      UpdateExpression: 'SET #status = :revoked, #revocation = :revocation',
      ConditionExpression: '#status = :active',
      ExpressionAttributeNames: { '#status': 'status', '#revocation': 'revocation' },
      ExpressionAttributeValues: { ':revoked': 'revoked', ':revocation': revocation, ':active': 'active' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(items[1]?.Update).toMatchObject({ Key: { pk: 'TXN#sde#SDE-2026-000123', sk: 'TXN' }, ConditionExpression: '#id = :id' });
    expect(items[2]?.Update).toMatchObject({
      Key: { pk: 'STATUSLIST#0', sk: 'SHARD#0' },
      ExpressionAttributeValues: { ':index': new Set([8191]) },
    });
    expect(items[3]?.Update).toMatchObject({ Key: { pk: 'STATUSLIST#0', sk: 'HEAD' }, ExpressionAttributeValues: { ':one': 1 } });
    expect(items[4]?.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(#pk)',
      Item: {
        sk: 'EVENT#2026-12-02T09:00:00.000Z#revoked',
        type: 'revoked',
        actor: 'admin-1',
        detail: { reason: 'compliance-violation', comment: 'report withdrawn' },
      },
    });
  });

  it('refuses an unknown certificate and an already revoked one without writing', async () => {
    ddb.on(GetCommand).resolvesOnce({}).resolvesOnce({ Item: { ...active, status: 'revoked' } });
    const store = newStore();
    await expect(store.revoke(command)).rejects.toMatchObject({ code: 'certificate-not-found' });
    await expect(store.revoke(command)).rejects.toMatchObject({ code: 'already-revoked' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('tells a concurrent revocation from the cancellation reason', async () => {
    ddb.on(GetCommand).resolves({ Item: active });
    const other = { reason: 'data-breach', revokedAt: '2026-12-02T08:59:59.000Z', comment: null };
    ddb.on(TransactWriteCommand).rejects(
      cancelled([{ Code: 'ConditionalCheckFailed', Item: { ...active, status: 'revoked', revocation: other } }]),
    );
    const error = await newStore().revoke(command).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'already-revoked', message: expect.stringMatching(/data-breach/) });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });
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

  it('reports an opened list with no revocation as empty, version 0', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'STATUSLIST#0', sk: 'HEAD', version: 0 }] });
    await expect(newStore().revokedIndexes('0')).resolves.toEqual({ indexes: [], version: '0' });
  });
});

describe('events', () => {
  it('queries the certificate partition for its events, oldest first', async () => {
    const event = {
      certificateId: 'urn:uuid:c1',
      type: 'issued',
      at: '2026-11-20T08:31:00.000Z',
      actor: 'sde',
      detail: { transactionRef: 'T1', supersedes: null },
      certificateNo: '20261120000000000017',
      statusListId: '0',
      statusListIndex: 4,
      tokenSha256: 'f'.repeat(64),
    };
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'CERT#urn:uuid:c1', sk: 'EVENT#x', kind: 'event', outboxPk: 'PENDING', ...event }] });
    await expect(newStore().events('urn:uuid:c1')).resolves.toEqual([event]);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :event)',
      ExpressionAttributeValues: { ':pk': 'CERT#urn:uuid:c1', ':event': 'EVENT#' },
      ConsistentRead: true,
    });
  });
});

describe('exchanges', () => {
  const exchange = { id: 'sde', name: 'Shanghai Data Exchange', clientIds: ['c1', 'c2'], status: 'active' as const };

  it('registers an exchange and one item per client id in one transaction', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    await newStore().putExchange(exchange);
    const items = onlyTransaction().TransactItems ?? [];
    expect(items.map((i) => i.Put?.Item?.['pk'])).toEqual(['EXCHANGE#sde', 'CLIENT#c1', 'CLIENT#c2']);
    expect(items[0]?.Put).toMatchObject({ ConditionExpression: 'attribute_not_exists(#pk)', Item: { revision: 1, ...exchange } });
    expect(items[1]?.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(#pk) OR #exchangeId = :exchangeId',
      Item: { exchangeId: 'sde', exchange },
    });
  });

  it('updates under the revision it read and removes the client ids it lost', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'EXCHANGE#sde', sk: 'EXCHANGE', ...exchange, revision: 4 } });
    ddb.on(TransactWriteCommand).resolves({});
    await newStore().putExchange({ ...exchange, clientIds: ['c2', 'c3'] });
    const items = onlyTransaction().TransactItems ?? [];
    expect(items[0]?.Put).toMatchObject({ ConditionExpression: '#revision = :seen', ExpressionAttributeValues: { ':seen': 4 }, Item: { revision: 5 } });
    expect(items.slice(1, 3).map((i) => i.Put?.Item?.['pk'])).toEqual(['CLIENT#c2', 'CLIENT#c3']);
    expect(items[3]?.Delete).toMatchObject({ Key: { pk: 'CLIENT#c1', sk: 'CLIENT' }, ConditionExpression: '#exchangeId = :exchangeId' });
  });

  it('writes nothing when the exchange is already registered as given', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...exchange, clientIds: ['c1', 'c2'], revision: 2 } });
    await newStore().putExchange({ ...exchange, clientIds: ['c1', 'c2', 'c1'] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses a client id that acts for another exchange', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).rejects(
      cancelled([{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { exchangeId: 'zde' } }]),
    );
    const error = await newStore().putExchange(exchange).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientIdTakenError);
    expect(error).toMatchObject({ clientId: 'c2', exchangeId: 'zde' });
  });

  it('finds the exchange of a client id in one consistent read', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'CLIENT#c1', sk: 'CLIENT', clientId: 'c1', exchangeId: 'sde', exchange } });
    await expect(newStore().findExchangeByClientId('c1')).resolves.toEqual(exchange);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'CLIENT#c1', sk: 'CLIENT' },
      ConsistentRead: true,
    });
  });
});

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
