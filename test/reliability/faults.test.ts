import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatusList, isRevoked } from '#shared/domain/status-list.ts';
import { type DynamoDbFaults, FakeKmsServer, type KmsFault, faultyDynamoDbClient } from '../support/fault-injection.ts';
import { validIssueRequest } from '../fixtures/issue-request.ts';
import {
  type CallResult,
  type LoadedApp,
  createServiceTable,
  invoke,
  liveIssueRequest,
  loadApp,
  plainDynamoDb,
  scanTable,
  type Engine,
  startEngine,
} from './support/harness.ts';
import { checkTable } from './support/table-invariants.ts';

/**
 * Faults at every step of issue, revoke, verify and status-list publication, injected at the
 * wire under the SDK's own retry strategy: KMS throttled, unavailable or slow; DynamoDB throttled,
 * transactions cancelled by conflicts or throttles, and a timeout after the write reached the
 * table. Each case asserts what the client sees (a 503 with Retry-After, or success after the
 * SDK's own retries) and then what the TABLE holds: never a half-made certificate, and a retry
 * yields exactly one.
 */

const EXCHANGE = 'exchange-faults';
let engine: Engine;
let kms: FakeKmsServer;
let plain: DynamoDBClient;
let faults: DynamoDbFaults;
let tableName: string;
let app: LoadedApp;
let seq = 0;

beforeAll(async () => {
  [engine, kms] = await Promise.all([startEngine(), FakeKmsServer.start()]);
  plain = plainDynamoDb(engine.endpoint);
  tableName = await createServiceTable(plain);
  const faulty = faultyDynamoDbClient(engine.endpoint);
  faults = faulty.faults;
  app = await loadApp({
    endpoint: engine.endpoint,
    tableName,
    signer: { kind: 'kms', client: kms.client(), keyId: kms.key.keyId },
    dynamodb: faulty.client,
  });
  await app.container.stores.exchanges.putExchange({ id: EXCHANGE, name: 'Fault Exchange', clientIds: [EXCHANGE], status: 'active' });
}, 180_000);

afterAll(async () => {
  await app?.dispose();
  await kms?.stop();
  await engine?.stop();
});

const nextRef = (label: string) => `FAULT-${label}-${++seq}`;

/** One body per transaction, so a client's retry sends exactly the same request. */
const bodies = new Map<string, unknown>();

function issue(transactionRef: string, extra: Record<string, unknown> = {}): Promise<CallResult> {
  const key = `${transactionRef}${JSON.stringify(extra)}`;
  if (!bodies.has(key)) bodies.set(key, { ...liveIssueRequest(validIssueRequest(), transactionRef), ...extra });
  return invoke(app, {
    handler: 'issue-certificate',
    body: bodies.get(key),
    identity: { kind: 'exchange', clientId: EXCHANGE },
  });
}

function revoke(id: string, reason = 'transaction-cancelled'): Promise<CallResult> {
  return invoke(app, { handler: 'revoke-certificate', pathParameters: { id }, body: { reason }, identity: { kind: 'admin' } });
}

