import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCertificateStore } from '#shared/adapters/dynamodb/certificate-store.ts';
import { DynamoDbExchangeStore } from '#shared/adapters/dynamodb/exchange-store.ts';
import { DynamoDbStatusListStore } from '#shared/adapters/dynamodb/status-list-store.ts';
import { createTableInput } from '#shared/adapters/dynamodb/table.ts';
import { ClientIdTakenError } from '#shared/ports/certificate-store.ts';
import { issuedPlus, newCertificate } from '../support/contracts/certificate-store-contract.ts';
import { localDynamoDbClient, localDynamoDbDocumentClient, uniqueTableName } from '../support/dynamodb.ts';

/**
 * What only DynamoDB can show: concurrent writers, what the table holds after a refusal, positions
 * across containers. The behaviour every store shares (issue, replay, revoke, dating, supersede,
 * exchanges) runs against these same adapters in certificate-store-contract.test.ts.
 */

const url = (listId: string) => `http://127.0.0.1/v1/status-lists/${listId}`;

let raw: DynamoDBClient;
let documents: DynamoDBDocumentClient;

/** A fresh table of this file's own, created from the one table definition. */
async function newTable(): Promise<string> {
  const name = uniqueTableName('store');
  await raw.send(new CreateTableCommand(createTableInput(name)));
  return name;
}

/** The three stores of one container on `tableName`, as the app's parts build them. */
function storeOn(tableName: string, options: { blockSize?: number; statusListSize?: number } = {}) {
  return {
    certificates: new DynamoDbCertificateStore({ client: documents, tableName, statusListUrl: url }),
    statusLists: new DynamoDbStatusListStore({ client: documents, tableName, ...options }),
    exchanges: new DynamoDbExchangeStore({ client: documents, tableName }),
    statusListUrl: url,
  };
}
type StoresOn = ReturnType<typeof storeOn>;

async function scanAll(tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

let table: string;
let store: StoresOn;

beforeAll(async () => {
  raw = localDynamoDbClient();
  documents = localDynamoDbDocumentClient(raw);
  table = await newTable();
  store = storeOn(table);
});

describe('issue', () => {
  it('yields exactly one certificate for 30 concurrent identical requests', async () => {
    const transactionRef = `SDE-RACE-${randomUUID()}`;
    const attempts = await Promise.all(Array.from({ length: 30 }, () => newCertificate(store, { transactionRef })));
    const results = await Promise.all(attempts.map((c) => store.certificates.recordIssue(c, null)));

    const created = results.filter((r) => r.outcome === 'created');
    const replayed = results.filter((r) => r.outcome === 'replayed');
    expect(created).toHaveLength(1);
    expect(replayed).toHaveLength(29);
    const winner = created[0]?.outcome === 'created' ? created[0].certificate : null;
    for (const r of replayed) expect(r.outcome === 'replayed' && r.certificate.token).toBe(winner?.token);

    const items = (await scanAll(table)).filter((i) => i['transactionRef'] === transactionRef);
    expect(items.filter((i) => i['kind'] === 'certificate')).toHaveLength(1);
    expect(items.filter((i) => i['kind'] === 'transaction')).toHaveLength(1);
    const ids = new Set(attempts.map((a) => a.id));
    const numbers = (await scanAll(table)).filter((i) => i['kind'] === 'certificate-number' && ids.has(i['certificateId'] as string));
    expect(numbers).toHaveLength(1);
  });
});

describe('revoke', () => {
  it('lets exactly one of 10 concurrent revocations through', async () => {
    const c = await newCertificate(store);
    await store.certificates.recordIssue(c, null);
    const before = await store.statusLists.revokedIndexes(c.statusList.listId);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.certificates.revoke({ certificateId: c.id, reason: 'data-breach', comment: `admin ${i}`, revokedAt: issuedPlus(60_000 + i), actor: `admin-${i}` }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'already-revoked' });
    }
    expect((await store.certificates.events(c.id)).map((e) => e.type)).toEqual(['issued', 'revoked']);
    const after = await store.statusLists.revokedIndexes(c.statusList.listId);
    expect(Number(after?.version)).toBe(Number(before?.version) + 1);
  });

});

