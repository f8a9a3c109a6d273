import { expect } from 'vitest';
import type { LocalService } from '#local/local-service.ts';
import { issueRequestNow } from '../cli/support/run-dcc.ts';

/** What the tests read of a certificate record issued through a local service. */
export interface IssuedCertificate {
  id: string;
  certificateNo: string;
  token: string;
  statusListCredential: string;
}

/**
 * Issues a certificate valid now for `transactionRef` through the running local service, as the
 * demo exchange (the token from its dev client) unless `token` says otherwise; fails the test
 * unless it is created (201).
 */
export async function issueThroughService(service: LocalService, transactionRef: string, token?: string): Promise<IssuedCertificate> {
  const response = await fetch(`${service.url}/v1/certificates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? (await service.devClients.token({ role: 'exchange' }))}`, 'content-type': 'application/json' },
    body: JSON.stringify(issueRequestNow(transactionRef)),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as IssuedCertificate;
}
