import { generateKeyPairSync } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCertificateStore } from '#shared/adapters/dynamodb/certificate-store.ts';
import { DynamoDbStatusListStore } from '#shared/adapters/dynamodb/status-list-store.ts';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import { DomainError } from '#shared/domain/errors.ts';
import { decodeStatusList, isRevoked } from '#shared/domain/status-list.ts';
import type { Exchange, StoredCertificate } from '#shared/domain/records.ts';
import { issueCertificate } from '#shared/services/issue-certificate.ts';
import { StatusListPublisher } from '#shared/services/status-list.ts';
import { FIXTURE_VOCABULARY, validIssueRequest } from '../fixtures/issue-request.ts';
import {
  type CallResult,
  createServiceTable,
  type Engine,
  invoke,
  liveIssueRequest,
  type LoadedApp,
  scanTable,
  startLocalSignedService,
  stopLocalSignedService,
} from './support/harness.ts';
import { checkTable } from './support/table-invariants.ts';

/**
 * Races, each checked against the table afterwards: one certificate per transaction, every
 * revoked certificate's bit set in its list, one audit event per change.
 */

const EXCHANGE = 'exchange-races';
let engine: Engine;
let plain: DynamoDBClient;
let tableName: string;
let app: LoadedApp;

beforeAll(async () => {
  ({ engine, plain, tableName, app } = await startLocalSignedService({ id: EXCHANGE, name: 'Race Exchange' }));
}, 180_000);

afterAll(() => stopLocalSignedService({ app, engine }));

const exchange = { kind: 'exchange', clientId: EXCHANGE } as const;
const issue = (body: unknown) => invoke(app, { handler: 'issue-certificate', body, identity: exchange });
const revoke = (id: string, reason = 'compliance-violation') =>
  invoke(app, { handler: 'revoke-certificate', pathParameters: { id }, body: { reason }, identity: { kind: 'admin' } });

async function consistentTable() {
  const report = checkTable(await scanTable(plain, tableName));
  expect(report.violations).toEqual([]);
  return report;
}

describe('concurrent identical requests', () => {
  it('100 identical issues at once: one 201, the rest 200 with the byte-identical certificate, one certificate in the table', async () => {
    const body = liveIssueRequest(validIssueRequest(), 'RACE-IDENTICAL-100');
    let results = await Promise.all(Array.from({ length: 100 }, () => issue(body)));
    // A request that lost every round of contention may be told to retry; its retry must then
    // get the same certificate (what a client does with a 503).
    const unavailable = results.filter((r) => r.status === 503).length;
    for (let round = 0; round < 5 && results.some((r) => r.status === 503); round++) {
      results = await Promise.all(results.map((r) => (r.status === 503 ? issue(body) : r)));
    }
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201), `503s before retry: ${unavailable}`).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(99);
    const winner = results.find((r) => r.status === 201) as CallResult;
    for (const r of results) expect(r.raw).toBe(winner.raw);

    const report = await consistentTable();
    expect(report.byTransaction.get(`${EXCHANGE}#RACE-IDENTICAL-100`)).toHaveLength(1);
    const id = (winner.body as { id: string }).id;
    expect(report.events.filter((e) => e['certificateId'] === id)).toHaveLength(1);
  }, 60_000);

  it('20 concurrent issues of one transaction with two different bodies: one certificate; the other body is 409', async () => {
    const a = liveIssueRequest(validIssueRequest(), 'RACE-TWO-BODIES');
    const b = { ...a, amount: { value: '99.00', currency: 'CNY' } };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => issue(i % 2 === 0 ? a : b)));
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    const winnerAmount = (JSON.parse(Buffer.from((created[0]?.body as { token: string }).token.split('.')[1] as string, 'base64url').toString()) as {
      credentialSubject: { transaction: { amount: { value: string } } };
    }).credentialSubject.transaction.amount.value;
    const winnerBody = winnerAmount === '99.00' ? b : a;
    results.forEach((r, i) => {
      const sameBody = (i % 2 === 0 ? a : b) === winnerBody;
      if (sameBody) expect([200, 201]).toContain(r.status);
      else {
        expect(r.status, r.raw).toBe(409);
        expect(r.body).toMatchObject({ code: 'transaction-conflict' });
      }
    });
    const report = await consistentTable();
    expect(report.byTransaction.get(`${EXCHANGE}#RACE-TWO-BODIES`)).toHaveLength(1);
  }, 60_000);
});

describe('revocation races', () => {
  it('revoke and supersede of the same certificate at once, 8 rounds: exactly one wins, the loser gets 409', async () => {
    const winners = { revoke: 0, supersede: 0 };
    for (let round = 0; round < 8; round++) {
      const original = await issue(liveIssueRequest(validIssueRequest(), `RACE-RS-${round}-OLD`));
      expect(original.status).toBe(201);
      const id = (original.body as { id: string }).id;
      const correction = { ...liveIssueRequest(validIssueRequest(), `RACE-RS-${round}-NEW`), supersedes: id };
      const [revoked, superseded] = await Promise.all([revoke(id), issue(correction)]);
      const outcomes = [revoked.status, superseded.status].sort();
      expect([[200, 409], [201, 409]], `${revoked.raw} / ${superseded.raw}`).toContainEqual(outcomes);
      if (revoked.status === 200) {
        winners.revoke += 1;
        expect(superseded.body).toMatchObject({ code: 'supersede-target-invalid' });
      } else {
        winners.supersede += 1;
        expect(revoked.body).toMatchObject({ code: 'already-revoked' });
      }
      const report = await consistentTable();
      const old = report.certificates.find((c) => c['id'] === id);
      expect(old?.['status']).toBe('revoked');
      expect((old?.['revocation'] as { reason: string }).reason).toBe(revoked.status === 200 ? 'compliance-violation' : 'superseded');
      // The loser left nothing: the correction exists exactly when it won.
      expect(report.byTransaction.get(`${EXCHANGE}#RACE-RS-${round}-NEW`)?.length ?? 0).toBe(superseded.status === 201 ? 1 : 0);
    }
    expect(winners.revoke + winners.supersede).toBe(8);
  }, 90_000);

  it('10 admins revoke one certificate at once: one 200, nine 409, one event, one bit', async () => {
    const r = await issue(liveIssueRequest(validIssueRequest(), 'RACE-REVOKE-10'));
    const id = (r.body as { id: string }).id;
    const results = await Promise.all(Array.from({ length: 10 }, () => revoke(id)));
    expect(results.filter((x) => x.status === 200)).toHaveLength(1);
    for (const x of results.filter((y) => y.status !== 200)) {
      expect(x.status, x.raw).toBe(409);
      expect(x.body).toMatchObject({ code: 'already-revoked' });
    }
    const report = await consistentTable();
    expect(report.events.filter((e) => e['certificateId'] === id && e['type'] === 'revoked')).toHaveLength(1);
  }, 60_000);
});

