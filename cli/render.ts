import { CHECK_LABELS } from '#shared/domain/check-labels.ts';
import type { Credential } from '#shared/domain/schemas/credential.ts';
import { shown } from './terminal-text.ts';
import type { CliStatus, ItemResult } from './verification.ts';

/**
 * Plain-text renderings for people: certificates as invoices, verdicts, summaries. Every value
 * that comes from a token, a file or a server is passed through `shown`, so it stays on its line
 * and carries no control character (the streams escape everything again; see terminal-text.ts).
 */

/** The verdict word shown for each status. */
export const VERDICT_LABELS: Record<CliStatus, string> = {
  active: 'VALID',
  revoked: 'REVOKED',
  expired: 'EXPIRED',
  'not-yet-valid': 'NOT YET VALID',
  'status-unknown': 'STATUS UNKNOWN',
  invalid: 'INVALID',
};

/** `1234567.5` → `1,234,567.5`: thousands grouped, the decimal string otherwise untouched. */
export function groupThousands(value: string): string {
  const [whole = '', fraction] = value.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** A certificate number in groups of four, as printed on the paper form. */
export function formatCertificateNo(no: string): string {
  return no.replace(/(\d{4})(?=\d)/g, '$1 ');
}


/** The certificate laid out like an invoice, one field per line. */
export function renderInvoice(c: Credential): string {
  const s = c.credentialSubject;
  const t = s.transaction;
  const p = s.dataProduct;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(22)}${shown(value)}`);
  const heading = (text: string) => lines.push('', text);

  lines.push(`DATA COMPLIANCE CERTIFICATE  No. ${shown(formatCertificateNo(c.certificateNo))}`);
  row('Certificate id', c.id);
  row('Issuer', c.issuer);
  row('Issued at', new Date(c.iat * 1000).toISOString().replace('.000Z', 'Z'));
  if (s.supersedes) row('Corrects', s.supersedes);

  heading('Transaction');
  row('Exchange', `${t.exchange.name} (${t.exchange.id})`);
  row('Reference', t.transactionRef);
  row('Traded at', t.tradedAt);
  row('Amount', `${groupThousands(t.amount.value)} ${t.amount.currency}`);

  heading('Parties');
  row('Provider', s.provider.name);
  row('  USCC', s.provider.uscc);
  row('Consumer', s.consumer.name);
  row('  USCC', s.consumer.uscc);

  heading('Data product');
  row('Name', `${p.name} (${p.id}, version ${p.version})`);
  row('Classification', p.classification);
  row('Personal information', p.personalInformation);
  row('Delivery', p.deliveryMethod);
  row('Digest', `${p.digest.alg} ${p.digest.value}`);

  heading('Usage');
  row('Purpose', s.usage.purpose);
  row('Rights', s.usage.rights.join(', '));
  row('Valid from', c.validFrom);
  row('Valid until', c.validUntil);
  row('Cross-border', s.usage.crossBorder ? `to ${s.usage.crossBorder.destination}, assessment ${s.usage.crossBorder.assessmentRef}` : 'none (data stays in China)');

  heading('Compliance review');
  row('Assessor', `${s.compliance.assessor.name} (USCC ${s.compliance.assessor.uscc})`);
  row('Report', s.compliance.reportRef);
  row('Report digest', `${s.compliance.reportDigest.alg} ${s.compliance.reportDigest.value}`);
  row('Assessed at', s.compliance.assessedAt);
  for (const check of s.compliance.checks) {
    row(`  ${check.result.toUpperCase()}`, `${CHECK_LABELS[check.code]} (${check.code})`);
  }

  heading('Revocation status entry');
  row('Status list', c.credentialStatus.statusListCredential);
  row('Index', c.credentialStatus.statusListIndex);
  return lines.join('\n');
}

/** One line per check: `✓ format  ✓ header  ✗ signature: …`. */
export function renderChecks(result: ItemResult): string {
  return result.checks.map((c) => (c.ok ? `  ✓ ${shown(c.name)}` : `  ✗ ${shown(c.name)}: ${shown(c.detail ?? 'failed')}`)).join('\n');
}

/** `VALID  No. …  source` for one item. */
export function renderVerdictLine(result: ItemResult): string {
  const no = result.certificateNo ? `No. ${shown(result.certificateNo)}  ` : '';
  return `${VERDICT_LABELS[result.status].padEnd(15)}${no}${shown(result.source)}`;
}

/** Counts per status, zero counts included. */
export function countByStatus(results: readonly ItemResult[]): Record<CliStatus, number> {
  const counts = { active: 0, revoked: 0, expired: 0, 'not-yet-valid': 0, 'status-unknown': 0, invalid: 0 } satisfies Record<CliStatus, number>;
  for (const r of results) counts[r.status]++;
  return counts;
}
