/**
 * The service's storage invariants ("nothing lost, nothing half-done"), checked against the table
 * itself rather than against what the API answered. A half-made certificate (one item of the
 * issue transaction without the others), a duplicate, a lost status bit or a missing or doubled
 * audit event each shows up as a violation naming the items involved.
 */

type Item = Record<string, unknown>;

/** What the table holds, summarised, plus every violation found. */
export interface TableReport {
  violations: string[];
  certificates: Item[];
  /** Certificates per `exchangeId#transactionRef`. */
  byTransaction: Map<string, Item[]>;
  events: Item[];
  revoked: Item[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Checks every invariant; `violations` is empty when the table is consistent. */
export function checkTable(items: readonly Item[]): TableReport {
  const violations: string[] = [];
  const kind = (k: string) => items.filter((i) => i['kind'] === k);
  const certificates = kind('certificate');
  const transactions = kind('transaction');
  const numbers = kind('certificate-number');
  const events = kind('event');
  const byId = new Map(certificates.map((c) => [str(c['id']), c]));

  const byTransaction = new Map<string, Item[]>();
  for (const c of certificates) {
    const key = `${str(c['exchangeId'])}#${str(c['transactionRef'])}`;
    byTransaction.set(key, [...(byTransaction.get(key) ?? []), c]);
  }
  for (const [key, list] of byTransaction) {
    if (list.length !== 1) violations.push(`transaction ${key} has ${list.length} certificates`);
  }

  // Every certificate is complete: its transaction copy, its number and its issued event.
  const txnByKey = new Map(transactions.map((t) => [str(t['pk']), t]));
  const numberByNo = new Map(numbers.map((n) => [str(n['pk']).replace(/^CERTNO#/, ''), n]));
  for (const c of certificates) {
    const id = str(c['id']);
    const txn = txnByKey.get(`TXN#${str(c['exchangeId'])}#${str(c['transactionRef'])}`);
    if (!txn) violations.push(`certificate ${id} has no transaction key`);
    else {
      for (const field of ['id', 'token', 'status', 'certificateNo', 'requestHash', 'revocation', 'supersededBy', 'supersedes']) {
        if (JSON.stringify(txn[field] ?? null) !== JSON.stringify(c[field] ?? null)) {
          violations.push(`certificate ${id}: transaction copy differs in ${field}`);
        }
      }
    }
    const no = numberByNo.get(str(c['certificateNo']));
    if (!no || no['certificateId'] !== id) violations.push(`certificate ${id}: number ${str(c['certificateNo'])} does not point to it`);

    const own = events.filter((e) => e['certificateId'] === id);
    const count = (t: string) => own.filter((e) => e['type'] === t).length;
    if (count('issued') !== 1) violations.push(`certificate ${id} has ${count('issued')} issued events`);
    const revocation = c['revocation'] as { reason?: string } | null;
    const changes = count('revoked') + count('superseded');
    if (c['status'] === 'revoked') {
      if (!revocation) violations.push(`certificate ${id} is revoked without a revocation`);
      const expected = revocation?.reason === 'superseded' ? 'superseded' : 'revoked';
      if (changes !== 1 || count(expected) !== 1) violations.push(`revoked certificate ${id} has ${count('revoked')} revoked and ${count('superseded')} superseded events`);
      if (revocation?.reason === 'superseded') {
        const successor = byId.get(str(c['supersededBy']));
        if (!successor || successor['supersedes'] !== id) violations.push(`certificate ${id} is superseded by ${str(c['supersededBy'])}, which does not name it`);
      }
    } else {
      if (c['status'] !== 'active') violations.push(`certificate ${id} has status ${str(c['status'])}`);
      if (revocation !== null && revocation !== undefined) violations.push(`active certificate ${id} carries a revocation`);
      if (changes !== 0) violations.push(`active certificate ${id} has ${changes} revocation events`);
    }
    if (c['supersedes']) {
      const old = byId.get(str(c['supersedes']));
      if (!old || old['supersededBy'] !== id || old['status'] !== 'revoked') violations.push(`certificate ${id} supersedes ${str(c['supersedes'])}, which is not revoked by it`);
    }
  }

  // Nothing orphaned: every transaction key, number and event belongs to a certificate.
  for (const t of transactions) if (!byId.has(str(t['id']))) violations.push(`orphan transaction key ${str(t['pk'])}`);
  for (const n of numbers) if (!byId.has(str(n['certificateId']))) violations.push(`orphan number ${str(n['pk'])}`);
  for (const e of events) if (!byId.has(str(e['certificateId']))) violations.push(`orphan event ${str(e['pk'])} ${str(e['sk'])}`);

  // Status positions are unique; the revoked sets hold exactly the revoked certificates.
  const positions = new Map<string, string>();
  for (const c of certificates) {
    const p = c['statusList'] as { listId: string; index: number };
    const key = `${p.listId}/${p.index}`;
    if (positions.has(key)) violations.push(`status position ${key} shared by ${positions.get(key)} and ${str(c['id'])}`);
    positions.set(key, str(c['id']));
  }
  const bits = new Set<string>();
  const versions = new Map<string, number>();
  for (const i of items) {
    const pk = str(i['pk']);
    if (!pk.startsWith('STATUSLIST#')) continue;
    const listId = pk.slice('STATUSLIST#'.length);
    if (i['sk'] === 'HEAD') versions.set(listId, Number(i['version'] ?? 0));
    else if (i['revoked'] instanceof Set) for (const n of i['revoked'] as Set<number>) bits.add(`${listId}/${n}`);
  }
  const revoked = certificates.filter((c) => c['status'] === 'revoked');
  const expectedBits = new Set(revoked.map((c) => { const p = c['statusList'] as { listId: string; index: number }; return `${p.listId}/${p.index}`; }));
  for (const b of expectedBits) if (!bits.has(b)) violations.push(`revoked position ${b} has no bit in its list`);
  for (const b of bits) if (!expectedBits.has(b)) violations.push(`bit ${b} is set but no revoked certificate sits there`);
  const perList = new Map<string, number>();
  for (const b of expectedBits) { const l = b.split('/')[0] as string; perList.set(l, (perList.get(l) ?? 0) + 1); }
  for (const [listId, n] of perList) {
    if (versions.get(listId) !== n) violations.push(`list ${listId} head version ${String(versions.get(listId))}, but ${n} revocations`);
  }
  for (const c of certificates) {
    const p = c['statusList'] as { listId: string };
    if (!versions.has(p.listId)) violations.push(`certificate ${str(c['id'])} sits in list ${p.listId}, which has no head`);
  }

  return { violations, certificates, byTransaction, events, revoked };
}