describe('status lists under concurrency, with small lists (8 entries, blocks of 4)', () => {
  const LIST_SIZE = 8;
  const BLOCK = 4;
  let smallTable: string;
  let stores: DynamoDbCertificateStore[];
  let statusLists: DynamoDbStatusListStore[];
  const signer = LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const url = (listId: string) => `https://dcc.localhost/v1/status-lists/${listId}`;
  const ex: Exchange = { id: 'exchange-small', name: 'Small Lists', clientIds: ['exchange-small'], status: 'active' };

  beforeAll(async () => {
    smallTable = await createServiceTable(plain);
    const doc = DynamoDBDocumentClient.from(plain, { marshallOptions: { removeUndefinedValues: true } });
    // Three containers sharing the table: each reserves its own blocks from the one counter.
    stores = [0, 1, 2].map(() => new DynamoDbCertificateStore({ client: doc, tableName: smallTable, statusListUrl: url }));
    statusLists = [0, 1, 2].map(() => new DynamoDbStatusListStore({ client: doc, tableName: smallTable, statusListSize: LIST_SIZE, blockSize: BLOCK }));
  });

  it('30 concurrent issues from three containers, then 30 concurrent revocations across block and list boundaries', async () => {
    const now = new Date();
    const issued = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const store = stores[i % 3] as DynamoDbCertificateStore;
        const deps = { store, statusLists: statusLists[i % 3] as DynamoDbStatusListStore, signer, issuer: 'https://issuer.dcc.localhost', statusListUrl: url, vocabulary: FIXTURE_VOCABULARY, clockSkewSeconds: 300, maxValidityDays: 1830 };
        const out = await issueCertificate(deps, ex, liveIssueRequest(validIssueRequest(), `SMALL-${i}`), now);
        expect(out.outcome).toBe('created');
        return out.record;
      }),
    );
    const lists = new Set(issued.map((r) => r.statusListCredential));
    // 30 positions in lists of 8: at least four lists, more when a container's block went unused.
    expect(lists.size).toBeGreaterThanOrEqual(4);

    // Revoke every certificate except every third, all at once, through different containers.
    const toRevoke = issued.filter((_, i) => i % 3 !== 2);
    const outcomes = await Promise.allSettled(
      toRevoke.map((r, i) =>
        (stores[i % 3] as DynamoDbCertificateStore).revoke({ certificateId: r.id, reason: 'transaction-cancelled', comment: null, revokedAt: new Date().toISOString(), actor: 'admin.local' }),
      ),
    );
    const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    // Revocations in one list contend on its head; a contended one is a retryable 503 at worst.
    for (const f of failed) expect(f.reason instanceof DomainError, String(f.reason)).toBe(false);
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'rejected') {
        const r = toRevoke[i] as { id: string };
        await (stores[0] as DynamoDbCertificateStore).revoke({ certificateId: r.id, reason: 'transaction-cancelled', comment: null, revokedAt: new Date().toISOString(), actor: 'admin.local' });
      }
    }

    const report = checkTable(await scanTable(plain, smallTable));
    expect(report.violations).toEqual([]);
    expect(report.certificates).toHaveLength(30);
    expect(report.revoked).toHaveLength(toRevoke.length);

    // What the world sees: every signed list has exactly the revoked bits.
    const publisher = new StatusListPublisher({ store: statusLists[1] as DynamoDbStatusListStore, signer, issuer: 'https://issuer.dcc.localhost', statusListUrl: url, ttlSeconds: 300 });
    const revokedIds = new Set(toRevoke.map((r) => r.id));
    const byList = new Map<string, StoredCertificate['statusList'][]>();
    for (const c of report.certificates) {
      const p = c['statusList'] as StoredCertificate['statusList'];
      byList.set(p.listId, [...(byList.get(p.listId) ?? []), p]);
    }
    for (const listId of byList.keys()) {
      const signed = await publisher.get(listId, new Date());
      expect(signed).not.toBeNull();
      const payload = JSON.parse(Buffer.from((signed?.jwt ?? '').split('.')[1] as string, 'base64url').toString()) as { credentialSubject: { encodedList: string } };
      const bits = decodeStatusList(payload.credentialSubject.encodedList);
      for (const c of report.certificates.filter((x) => (x['statusList'] as { listId: string }).listId === listId)) {
        expect(isRevoked(bits, (c['statusList'] as { index: number }).index), `${listId}/${String((c['statusList'] as { index: number }).index)}`).toBe(revokedIds.has(c['id'] as string));
      }
    }
  }, 90_000);
});
