import './zod-jitless.ts';
import { create as createQr } from 'qrcode';
import { readAllBounded } from '#shared/crypto/portable-bytes.ts';
import { readJwks } from '#shared/crypto/webcrypto-jws.ts';
import type { DisclosedCredential } from '#shared/domain/schemas/disclosed-credential.ts';
import { looksLikeSdJwt } from '#shared/domain/sd-jwt/sd-jwt.ts';
import { formatAmount, formatCertificateNo, formatInstant, formatList, instantOfSeconds, renminbiInCapitals } from '#shared/i18n/format.ts';
import { certificateMessages } from '#shared/i18n/messages/certificate.ts';
import { translator } from '#shared/i18n/translate.ts';
import { type CertificateVerdict, type PresentationVerdict, type Verdict, verifyCertificateToken, verifyPresentationToken } from '../verifier/certificate.ts';
import { pageLocale, pageText, startLanguage } from './language.ts';
import { compactFragment, compactReferenceIn, compressToken, tokenForReference, tokenFromFragment } from '../verifier/qr-link.ts';

/**
 * The verification page (`GET /verify`). Everything runs here in the browser: the token's
 * signature against `/.well-known/jwks.json` (WebCrypto), the signed status list and its bit.
 * The DOM is built with `textContent` only: nothing in a token ever becomes markup. It speaks
 * the reader's language (language.ts); what the script drew is redrawn when they switch.
 */


function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page lacks #${id}`);
  return element as T;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  return element;
}

const form = byId<HTMLFormElement>('verify-form');
const input = byId<HTMLTextAreaElement>('token');
const audInput = byId<HTMLInputElement>('aud');
const nonceInput = byId<HTMLInputElement>('nonce');
const disclosureBox = byId('disclosure');
const verdictBox = byId('verdict');
const certificateBox = byId('certificate');
const checksBox = byId('checks');
const qrBox = byId('qr');
const printButton = byId<HTMLButtonElement>('print-button');

/** Redraws what the script last showed, in the language just chosen. */
let redraw: (() => void) | null = null;

/**
 * Shows a verdict with its reason. `detail` is the verifier's own sentence (English): in
 * English it is the reason itself; in Chinese the reason is `summary` and the detail follows,
 * marked as English.
 */
function showVerdict(verdict: Verdict | 'error' | 'checking', reason: { summary: string; detail?: string } | string): void {
  const t = pageText();
  const english = pageLocale() === 'en';
  const { summary, detail } = typeof reason === 'string' ? { summary: reason, detail: undefined } : reason;
  verdictBox.hidden = false;
  verdictBox.className = `verdict verdict-${verdict}`;
  verdictBox.dataset['verdict'] = verdict;
  byId('verdict-title').textContent = t(`verdict.${verdict}`);
  byId('verdict-reason').textContent = english && detail !== undefined ? detail : summary;
  const detailLine = byId('verdict-detail');
  detailLine.hidden = english || detail === undefined;
  detailLine.textContent = detail === undefined ? '' : t('detail.label', { detail });
}

/** A step name of a check in the current language; a step no catalogue knows keeps its name. */
function stepLabel(name: string): string {
  const table = certificateMessages[pageLocale()];
  const key = `step.${name}`;
  return Object.hasOwn(table, key) ? table[key as keyof typeof table] : name;
}

/** A disclosable claim as readers call it: its member name in English, its term in Chinese. */
function claimLabel(name: string): string {
  const table = certificateMessages[pageLocale()];
  const key = `claim.${name}`;
  return Object.hasOwn(table, key) ? table[key as keyof typeof table] : name;
}

function section(title: string, rows: [string, string | HTMLElement][]): HTMLElement {
  const s = el('section');
  s.append(el('h3', title));
  const dl = el('dl');
  for (const [label, value] of rows) {
    const dd = el('dd');
    if (typeof value === 'string') dd.textContent = value;
    else dd.append(value);
    dl.append(el('dt', label), dd);
  }
  s.append(dl);
  return s;
}

