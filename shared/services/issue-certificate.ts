import { DomainError } from '../domain/errors.ts';
import { problemDetail } from '../i18n/messages/problems.ts';
import type { VocabularyUrls } from '../domain/credential-context.ts';
import { buildCredential, canonicalRequestHash, newCertificateId } from '../domain/credential-builder.ts';
import { newCertificateNumber } from '../domain/certificate-number.ts';
import { signCertificate } from '../domain/certificate.ts';
import { checkComplianceRules } from '../domain/rules.ts';
import type { IssueRequest } from '../domain/schemas/issue-request.ts';
import type { Exchange, StoredCertificate } from '../domain/records.ts';
import { type CertificateStore, type StatusListStore, UniqueValueTakenError } from '../ports/certificate-store.ts';
import type { CertificateSigner } from '../domain/signer.ts';
import { type CertificateRecord, toCertificateRecord } from './certificate-record.ts';

export interface IssueDeps {
  store: Pick<CertificateStore, 'recordIssue'>;
  statusLists: Pick<StatusListStore, 'reserveStatusListPosition'>;
  signer: CertificateSigner;
  issuer: string;
  statusListUrl: (listId: string) => string;
  /** Where the service publishes the certificate's context and schema. */
  vocabulary: VocabularyUrls;
  clockSkewSeconds: number;
  maxValidityDays: number;
}

export type IssueOutcome =
  | { outcome: 'created'; record: CertificateRecord }
  | { outcome: 'replayed'; record: CertificateRecord };

/**
 * Issues the certificate of one transaction, idempotently. The happy path costs one signature
 * and one transactional write: there is no read first, because the write itself tells a new
 * transaction from a replay (the stored copy comes back from the failed condition). A replay
 * therefore spends a signature and a status-list position that are thrown away; both are cheap
 * next to a read on every issue.
 */
export async function issueCertificate(
  deps: IssueDeps,
  exchange: Exchange,
  request: IssueRequest,
  now: Date,
): Promise<IssueOutcome> {
  const violations = checkComplianceRules(request, {
    now,
    clockSkewSeconds: deps.clockSkewSeconds,
    maxValidityDays: deps.maxValidityDays,
  });
  if (violations.length > 0) {
    throw new DomainError(
      'compliance-rule-violation',
      problemDetail('detail.compliance-violations', { count: violations.length }),
      violations,
    );
  }

  const supersede = request.supersedes ? { certificateId: request.supersedes, at: now.toISOString() } : null;
  // A fresh id or certificate number that is already taken is astronomically rare; when it
  // happens nothing was written, so signing again with new values is safe.
  for (let attempt = 1; ; attempt++) {
    const certificate = await signNew(deps, exchange, request, now);
    try {
      const result = await deps.store.recordIssue(certificate, supersede);
      return settle(result, request);
    } catch (error) {
      if (!(error instanceof UniqueValueTakenError) || attempt >= 3) throw error;
    }
  }
}

async function signNew(deps: IssueDeps, exchange: Exchange, request: IssueRequest, now: Date): Promise<StoredCertificate> {
  const position = await deps.statusLists.reserveStatusListPosition();
  const statusListCredential = deps.statusListUrl(position.listId);
  const id = newCertificateId(now);
  const certificateNo = newCertificateNumber(now);
  const credential = await buildCredential(request, {
    certificateId: id,
    certificateNo,
    issuer: deps.issuer,
    exchange: { id: exchange.id, name: exchange.name },
    now,
    status: { statusListCredential, statusListIndex: position.index },
    vocabulary: deps.vocabulary,
  });
  const token = await signCertificate(credential, deps.signer);

  return {
    id,
    certificateNo,
    exchangeId: exchange.id,
    transactionRef: request.transactionRef,
    requestHash: canonicalRequestHash(request),
    token,
    issuedAt: now.toISOString(),
    validUntil: request.usage.validUntil,
    status: 'active',
    statusList: position,
    statusListCredential,
    revocation: null,
    supersedes: request.supersedes ?? null,
    supersededBy: null,
  };
}

function settle(result: Awaited<ReturnType<CertificateStore['recordIssue']>>, request: IssueRequest): IssueOutcome {
  switch (result.outcome) {
    case 'created':
    case 'replayed':
      return { outcome: result.outcome, record: toCertificateRecord(result.certificate) };
    case 'conflict':
      throw new DomainError(
        'transaction-conflict',
        problemDetail('detail.transaction-conflict', { transactionRef: request.transactionRef, certificateNo: result.existing.certificateNo }),
        [{ pointer: '/transactionRef', message: 'already certified with different content' }],
      );
  }
}
