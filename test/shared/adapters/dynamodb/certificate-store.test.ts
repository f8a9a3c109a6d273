import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbCertificateStore } from '#shared/adapters/dynamodb/certificate-store.ts';
import { DomainError } from '#shared/domain/errors.ts';
import { UniqueValueTakenError } from '#shared/ports/certificate-store.ts';
import { TABLE, UUID, cancelled, certificate, ddb, documentClient, onlyTransaction, sentTransactions, url } from './support.ts';

function newStore() {
  return new DynamoDbCertificateStore({ client: documentClient, tableName: TABLE, statusListUrl: url });
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

beforeEach(() => {
  ddb.reset();
});
afterEach(() => {
  ddb.reset();
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