function renderCertificate(c: DisclosedCredential): void {
  const locale = pageLocale();
  const t = translator(certificateMessages, locale);
  const s = c.credentialSubject;
  const tx = s.transaction;
  const p = s.dataProduct;
  // What a presentation kept hidden is said so, never left blank.
  const hidden = () => el('span', t('hidden'), 'hidden-claim');
  const instant = (iso: string) => formatInstant(iso, locale);
  certificateBox.replaceChildren();
  const number = el('div', undefined, 'number');
  number.append(el('span', t('certificate.no'), 'number-label'), el('span', formatCertificateNo(c.certificateNo), 'number-value'));
  certificateBox.append(el('h2', t('certificate.heading')), number);
  certificateBox.dataset['certificateNo'] = c.certificateNo;
  const amount = tx.amount ? el('span', formatAmount(tx.amount.value, tx.amount.currency, locale), 'amount') : hidden();
  const words = tx.amount && locale !== 'en' && tx.amount.currency === 'CNY' ? renminbiInCapitals(tx.amount.value) : null;
  certificateBox.append(
    section(t('section.transaction'), [
      [t('exchange'), t('exchange.value', { name: tx.exchange.name, id: tx.exchange.id })],
      [t('transaction-ref'), tx.transactionRef],
      [t('traded-at'), instant(tx.tradedAt)],
      [t('amount'), amount],
      ...(words === null ? [] : [[t('amount.in-words'), el('span', words, 'amount-words')] as [string, HTMLElement]]),
    ]),
    section(t('section.parties'), [
      [t('provider'), s.provider ? s.provider.name : hidden()],
      [t('provider-uscc'), s.provider ? el('span', s.provider.uscc, 'mono') : hidden()],
      [t('consumer'), s.consumer ? s.consumer.name : hidden()],
      [t('consumer-uscc'), s.consumer ? el('span', s.consumer.uscc, 'mono') : hidden()],
    ]),
    section(
      t('section.data-product'),
      p
        ? [
            [t('product.name'), t('product.name.value', { name: p.name, id: p.id, version: p.version })],
            [t('classification'), t(`classification.${p.classification}`)],
            [t('personal-information'), t(`personal-information.${p.personalInformation}`)],
            [t('delivery'), t(`delivery.${p.deliveryMethod}`)],
            [t('digest'), el('span', `${p.digest.alg} ${p.digest.value}`, 'mono')],
          ]
        : [[t('hidden.details'), hidden()]],
    ),
    section(t('section.usage'), [
      [t('purpose'), s.usage.purpose ?? hidden()],
      [t('rights'), formatList(s.usage.rights.map((r) => t(`right.${r}`)), locale)],
      [t('valid'), t('valid.value', { from: instant(c.validFrom), until: instant(c.validUntil) })],
      [
        t('cross-border'),
        s.usage.crossBorder
          ? t('cross-border.to', { destination: s.usage.crossBorder.destination, assessmentRef: s.usage.crossBorder.assessmentRef })
          : t('cross-border.none'),
      ],
    ]),
  );
  const checks = el('ul');
  for (const check of s.compliance.checks) {
    const li = el('li');
    li.append(el('span', t(`result.${check.result}`), `result-${check.result}`), document.createTextNode(` ${t(`check.${check.code}`)}`));
    checks.append(li);
  }
  certificateBox.append(
    section(t('section.compliance'), [
      [t('assessor'), t('assessor.value', { name: s.compliance.assessor.name, uscc: s.compliance.assessor.uscc })],
      [t('report'), s.compliance.reportRef],
      [t('assessed-at'), instant(s.compliance.assessedAt)],
      [t('checks'), checks],
    ]),
    section(t('section.issuer'), [
      [t('issuer'), c.issuer],
      [t('issued-at'), instant(instantOfSeconds(c.iat))],
      [t('certificate.id'), el('span', c.id, 'mono')],
      ...(s.supersedes ? [[t('supersedes'), s.supersedes] as [string, string]] : []),
      [t('status-entry'), el('span', `${c.credentialStatus.statusListCredential} #${c.credentialStatus.statusListIndex}`, 'mono')],
    ]),
  );
  certificateBox.hidden = false;
}