function expectUnavailable(r: CallResult): void {
  expect(r.status, r.raw).toBe(503);
  expect(r.headers['content-type']).toBe('application/problem+json');
  expect(r.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(r.body).toMatchObject({ status: 503, code: 'service-unavailable' });
  // 5xx bodies never carry internal details.
  expect(r.raw).not.toMatch(/injected|Exception|DynamoDB|KMS|stack/i);
}

/** The table is consistent, and `transactionRef` has exactly `expected` certificates (0 or 1). */
async function expectTable(transactionRef: string, expected: 0 | 1): Promise<Record<string, unknown>[]> {
  const report = checkTable(await scanTable(plain, tableName));
  expect(report.violations).toEqual([]);
  const found = report.byTransaction.get(`${EXCHANGE}#${transactionRef}`) ?? [];
  expect(found).toHaveLength(expected);
  return found;
}

/** The certificate in the table is byte for byte the one the client got. */
function expectSame(stored: Record<string, unknown> | undefined, response: CallResult): void {
  const record = response.body as { id: string; token: string; certificateNo: string };
  expect(stored?.['id']).toBe(record.id);
  expect(stored?.['token']).toBe(record.token);
  expect(stored?.['certificateNo']).toBe(record.certificateNo);
}

describe('status-list counter faults (the first issue of a container reserves a block)', () => {
  it('counter update throttled on every attempt: 503, nothing written; the retry issues one certificate', async () => {
    const ref = nextRef('counter');
    for (let i = 0; i < 3; i++) faults.fail('UpdateItem', { respond: 'ProvisionedThroughputExceededException' }, { bodyContains: 'COUNTER' });
    const r = await issue(ref);
    expectUnavailable(r);
    expect(faults.remaining()).toBe(0);
    await expectTable(ref, 0);
    const retried = await issue(ref);
    expect(retried.status).toBe(201);
    expectSame((await expectTable(ref, 1))[0], retried);
  });
});

describe('a cold container whose dependencies fail on the first request', () => {
  it('GetPublicKey failing at cold start is a 503 that is not remembered; a counter write that landed but timed out loses only a block', async () => {
    const coldFaults = faultyDynamoDbClient(engine.endpoint);
    const coldApp = await loadApp({
      endpoint: engine.endpoint,
      tableName,
      signer: { kind: 'kms', client: kms.client(), keyId: kms.key.keyId },
      dynamodb: coldFaults.client,
    });
    try {
      kms.reset();
      kms.fail('GetPublicKey', 'KMSInternalException', 'KMSInternalException', 'KMSInternalException');
      // The counter's ADD lands, its answer is lost, the SDK adds again: one block is skipped.
      coldFaults.faults.fail('UpdateItem', 'timeout-after-write', { bodyContains: 'COUNTER' });
      const ref = nextRef('cold');
      const body = liveIssueRequest(validIssueRequest(), ref);
      const call = () => invoke(coldApp, { handler: 'issue-certificate', body, identity: { kind: 'exchange', clientId: EXCHANGE } });
      expectUnavailable(await call());
      await expectTable(ref, 0);
      kms.reset();
      const r = await call();
      expect(r.status, r.raw).toBe(201);
      expect(kms.calls.GetPublicKey).toBe(1);
      expect(coldFaults.faults.injected).toHaveLength(1);
      // checkTable also proves the positions stayed unique.
      expectSame((await expectTable(ref, 1))[0], r);
    } finally {
      await coldApp.dispose();
    }
  });
});

describe('KMS faults while signing a certificate', () => {
  it('Sign throttled once: the SDK retries within the request and the client gets 201', async () => {
    kms.reset();
    const ref = nextRef('kms-throttle-once');
    kms.fail('Sign', 'ThrottlingException');
    const r = await issue(ref);
    expect(r.status, r.raw).toBe(201);
    expect(kms.calls.Sign).toBe(2);
    expectSame((await expectTable(ref, 1))[0], r);
  });

  const persistent: KmsFault[] = ['ThrottlingException', 'KMSInternalException', 'DependencyTimeoutException'];
  it.each(persistent)('Sign fails with %s on every attempt: 503 + Retry-After, no certificate; the retry yields one', async (fault) => {
    kms.reset();
    const ref = nextRef(`kms-${String(fault)}`);
    // More faults than attempts, so the whole request fails whatever the SDK's attempt count.
    kms.fail('Sign', fault, fault, fault, fault, fault);
    expectUnavailable(await issue(ref));
    await expectTable(ref, 0);
    kms.reset();
    const retried = await issue(ref);
    expect(retried.status, retried.raw).toBe(201);
    expectSame((await expectTable(ref, 1))[0], retried);
  });

  it('Sign slower than the request timeout on every attempt: 503 inside the function budget, not a hung function', async () => {
    kms.reset();
    const ref = nextRef('kms-slow');
    kms.fail('Sign', { slowMs: 8_000 }, { slowMs: 8_000 }, { slowMs: 8_000 }, { slowMs: 8_000 });
    const started = Date.now();
    const r = await issue(ref);
    const elapsed = Date.now() - started;
    expectUnavailable(r);
    // The functions time out at 10 s; a timeout there would reach the client as a bare 5xx.
    expect(elapsed).toBeLessThan(10_000);
    await expectTable(ref, 0);
    kms.reset();
    const retried = await issue(ref);
    expect(retried.status).toBe(201);
    await expectTable(ref, 1);
  }, 30_000);
});

describe('DynamoDB faults while recording a certificate', () => {
  it('TransactWriteItems throttled once: retried by the SDK, 201, one certificate', async () => {
    const ref = nextRef('ddb-throttle-once');
    faults.fail('TransactWriteItems', { respond: 'ProvisionedThroughputExceededException' });
    const r = await issue(ref);
    expect(r.status, r.raw).toBe(201);
    expectSame((await expectTable(ref, 1))[0], r);
  });

  it.each(['ProvisionedThroughputExceededException', 'InternalServerError'] as const)(
    'TransactWriteItems fails with %s on every attempt: 503, nothing written; the retry yields one',
    async (respond) => {
      const ref = nextRef(`ddb-${respond}`);
      for (let i = 0; i < 4; i++) faults.fail('TransactWriteItems', { respond });
      expectUnavailable(await issue(ref));
      faults.reset();
      await expectTable(ref, 0);
      const retried = await issue(ref);
      expect(retried.status, retried.raw).toBe(201);
      expectSame((await expectTable(ref, 1))[0], retried);
    },
  );

  it('a transaction cancelled by TransactionConflict twice: the store retries it and issues once', async () => {
    const ref = nextRef('ddb-conflict-twice');
    faults.fail('TransactWriteItems', { cancel: ['None', 'TransactionConflict', 'None', 'None'] });
    faults.fail('TransactWriteItems', { cancel: ['None', 'TransactionConflict', 'None', 'None'] });
    const r = await issue(ref);
    expect(r.status, r.raw).toBe(201);
    expectSame((await expectTable(ref, 1))[0], r);
  });

  it('a transaction cancelled by TransactionConflict on every attempt: 503, nothing written; the retry yields one', async () => {
    const ref = nextRef('ddb-conflict-always');
    for (let i = 0; i < 8; i++) faults.fail('TransactWriteItems', { cancel: ['None', 'TransactionConflict', 'None', 'None'] });
    expectUnavailable(await issue(ref));
    faults.reset();
    await expectTable(ref, 0);
    const retried = await issue(ref);
    expect(retried.status).toBe(201);
    await expectTable(ref, 1);
  });

  it('a transaction cancelled by a throttled item: 503, nothing written; the retry yields one', async () => {
    const ref = nextRef('ddb-cancel-throttle');
    for (let i = 0; i < 4; i++) faults.fail('TransactWriteItems', { cancel: ['ThrottlingError', 'None', 'None', 'None'] });
    expectUnavailable(await issue(ref));
    faults.reset();
    await expectTable(ref, 0);
    expect((await issue(ref)).status).toBe(201);
    await expectTable(ref, 1);
  });

  it('the write lands but its answer times out once: the SDK retry is answered from the table, one certificate', async () => {
    const ref = nextRef('ddb-timeout-once');
    faults.fail('TransactWriteItems', 'timeout-after-write');
    const r = await issue(ref);
    // Either DynamoDB honours the idempotency token (201) or the retry's condition finds the
    // landed copy (a 200 replay); both give the client the one certificate that is stored.
    expect([200, 201], r.raw).toContain(r.status);
    expectSame((await expectTable(ref, 1))[0], r);
    const again = await issue(ref);
    expect(again.status).toBe(200);
    expect(again.raw).toBe(r.raw);
  });

  it('the write lands but every answer times out: 503, yet the certificate is complete; the retry returns exactly it', async () => {
    const ref = nextRef('ddb-timeout-always');
    for (let i = 0; i < 3; i++) faults.fail('TransactWriteItems', 'timeout-after-write');
    expectUnavailable(await issue(ref));
    expect(faults.remaining()).toBe(0);
    const [stored] = await expectTable(ref, 1);
    const retried = await issue(ref);
    expect(retried.status).toBe(200);
    expectSame(stored, retried);
  });

  it('a correction whose transaction keeps conflicting: 503, the old certificate stays active; the retry supersedes it once', async () => {
    const oldRef = nextRef('supersede-old');
    const first = await issue(oldRef);
    expect(first.status).toBe(201);
    const oldId = (first.body as { id: string }).id;
    const ref = nextRef('supersede-new');
    for (let i = 0; i < 8; i++) faults.fail('TransactWriteItems', { cancel: ['None', 'TransactionConflict', 'None', 'None', 'None', 'None', 'None', 'None', 'None'] });
    expectUnavailable(await issue(ref, { supersedes: oldId }));
    faults.reset();
    await expectTable(ref, 0);
    const [old] = await expectTable(oldRef, 1);
    expect(old?.['status']).toBe('active');

    const retried = await issue(ref, { supersedes: oldId });
    expect(retried.status, retried.raw).toBe(201);
    const [after] = await expectTable(oldRef, 1);
    expect(after?.['status']).toBe('revoked');
    expect(after?.['supersededBy']).toBe((retried.body as { id: string }).id);
  });
});

describe('faults while revoking', () => {
  async function issued(label: string): Promise<string> {
    const r = await issue(nextRef(label));
    expect(r.status).toBe(201);
    return (r.body as { id: string }).id;
  }

  it('the read before the revocation throttled on every attempt: 503, still active; the retry revokes once', async () => {
    const id = await issued('revoke-read');
    for (let i = 0; i < 4; i++) faults.fail('GetItem', { respond: 'ProvisionedThroughputExceededException' });
    expectUnavailable(await revoke(id));
    faults.reset();
    const r = await revoke(id);
    expect(r.status, r.raw).toBe(200);
    expect(checkTable(await scanTable(plain, tableName)).violations).toEqual([]);
  });

  it.each([
    ['throttled', { respond: 'ProvisionedThroughputExceededException' as const }],
    ['cancelled by a conflict', { cancel: ['TransactionConflict', 'None', 'None', 'None', 'None'] as const }],
  ])('the revocation transaction %s on every attempt: 503, no bit, no event; the retry revokes once', async (_label, fault) => {
    const id = await issued('revoke-fault');
    for (let i = 0; i < 8; i++) faults.fail('TransactWriteItems', fault);
    expectUnavailable(await revoke(id));
    faults.reset();
    const before = checkTable(await scanTable(plain, tableName));
    expect(before.violations).toEqual([]);
    expect(before.certificates.find((c) => c['id'] === id)?.['status']).toBe('active');
    const r = await revoke(id);
    expect(r.status, r.raw).toBe(200);
    expect(r.body).toMatchObject({ id, status: 'revoked' });
    const after = checkTable(await scanTable(plain, tableName));
    expect(after.violations).toEqual([]);
    expect(after.events.filter((e) => e['certificateId'] === id && e['type'] === 'revoked')).toHaveLength(1);
  });

  it('the revocation lands but its answer times out once: the client still learns it succeeded', async () => {
    const id = await issued('revoke-timeout');
    faults.fail('TransactWriteItems', 'timeout-after-write');
    const r = await revoke(id);
    expect(r.status, r.raw).toBe(200);
    expect(r.body).toMatchObject({ id, status: 'revoked' });
    const report = checkTable(await scanTable(plain, tableName));
    expect(report.violations).toEqual([]);
    expect(report.events.filter((e) => e['certificateId'] === id && e['type'] === 'revoked')).toHaveLength(1);
    // The client's own retry is told the revocation is final.
    const again = await revoke(id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'already-revoked' });
  });
});

