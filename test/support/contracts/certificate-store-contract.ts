import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoredCertificate } from '#shared/domain/records.ts';
import { ClientIdTakenError, type CertificateStore, type ExchangeStore, type StatusListStore } from '#shared/ports/certificate-store.ts';
import type { LogStore } from '#shared/ports/log-store.ts';

/**
 * The contract of the certificate, status list and exchange stores as cases any implementation
 * must pass: run against the in-memory stores (test/support/in-memory-stores.test.ts) and the
 * DynamoDB adapters (test/integration/certificate-store-contract.test.ts).
 */

/** Fresh, empty stores on one table; `log` shows that recorded changes reach the log's outbox. */
export interface CertificateStoresFixture {
  certificates: CertificateStore;
  statusLists: StatusListStore;
  exchanges: ExchangeStore;
  log: LogStore;
  statusListUrl: (listId: string) => string;
}

/** The store never reads a clock: the certificates are issued at this instant, changes are dated from it. */
const ISSUED_AT = Date.parse('2026-11-20T09:00:00.000Z');
/** An instant `ms` after the issuance instant the test certificates carry. */
export const issuedPlus = (ms: number) => new Date(ISSUED_AT + ms).toISOString();

/** What the issue service hands the store: a fresh id, number, position and token. */
export async function newCertificate(
  f: Pick<CertificateStoresFixture, 'statusLists' | 'statusListUrl'>,
  fields: { exchangeId?: string; transactionRef?: string; requestHash?: string; supersedes?: string | null } = {},
): Promise<StoredCertificate> {
  const statusList = await f.statusLists.reserveStatusListPosition();
  return {
    id: randomUUID(),
    certificateNo: String(randomInt(1e9, 1e10 - 1)) + String(randomInt(1e9, 1e10 - 1)),
    exchangeId: fields.exchangeId ?? 'sde',
    transactionRef: fields.transactionRef ?? `SDE-${randomUUID()}`,
    requestHash: fields.requestHash ?? 'a'.repeat(64),
    token: ['eyJhbGciOiJFUzI1NiJ9', randomBytes(48).toString('base64url'), randomBytes(64).toString('base64url')].join('.'),
    issuedAt: issuedPlus(0),
    validUntil: issuedPlus(365 * 86_400_000),
    status: 'active',
    statusList,
    statusListCredential: f.statusListUrl(statusList.listId),
    revocation: null,
    supersedes: fields.supersedes ?? null,
    supersededBy: null,
  };
}