/** Which claims a presentation disclosed and which it kept hidden. */
function renderDisclosure(presentation: NonNullable<PresentationVerdict['presentation']>): void {
  const t = pageText();
  const list = (claims: readonly string[]) => (claims.length === 0 ? t('disclosure.none') : formatList(claims.map(claimLabel), pageLocale()));
  disclosureBox.replaceChildren(
    el('h3', t(presentation.holderBound ? 'disclosure.heading.bound' : 'disclosure.heading')),
    el('p', t('disclosure.disclosed', { claims: list(presentation.disclosed) }), 'disclosed'),
    el('p', t('disclosure.hidden', { claims: list(presentation.hidden) }), 'hidden'),
  );
  disclosureBox.dataset['disclosed'] = presentation.disclosed.join(',');
  disclosureBox.dataset['hidden'] = presentation.hidden.join(',');
  disclosureBox.hidden = false;
}

function renderChecks(result: CertificateVerdict | PresentationVerdict): void {
  const list = byId('check-list');
  list.replaceChildren();
  const t = pageText();
  for (const check of result.checks) {
    const step = stepLabel(check.name);
    const text = check.ok ? t('check.ok', { step }) : check.detail === undefined ? t('check.failed.plain', { step }) : t('check.failed', { step, detail: check.detail });
    list.append(el('li', text, check.ok ? 'ok' : 'failed'));
  }
  checksBox.hidden = false;
}

/** The QR code as an SVG data URL (the CSP admits `data:` images, nothing inline). */
function qrDataUrl(text: string): string {
  let qr;
  try {
    qr = createQr(text, { errorCorrectionLevel: 'M' });
  } catch {
    qr = createQr(text, { errorCorrectionLevel: 'L' });
  }
  const size = qr.modules.size;
  const quiet = 4;
  let path = '';
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) if (qr.modules.get(r, c)) path += `M${c + quiet} ${r + quiet}h1v1h-1z`;
  }
  const dim = size + 2 * quiet;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${dim} ${dim}" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/**
 * Both QR codes of a verified certificate: the compact one (its number and check value; the
 * page fetches the certificate from this service), small enough to scan from a printed invoice,
 * and the full one (the whole token; verifies without asking the service for the certificate).
 * The address bar keeps the form the page was opened with.
 */
async function showQr(token: string, certificateNo: string): Promise<void> {
  try {
    const base = `${location.origin}${location.pathname}`;
    const full = `${base}#${await compressToken(token)}`;
    const compact = `${base}#${await compactFragment(certificateNo, token)}`;
    if (!compactReferenceIn(location.hash.slice(1))) history.replaceState(null, '', full.slice(base.length));
    byId<HTMLImageElement>('qr-image').src = qrDataUrl(full);
    byId<HTMLImageElement>('qr-compact-image').src = qrDataUrl(compact);
    qrBox.dataset['link'] = full;
    qrBox.dataset['compactLink'] = compact;
    qrBox.hidden = false;
  } catch {
    qrBox.hidden = true;
  }
}

/**
 * The page's limits on a read, the command line's defaults (`cli/bounded-fetch.ts`): a key set or
 * a status list is tens of KB at most, and neither may keep the page waiting.
 */
const FETCH_DEADLINE_MS = 30_000;
const FETCH_IDLE_MS = 10_000;
const FETCH_MAX_BYTES = 1024 * 1024;

/**
 * Fetches text the way both verifiers do: no redirect (`redirect: 'error'`), a total deadline,
 * an idle timeout and a byte cap counted while the (already decompressed) body streams in, the
 * request aborted as soon as a limit is passed.
 */