describe('faults while verifying and publishing the status list', () => {
  let id: string;
  let token: string;
  let listId: string;
  let index: number;

  beforeAll(async () => {
    const r = await issue(nextRef('publish'));
    expect(r.status).toBe(201);
    const record = r.body as { id: string; token: string; statusListIndex: number; statusListCredential: string };
    ({ id, token } = record);
    index = record.statusListIndex;
    listId = record.statusListCredential.split('/').pop() as string;
  });

  const getList = () => invoke(app, { handler: 'get-status-list', pathParameters: { listId } });
  const verify = () => invoke(app, { handler: 'verify-certificate', body: { token } });

  it('a verification whose status read fails is a 503, never "invalid" or "active"', async () => {
    for (let i = 0; i < 4; i++) faults.fail('GetItem', { respond: 'InternalServerError' });
    expectUnavailable(await verify());
    faults.reset();
    const ok = await verify();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ verified: true, status: 'active' });
  });

  it('the list read throttled: 503; KMS unable to sign the changed list: 503; then the list shows the revocation', async () => {
    const first = await getList();
    expect(first.status, first.raw).toBe(200);
    expect(isRevoked(decodeStatusList(listOf(first.raw)), index)).toBe(false);

    for (let i = 0; i < 4; i++) faults.fail('Query', { respond: 'ProvisionedThroughputExceededException' });
    expectUnavailable(await getList());
    faults.reset();

    expect((await revoke(id)).status).toBe(200);
    kms.reset();
    kms.fail('Sign', 'KMSInternalException', 'KMSInternalException', 'KMSInternalException', 'KMSInternalException');
    expectUnavailable(await getList());
    kms.reset();

    const fresh = await getList();
    expect(fresh.status).toBe(200);
    expect(kms.calls.Sign).toBe(1);
    expect(isRevoked(decodeStatusList(listOf(fresh.raw)), index)).toBe(true);
    const verified = await verify();
    expect(verified.body).toMatchObject({ verified: false, status: 'revoked' });
  });
});

/** The encoded list of a status list credential (compact JWS). */
function listOf(jwt: string): string {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')) as {
    credentialSubject: { encodedList: string };
  };
  return payload.credentialSubject.encodedList;
}
