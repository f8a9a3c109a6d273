import type { Credential } from '#shared/domain/schemas/credential.ts';
import { formatAmount, formatCertificateNo, formatInstant, formatList, instantOfSeconds, renminbiInCapitals } from '#shared/i18n/format.ts';
import type { Locale } from '#shared/i18n/locale.ts';
import { certificateMessages } from '#shared/i18n/messages/certificate.ts';
import { cliMessages } from '#shared/i18n/messages/cli.ts';
import { translator } from '#shared/i18n/translate.ts';
import { shown } from './terminal-text.ts';
import type { CliStatus, ItemResult } from './verification.ts';

/**
 * Plain-text renderings for people, in the run's language (`--lang`, else `LC_ALL` /
 * `LC_MESSAGES` / `LANG`): certificates as invoices, verdicts, summaries. Every value that comes
 * from a token, a file or a server is passed through `shown`, so it stays on its line and
 * carries no control character (the streams escape everything again; see terminal-text.ts).
 */

/** The verdict word shown for `status` (`VALID`, `有效`...). */
export function verdictLabel(status: CliStatus, locale: Locale): string {
  return translator(cliMessages, locale)(`verdict.${status}`);
}

/** Columns a terminal gives `text`: East Asian wide and fullwidth characters take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    width += /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/.test(ch) ? 2 : 1;
  }
  return width;
}

/** `text` padded with spaces to `columns` terminal columns (never cut). */
function padColumns(text: string, columns: number): string {
  return text + ' '.repeat(Math.max(0, columns - displayWidth(text)));
}

/** A step name of a check (`signature`, `签名`); a step no catalogue knows keeps its own name. */
function stepLabel(name: string, locale: Locale): string {
  const key = `step.${name}`;
  return Object.hasOwn(certificateMessages[locale], key) ? certificateMessages[locale][key as keyof typeof certificateMessages.en] : name;
}