async function fetchText(url: string, accept: string): Promise<string> {
  const controller = new AbortController();
  let reason = '';
  const stop = (why: string) => {
    reason ||= why;
    controller.abort();
  };
  const deadline = setTimeout(() => stop(`no complete answer within ${FETCH_DEADLINE_MS / 1000} s`), FETCH_DEADLINE_MS);
  let idle: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => stop(`nothing received for ${FETCH_IDLE_MS / 1000} s`), FETCH_IDLE_MS);
  };
  touch();
  try {
    const response = await fetch(url, { headers: { accept }, cache: 'no-store', credentials: 'omit', redirect: 'error', signal: controller.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const tooLarge = () => {
      stop(`more than ${FETCH_MAX_BYTES} bytes`);
      return new Error(reason);
    };
    const body = response.body ? await readAllBounded(response.body, FETCH_MAX_BYTES, { onChunk: touch, tooLarge }) : new Uint8Array(0);
    if (reason) throw new Error(reason);
    return new TextDecoder().decode(body);
  } catch (error) {
    throw reason ? new Error(reason) : error;
  } finally {
    clearTimeout(deadline);
    clearTimeout(idle);
  }
}

/** Why a result is what it is: the summary in the reader's language, and the verifier's own detail. */
function reasonOf(result: CertificateVerdict | PresentationVerdict): { summary: string; detail?: string } {
  const t = pageText();
  if (result.verified) return { summary: t('reason.active') };
  const failed = result.checks.find((c) => !c.ok);
  const detail = failed?.detail ?? t('reason.not-valid');
  switch (result.status) {
    case 'revoked':
    case 'expired':
    case 'not-yet-valid':
    case 'status-unknown':
      return { summary: t(`summary.${result.status}`), detail };
    default:
      return { summary: t('summary.invalid', { step: stepLabel(failed?.name ?? 'format') }), detail };
  }
}

/** Everything a verification shows: verdict, checks, disclosure, certificate. */
function showResult(result: CertificateVerdict | PresentationVerdict): void {
  showVerdict(result.status, reasonOf(result));
  renderChecks(result);
  if ('presentation' in result && result.presentation) renderDisclosure(result.presentation);
  if (result.certificate) renderCertificate(result.certificate);
}

let run = 0;

async function verify(token: string): Promise<void> {
  const mine = ++run;
  certificateBox.hidden = true;
  checksBox.hidden = true;
  disclosureBox.hidden = true;
  qrBox.hidden = true;
  printButton.hidden = true;
  redraw = () => showVerdict('checking', pageText()('reason.checking'));
  redraw();
  let keys;
  try {
    keys = await readJwks(JSON.parse(await fetchText('./.well-known/jwks.json', 'application/jwk-set+json, application/json')));
  } catch (error) {
    if (mine === run) {
      const reason = (error as Error).message;
      redraw = () => showVerdict('error', pageText()('reason.keys-unavailable', { reason }));
      redraw();
    }
    return;
  }
  const fetchStatusList = (url: string) => fetchText(url, 'application/vc+jwt');
  const aud = audInput.value.trim();
  const nonce = nonceInput.value.trim();
  const result: CertificateVerdict | PresentationVerdict = looksLikeSdJwt(token)
    ? await verifyPresentationToken(token, keys, new Date(), { fetchStatusList, ...(aud && nonce ? { keyBinding: { aud, nonce } } : {}) })
    : await verifyCertificateToken(token, keys, new Date(), { fetchStatusList });
  if (mine !== run) return;
  redraw = () => showResult(result);
  redraw();
  if (result.certificate) {
    printButton.hidden = false;
    await showQr(token, result.certificate.certificateNo);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  // Surrounding whitespace comes from copying; inside the token it still makes it invalid.
  void verify(input.value.trim());
});
printButton.addEventListener('click', () => window.print());

async function fromFragment(): Promise<void> {
  const fragment = location.hash.slice(1);
  if (!fragment) return;
  try {
    const reference = compactReferenceIn(fragment);
    // A compact reference names the certificate; this service holds it.
    const token = reference
      ? await tokenForReference(reference, JSON.parse(await fetchText(`./v1/certificate-numbers/${reference.certificateNo}?check=${reference.check}`, 'application/json')))
      : await tokenFromFragment(fragment);
    input.value = token;
    await verify(token);
  } catch (error) {
    const detail = (error as Error).message;
    redraw = () => showVerdict('invalid', { summary: pageText()('summary.link'), detail });
    redraw();
  }
}

window.addEventListener('hashchange', () => void fromFragment());
startLanguage(() => redraw?.());
void fromFragment();
