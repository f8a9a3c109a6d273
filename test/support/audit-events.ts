import { generateKeyPairSync } from 'node:crypto';
import type { AuditEvent } from '#shared/domain/records.ts';
import type { NoteSigner } from '#shared/transparency/note-signer.ts';
import { keyObjectNoteSigner } from '#shared/transparency/note.ts';

/**
 * Audit events and a log key for tests of the transparency log that need no certificates: the
 * events are self-contained, as the log reads them from the outbox.
 */

/** The origin the test logs sign under. */
export const TEST_LOG_ORIGIN = 'dcc.test/log';

/**
 * An audit event of certificate `i`: its id, number, status list index and token hash derive
 * from `i`. Times are `atMs` milliseconds after a fixed instant (default `i`), so events of
 * different certificates sort by `i` in the outbox.
 */
export function sampleAuditEvent(i: number, type: AuditEvent['type'] = 'issued', atMs = i): AuditEvent {
  return {
    certificateId: `0190d5f2-0000-7000-8000-${String(i).padStart(12, '0')}`,
    type,
    at: new Date(Date.UTC(2026, 10, 27, 10, 0, 0) + atMs).toISOString(),
    actor: type === 'issued' ? 'exchange-1' : 'admin-1',
    detail: type === 'issued' ? { transactionRef: `T-${i}`, supersedes: null } : { reason: 'issued-in-error', comment: null },
    certificateNo: String(10_000_000_000_000_000_000n + BigInt(i)),
    statusListId: '0',
    statusListIndex: i,
    tokenSha256: i.toString(16).padStart(64, '0'),
  };
}

/** A fresh Ed25519 log key in memory, behind the same port as the KMS and key-file signers. */
export function testNoteSigner(name = TEST_LOG_ORIGIN): NoteSigner {
  return keyObjectNoteSigner(name, generateKeyPairSync('ed25519').privateKey);
}

/** Wraps a note signer to count its signatures. */
export function countingNoteSigner(signer: NoteSigner): NoteSigner & { readonly signatures: number } {
  let signatures = 0;
  return {
    name: signer.name,
    type: signer.type,
    publicKey: () => signer.publicKey(),
    sign: (message) => {
      signatures += 1;
      return signer.sign(message);
    },
    get signatures() {
      return signatures;
    },
  };
}