/** The certificate laid out like an invoice, one field per line, in `locale`. */
export function renderInvoice(c: Credential, locale: Locale = 'en'): string {
  const t = translator(certificateMessages, locale);
  const cli = translator(cliMessages, locale);
  const s = c.credentialSubject;
  const tx = s.transaction;
  const p = s.dataProduct;
  const zh = locale !== 'en';
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${padColumns(label, 22)}${shown(value)}`);
  const heading = (text: string) => lines.push('', text);
  const instant = (iso: string) => formatInstant(iso, locale);

  lines.push(cli('invoice.heading', { no: shown(formatCertificateNo(c.certificateNo)) }));
  row(t('certificate.id'), c.id);
  row(t('issuer'), c.issuer);
  row(t('issued-at'), instant(instantOfSeconds(c.iat)));
  if (s.supersedes) row(t('supersedes'), s.supersedes);

  heading(t('section.transaction'));
  row(t('exchange'), t('exchange.value', { name: tx.exchange.name, id: tx.exchange.id }));
  row(t('transaction-ref'), tx.transactionRef);
  row(t('traded-at'), instant(tx.tradedAt));
  row(t('amount'), formatAmount(tx.amount.value, tx.amount.currency, locale));
  const words = zh && tx.amount.currency === 'CNY' ? renminbiInCapitals(tx.amount.value) : null;
  if (words !== null) row(t('amount.in-words'), cli('invoice.rmb-in-words', { words }));

  heading(t('section.parties'));
  row(t('provider'), s.provider.name);
  row(`  ${t('uscc')}`, s.provider.uscc);
  row(t('consumer'), s.consumer.name);
  row(`  ${t('uscc')}`, s.consumer.uscc);

  heading(t('section.data-product'));
  row(t('product.name'), t('product.name.value', { name: p.name, id: p.id, version: p.version }));
  row(t('classification'), t(`classification.${p.classification}`));
  row(t('personal-information'), t(`personal-information.${p.personalInformation}`));
  row(t('delivery'), t(`delivery.${p.deliveryMethod}`));
  row(t('digest'), `${p.digest.alg} ${p.digest.value}`);

  heading(t('section.usage'));
  row(t('purpose'), s.usage.purpose);
  row(t('rights'), formatList(s.usage.rights.map((r) => t(`right.${r}`)), locale));
  row(t('valid-from'), instant(c.validFrom));
  row(t('valid-until'), instant(c.validUntil));
  const crossBorder = s.usage.crossBorder;
  row(t('cross-border'), crossBorder ? t('cross-border.to', { destination: crossBorder.destination, assessmentRef: crossBorder.assessmentRef }) : t('cross-border.none'));

  heading(t('section.compliance'));
  row(t('assessor'), t('assessor.value', { name: s.compliance.assessor.name, uscc: s.compliance.assessor.uscc }));
  row(t('report'), s.compliance.reportRef);
  row(t('report-digest'), `${s.compliance.reportDigest.alg} ${s.compliance.reportDigest.value}`);
  row(t('assessed-at'), instant(s.compliance.assessedAt));
  for (const check of s.compliance.checks) {
    row(`  ${t(`result.${check.result}`)}`, `${t(`check.${check.code}`)} (${check.code})`);
  }

  heading(t('section.status'));
  row(t('status-list'), c.credentialStatus.statusListCredential);
  row(t('status-index'), c.credentialStatus.statusListIndex);
  return lines.join('\n');
}

/** One line per check: `✓ format  ✓ header  ✗ signature: …` (the detail as the verifier wrote it). */
export function renderChecks(result: ItemResult, locale: Locale = 'en'): string {
  const failed = translator(cliMessages, locale)('check.failed');
  return result.checks
    .map((c) => (c.ok ? `  ✓ ${shown(stepLabel(c.name, locale))}` : `  ✗ ${shown(stepLabel(c.name, locale))}: ${shown(c.detail ?? failed)}`))
    .join('\n');
}

/** `VALID  No. …  source` for one item. */
export function renderVerdictLine(result: ItemResult, locale: Locale = 'en'): string {
  const no = result.certificateNo ? `${translator(cliMessages, locale)('item.number', { no: shown(result.certificateNo) })}  ` : '';
  return `${padColumns(verdictLabel(result.status, locale), 15)}${no}${shown(result.source)}`;
}

/** The verdict of `inspect`: `Verdict: VALID (reason)`. */
export function renderVerdict(result: ItemResult, locale: Locale = 'en'): string {
  const cli = translator(cliMessages, locale);
  const verdict = verdictLabel(result.status, locale);
  return result.reason ? cli('verdict.line.reason', { verdict, reason: shown(result.reason) }) : cli('verdict.line', { verdict });
}

/** `Verified 53 certificates: 50 valid, 1 revoked, 2 invalid.` */
export function renderSummary(counts: Readonly<Record<CliStatus, number>>, order: readonly CliStatus[], locale: Locale = 'en'): string {
  const cli = translator(cliMessages, locale);
  const parts = order.filter((s) => counts[s] > 0).map((s) => cli('summary.part', { count: counts[s], status: cli(`count.${s}`) }));
  const total = order.reduce((sum, s) => sum + counts[s], 0);
  return cli('summary', { count: total, parts: formatList(parts, locale) });
}

/** Counts per status, zero counts included. */
export function countByStatus(results: readonly ItemResult[]): Record<CliStatus, number> {
  const counts = { active: 0, revoked: 0, expired: 0, 'not-yet-valid': 0, 'status-unknown': 0, invalid: 0 } satisfies Record<CliStatus, number>;
  for (const r of results) counts[r.status]++;
  return counts;
}

/** A disclosable claim as people call it: its member name in English, its term in Chinese. */
function claimLabel(name: string, locale: Locale): string {
  const key = `claim.${name}`;
  return Object.hasOwn(certificateMessages[locale], key) ? certificateMessages[locale][key as keyof typeof certificateMessages.en] : name;
}

/** What a presentation disclosed and what it kept hidden, one line each. */
export function renderDisclosure(
  presentation: { disclosed: readonly string[]; hidden: readonly string[]; holderBound: boolean },
  locale: Locale = 'en',
): string {
  const cli = translator(cliMessages, locale);
  const list = (names: readonly string[]) =>
    names.length === 0 ? cli('presentation.none') : formatList(names.map((n) => claimLabel(n, locale)), locale);
  return [
    `  ${cli(presentation.holderBound ? 'presentation.heading.bound' : 'presentation.heading')}`,
    `  ${cli('presentation.disclosed', { claims: list(presentation.disclosed) })}`,
    `  ${cli('presentation.hidden', { claims: list(presentation.hidden) })}`,
  ].join('\n');
}