/** Registers the contract's cases; `fresh` gives empty stores for each case. */
export function certificateStoreContract(name: string, fresh: () => Promise<CertificateStoresFixture>): void {
  describe(`certificate stores contract: ${name}`, () => {
    it('records a new certificate with its issued event, replays the same request and refuses a different one', async () => {
      const f = await fresh();
      const first = await newCertificate(f);
      await expect(f.certificates.recordIssue(first, null)).resolves.toEqual({ outcome: 'created', certificate: first });
      await expect(f.certificates.get(first.id)).resolves.toEqual(first);
      await expect(f.certificates.findByTransaction('sde', first.transactionRef)).resolves.toEqual(first);

      const again = await newCertificate(f, { transactionRef: first.transactionRef });
      await expect(f.certificates.recordIssue(again, null)).resolves.toEqual({ outcome: 'replayed', certificate: first });
      const different = await newCertificate(f, { transactionRef: first.transactionRef, requestHash: 'b'.repeat(64) });
      await expect(f.certificates.recordIssue(different, null)).resolves.toEqual({ outcome: 'conflict', existing: first });

      await expect(f.certificates.get(again.id)).resolves.toBeNull();
      await expect(f.certificates.get(different.id)).resolves.toBeNull();
      const events = await f.certificates.events(first.id);
      expect(events.map((e) => [e.type, e.at, e.actor])).toEqual([['issued', first.issuedAt, 'sde']]);
      expect(events[0]).toMatchObject({
        certificateNo: first.certificateNo,
        statusListId: first.statusList.listId,
        statusListIndex: first.statusList.index,
        detail: { transactionRef: first.transactionRef, supersedes: null },
      });
      expect((await f.log.pendingEvents(10)).map((p) => p.event)).toEqual(events);
    });

    it('finds a certificate by its number, the one recorded and no other, also after a revocation', async () => {
      const f = await fresh();
      const recorded = await newCertificate(f);
      await f.certificates.recordIssue(recorded, null);
      const refused = await newCertificate(f, { transactionRef: recorded.transactionRef, requestHash: 'c'.repeat(64) });
      await f.certificates.recordIssue(refused, null);
      await expect(f.certificates.findByNumber(recorded.certificateNo)).resolves.toEqual(recorded);
      await expect(f.certificates.findByNumber(refused.certificateNo)).resolves.toBeNull();
      const revoked = await f.certificates.revoke({ certificateId: recorded.id, reason: 'compliance-violation', comment: null, revokedAt: issuedPlus(1000), actor: 'admin' });
      await expect(f.certificates.findByNumber(recorded.certificateNo)).resolves.toEqual(revoked);
    });

    it('revokes once: the bit, a new version, the replay tells the truth, a second revocation is refused', async () => {
      const f = await fresh();
      const c = await newCertificate(f);
      await f.certificates.recordIssue(c, null);
      const before = await f.statusLists.revokedIndexes(c.statusList.listId);
      expect(before?.indexes).toEqual([]);

      const revoked = await f.certificates.revoke({
        certificateId: c.id,
        reason: 'transaction-cancelled',
        comment: 'cancelled by both parties',
        revokedAt: issuedPlus(3_600_000),
        actor: 'admin-7',
      });
      const revocation = { reason: 'transaction-cancelled', revokedAt: issuedPlus(3_600_000), comment: 'cancelled by both parties' };
      expect(revoked).toEqual({ ...c, status: 'revoked', revocation });
      await expect(f.certificates.get(c.id)).resolves.toEqual(revoked);
      const after = await f.statusLists.revokedIndexes(c.statusList.listId);
      expect(after?.indexes).toEqual([c.statusList.index]);
      expect(after?.version).not.toBe(before?.version);

      const replay = await f.certificates.recordIssue(await newCertificate(f, { transactionRef: c.transactionRef }), null);
      expect(replay).toEqual({ outcome: 'replayed', certificate: revoked });
      await expect(
        f.certificates.revoke({ certificateId: c.id, reason: 'unspecified', comment: null, revokedAt: issuedPlus(7_200_000), actor: 'admin-8' }),
      ).rejects.toMatchObject({ code: 'already-revoked' });
      await expect(f.statusLists.revokedIndexes(c.statusList.listId)).resolves.toEqual(after);
      expect((await f.certificates.events(c.id)).map((e) => [e.type, e.actor])).toEqual([
        ['issued', 'sde'],
        ['revoked', 'admin-7'],
      ]);
      await expect(
        f.certificates.revoke({ certificateId: randomUUID(), reason: 'unspecified', comment: null, revokedAt: issuedPlus(0), actor: 'a' }),
      ).rejects.toMatchObject({ code: 'certificate-not-found' });
    });

    it('never dates a revocation or supersession before the issuance, and lists the trail in the order it happened', async () => {
      const f = await fresh();
      const c = await newCertificate(f);
      await f.certificates.recordIssue(c, null);
      const revoked = await f.certificates.revoke({ certificateId: c.id, reason: 'issued-in-error', comment: null, revokedAt: issuedPlus(-3_600_000), actor: 'admin-1' });
      expect(revoked.revocation?.revokedAt).toBe(c.issuedAt);
      expect((await f.certificates.events(c.id)).map((e) => [e.type, e.at])).toEqual([
        ['issued', c.issuedAt],
        ['revoked', c.issuedAt],
      ]);

      const old = await newCertificate(f);
      await f.certificates.recordIssue(old, null);
      const fresh2 = await newCertificate(f, { supersedes: old.id });
      await f.certificates.recordIssue(fresh2, { certificateId: old.id, at: issuedPlus(-60_000) });
      expect((await f.certificates.events(old.id)).map((e) => [e.type, e.at])).toEqual([
        ['issued', old.issuedAt],
        ['superseded', old.issuedAt],
      ]);
    });

    it('supersedes in one step, answers a repeated correction as a replay, and refuses a revoked or foreign target', async () => {
      const f = await fresh();
      const old = await newCertificate(f);
      await f.certificates.recordIssue(old, null);
      const fix = await newCertificate(f, { supersedes: old.id });
      await expect(f.certificates.recordIssue(fix, { certificateId: old.id, at: issuedPlus(60_000) })).resolves.toEqual({
        outcome: 'created',
        certificate: fix,
      });
      const oldNow = await f.certificates.get(old.id);
      expect(oldNow).toMatchObject({
        status: 'revoked',
        supersededBy: fix.id,
        revocation: { reason: 'superseded', revokedAt: issuedPlus(60_000), comment: null },
      });
      await expect(f.certificates.findByTransaction('sde', old.transactionRef)).resolves.toEqual(oldNow);
      expect((await f.statusLists.revokedIndexes(old.statusList.listId))?.indexes).toContain(old.statusList.index);
      expect((await f.certificates.events(old.id)).map((e) => [e.type, e.actor, e.detail])).toEqual([
        ['issued', 'sde', { transactionRef: old.transactionRef, supersedes: null }],
        ['superseded', 'sde', { reason: 'superseded', supersededBy: fix.id }],
      ]);
      const again = await newCertificate(f, { transactionRef: fix.transactionRef, supersedes: old.id });
      await expect(f.certificates.recordIssue(again, { certificateId: old.id, at: issuedPlus(0) })).resolves.toEqual({
        outcome: 'replayed',
        certificate: fix,
      });

      // The old one is revoked now: a new correction of it is refused, and nothing is written.
      const list = await f.statusLists.revokedIndexes(old.statusList.listId);
      const late = await newCertificate(f, { supersedes: old.id });
      await expect(f.certificates.recordIssue(late, { certificateId: old.id, at: issuedPlus(0) })).rejects.toMatchObject({
        code: 'supersede-target-invalid',
        errors: [{ pointer: '/supersedes', code: 'not-active' }],
      });
      await expect(f.certificates.get(late.id)).resolves.toBeNull();
      await expect(f.statusLists.revokedIndexes(old.statusList.listId)).resolves.toEqual(list);

      const theirs = await newCertificate(f, { exchangeId: 'zde' });
      await f.certificates.recordIssue(theirs, null);
      const mine = await newCertificate(f, { supersedes: theirs.id });
      await expect(f.certificates.recordIssue(mine, { certificateId: theirs.id, at: issuedPlus(0) })).rejects.toMatchObject({
        errors: [{ code: 'other-exchange' }],
      });
      await expect(f.certificates.get(theirs.id)).resolves.toEqual(theirs);
    });

    it('hands out distinct positions, knows the lists it opened and no others', async () => {
      const f = await fresh();
      const positions = await Promise.all(Array.from({ length: 10 }, () => f.statusLists.reserveStatusListPosition()));
      expect(new Set(positions.map((p) => `${p.listId}/${p.index}`)).size).toBe(10);
      await expect(f.statusLists.revokedIndexes('0')).resolves.toEqual({ indexes: [], version: '0' });
      await expect(f.statusLists.revokedIndexes('7')).resolves.toBeNull();
      await expect(f.statusLists.revokedIndexes('00')).resolves.toBeNull();
    });

    it('registers exchanges by client id, moves client ids on update, and refuses another exchange\'s client id', async () => {
      const f = await fresh();
      const [c1, c2, c3] = [randomUUID(), randomUUID(), randomUUID()] as [string, string, string];
      const exchange = { id: `ex-${randomUUID()}`, name: 'Hangzhou Data Exchange', clientIds: [c1, c2, c1], status: 'active' as const };
      await f.exchanges.putExchange(exchange);
      const stored = { ...exchange, clientIds: [c1, c2] };
      await expect(f.exchanges.findExchangeByClientId(c1)).resolves.toEqual(stored);
      await expect(f.exchanges.findExchangeByClientId(randomUUID())).resolves.toBeNull();

      const updated = { ...stored, clientIds: [c2, c3], status: 'suspended' as const };
      await f.exchanges.putExchange(updated);
      await f.exchanges.putExchange(updated);
      await expect(f.exchanges.findExchangeByClientId(c1)).resolves.toBeNull();
      await expect(f.exchanges.findExchangeByClientId(c3)).resolves.toEqual(updated);

      const intruder = { id: `ex-${randomUUID()}`, name: 'Intruder', clientIds: [randomUUID(), c2], status: 'active' as const };
      const error = await f.exchanges.putExchange(intruder).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClientIdTakenError);
      expect(error).toMatchObject({ clientId: c2, exchangeId: updated.id });
      await expect(f.exchanges.findExchangeByClientId(intruder.clientIds[0] as string)).resolves.toBeNull();
      await expect(f.exchanges.findExchangeByClientId(c2)).resolves.toEqual(updated);
    });
  });
}