describe('supersede', () => {
  it('revokes the old certificate and issues the new one in one step', async () => {
    const old = await newCertificate(store);
    await store.certificates.recordIssue(old, null);
    const fresh = await newCertificate(store, { supersedes: old.id });
    const result = await store.certificates.recordIssue(fresh, { certificateId: old.id, at: fresh.issuedAt });

    expect(result).toEqual({ outcome: 'created', certificate: fresh });
    const oldNow = await store.certificates.get(old.id);
    expect(oldNow).toMatchObject({
      status: 'revoked',
      supersededBy: fresh.id,
      revocation: { reason: 'superseded', revokedAt: fresh.issuedAt, comment: null },
    });
    await expect(store.certificates.findByTransaction('sde', old.transactionRef)).resolves.toEqual(oldNow);
    await expect(store.certificates.get(fresh.id)).resolves.toEqual(fresh);
    expect((await store.statusLists.revokedIndexes(old.statusList.listId))?.indexes).toContain(old.statusList.index);
    expect((await store.certificates.events(old.id)).map((e) => e.type)).toEqual(['issued', 'superseded']);
    expect((await store.certificates.events(fresh.id)).map((e) => [e.type, e.detail['supersedes']])).toEqual([['issued', old.id]]);

    // The same correction again is a replay, although its target is no longer active.
    const again = await newCertificate(store, { transactionRef: fresh.transactionRef, supersedes: old.id });
    await expect(store.certificates.recordIssue(again, { certificateId: old.id, at: again.issuedAt })).resolves.toEqual({
      outcome: 'replayed',
      certificate: fresh,
    });
  });

  it('refuses to supersede a revoked certificate and writes nothing', async () => {
    const old = await newCertificate(store);
    await store.certificates.recordIssue(old, null);
    await store.certificates.revoke({ certificateId: old.id, reason: 'issued-in-error', comment: null, revokedAt: issuedPlus(60_000), actor: 'admin' });
    const list = await store.statusLists.revokedIndexes(old.statusList.listId);
    const before = await scanAll(table);

    const fresh = await newCertificate(store, { supersedes: old.id });
    const error = await store.certificates.recordIssue(fresh, { certificateId: old.id, at: fresh.issuedAt }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'supersede-target-invalid', errors: [{ pointer: '/supersedes', code: 'not-active' }] });

    expect(await scanAll(table)).toHaveLength(before.length);
    await expect(store.certificates.get(fresh.id)).resolves.toBeNull();
    await expect(store.certificates.findByTransaction('sde', fresh.transactionRef)).resolves.toBeNull();
    await expect(store.statusLists.revokedIndexes(old.statusList.listId)).resolves.toEqual(list);
    expect((await store.certificates.events(old.id)).map((e) => e.type)).toEqual(['issued', 'revoked']);
  });

  it("refuses to supersede another exchange's certificate", async () => {
    const theirs = await newCertificate(store, { exchangeId: 'zde' });
    await store.certificates.recordIssue(theirs, null);
    const mine = await newCertificate(store, { supersedes: theirs.id });
    await expect(store.certificates.recordIssue(mine, { certificateId: theirs.id, at: mine.issuedAt })).rejects.toMatchObject({
      code: 'supersede-target-invalid',
      errors: [{ code: 'other-exchange' }],
    });
    await expect(store.certificates.get(theirs.id)).resolves.toEqual(theirs);
    await expect(store.certificates.get(mine.id)).resolves.toBeNull();
  });
});

describe('status list positions', () => {
  it('hands out every position once across two containers and crosses list boundaries', async () => {
    const own = await newTable();
    const a = storeOn(own, { statusListSize: 8, blockSize: 4 });
    const b = storeOn(own, { statusListSize: 8, blockSize: 4 });
    const positions = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).statusLists.reserveStatusListPosition()));

    const globals = positions.map((p) => Number(p.listId) * 8 + p.index).sort((x, y) => x - y);
    expect(new Set(globals).size).toBe(20);
    expect(positions.every((p) => p.index >= 0 && p.index < 8)).toBe(true);
    // Six blocks of four were reserved; at most four positions are left in blocks still held.
    expect(Math.max(...globals)).toBeLessThan(24);
    expect(new Set(positions.map((p) => p.listId))).toEqual(new Set(['0', '1', '2']));

    await expect(a.statusLists.revokedIndexes('1')).resolves.toEqual({ indexes: [], version: '0' });
    await expect(a.statusLists.revokedIndexes('2')).resolves.toEqual({ indexes: [], version: '0' });
    await expect(a.statusLists.revokedIndexes('3')).resolves.toBeNull();
  });
});

describe('exchanges', () => {
  it('round-trips an exchange and its client ids, and moves client ids on update', async () => {
    const id = `ex-${randomUUID()}`;
    const [c1, c2, c3] = [randomUUID(), randomUUID(), randomUUID()];
    const exchange = { id, name: 'Hangzhou Data Exchange', clientIds: [c1, c2] as string[], status: 'active' as const };
    await store.exchanges.putExchange(exchange);
    await expect(store.exchanges.findExchangeByClientId(c1 as string)).resolves.toEqual(exchange);
    await expect(store.exchanges.findExchangeByClientId(c2 as string)).resolves.toEqual(exchange);
    await expect(store.exchanges.findExchangeByClientId(randomUUID())).resolves.toBeNull();

    const updated = { ...exchange, clientIds: [c2, c3] as string[], status: 'suspended' as const };
    await store.exchanges.putExchange(updated);
    await store.exchanges.putExchange(updated);
    await expect(store.exchanges.findExchangeByClientId(c1 as string)).resolves.toBeNull();
    await expect(store.exchanges.findExchangeByClientId(c3 as string)).resolves.toEqual(updated);
    await expect(store.exchanges.findExchangeByClientId(c2 as string)).resolves.toMatchObject({ status: 'suspended' });

    const intruder = { id: `ex-${randomUUID()}`, name: 'Other', clientIds: [c3 as string], status: 'active' as const };
    await expect(store.exchanges.putExchange(intruder)).rejects.toBeInstanceOf(ClientIdTakenError);
    await expect(store.exchanges.findExchangeByClientId(c3 as string)).resolves.toEqual(updated);
  });
});
