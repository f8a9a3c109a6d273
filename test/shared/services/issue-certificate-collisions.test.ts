import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';
import type { Exchange, StoredCertificate } from '#shared/domain/records.ts';
import { errorToResponse } from '#shared/http/handler.ts';
import { type CertificateStore, UniqueValueTakenError } from '#shared/ports/certificate-store.ts';
import { type IssueDeps, issueCertificate } from '#shared/services/issue-certificate.ts';
import { FIXTURE_NOW, validIssueRequest } from '../../fixtures/issue-request.ts';
import { vocabularyUrls } from '#shared/domain/credential-context.ts';

const EXCHANGE: Exchange = { id: 'demo-exchange', name: 'Demo Exchange', clientIds: ['demo-exchange'], status: 'active' };
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Issue dependencies whose store answers `recordIssue` with `answer` (called with the attempt
 * number, from 1), recording every certificate it was handed.
 */
function depsWith(answer: (attempt: number, certificate: StoredCertificate) => ReturnType<CertificateStore['recordIssue']>) {
  const offered: StoredCertificate[] = [];
  let next = 0;
  const deps: IssueDeps = {
    store: {
      recordIssue: (certificate) => {
        offered.push(certificate);
        return answer(offered.length, certificate);
      },
    },
    statusLists: { reserveStatusListPosition: async () => ({ listId: '0', index: next++ }) },
    signer: LocalCertificateSigner.fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey),
    issuer: 'https://dcc.example/issuer',
    statusListUrl: (listId) => `https://dcc.example/v1/status-lists/${listId}`,
    vocabulary: vocabularyUrls('https://dcc.example'),
    clockSkewSeconds: 300,
    maxValidityDays: 1830,
  };
  return { deps, offered };
}

describe('issueCertificate when freshly drawn values collide', () => {
  it('signs again with new values and succeeds when a retry gets through', async () => {
    const { deps, offered } = depsWith(async (attempt, certificate) => {
      if (attempt === 1) throw new UniqueValueTakenError('certificateNo', certificate.certificateNo);
      return { outcome: 'created', certificate };
    });
    const outcome = await issueCertificate(deps, EXCHANGE, validIssueRequest(), new Date(FIXTURE_NOW));
    expect(outcome.outcome).toBe('created');
    expect(offered).toHaveLength(2);
    expect(offered[1]?.certificateNo).not.toBe(offered[0]?.certificateNo);
    expect(offered[1]?.id).not.toBe(offered[0]?.id);
    expect(outcome.record.certificateNo).toBe(offered[1]?.certificateNo);
  });

  it('gives up after three collisions with a retryable error that the API answers with 503', async () => {
    const { deps, offered } = depsWith(async (_attempt, certificate) => {
      throw new UniqueValueTakenError('id', certificate.id);
    });
    const error = await issueCertificate(deps, EXCHANGE, validIssueRequest(), new Date(FIXTURE_NOW)).then(
      () => expect.fail('expected the issue to fail'),
      (e: unknown) => e,
    );
    expect(offered).toHaveLength(3);
    expect(error).toBeInstanceOf(UniqueValueTakenError);
    expect(error).toMatchObject({ code: 'unique-value-taken', retryable: true });

    const response = errorToResponse(error, quiet);
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(String(response.body))).toMatchObject({ status: 503, code: 'service-unavailable' });
    expect(response.body).not.toContain(offered[2]?.id);
  });

  it('does not retry other failures of the store', async () => {
    const { deps, offered } = depsWith(async () => {
      throw Object.assign(new Error('table is gone'), { name: 'ResourceNotFoundException' });
    });
    await expect(issueCertificate(deps, EXCHANGE, validIssueRequest(), new Date(FIXTURE_NOW))).rejects.toThrow('table is gone');
    expect(offered).toHaveLength(1);
  });
});
