import './zod-jitless.ts';
import { create as createQr } from 'qrcode';
import { readAllBounded } from '#shared/crypto/portable-bytes.ts';
import { readJwks } from '#shared/crypto/webcrypto-jws.ts';
import { CHECK_LABELS } from '#shared/domain/check-labels.ts';
import type { Credential } from '#shared/domain/schemas/credential.ts';
import { type CertificateVerdict, type Verdict, verifyCertificateToken } from '../verifier/certificate.ts';
import { compressToken, tokenFromFragment } from '../verifier/qr-link.ts';

/**
 * The verification page (`GET /verify`). Everything runs here in the browser: the token's
 * signature against `/.well-known/jwks.json` (WebCrypto), the signed status list and its bit.
 * The DOM is built with `textContent` only: nothing in a token ever becomes markup.
 */

const TITLES: Record<Verdict | 'error', string> = {
  active: 'Valid',
  revoked: 'Revoked',
  expired: 'Expired',
  'not-yet-valid': 'Not yet valid',
  'status-unknown': 'Status unknown',
  invalid: 'Invalid',
  error: 'Could not verify',
};


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
const verdictBox = byId('verdict');
const certificateBox = byId('certificate');
const checksBox = byId('checks');
const qrBox = byId('qr');
const printButton = byId<HTMLButtonElement>('print-button');

function showVerdict(verdict: Verdict | 'error' | 'checking', reason: string): void {
  verdictBox.hidden = false;
  verdictBox.className = `verdict verdict-${verdict}`;
  verdictBox.dataset['verdict'] = verdict;
  byId('verdict-title').textContent = verdict === 'checking' ? 'Checking…' : TITLES[verdict];
  byId('verdict-reason').textContent = reason;
}

function groupThousands(value: string): string {
  const [whole = '', fraction] = value.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
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

function renderCertificate(c: Credential): void {
  const s = c.credentialSubject;
  const t = s.transaction;
  const p = s.dataProduct;
  certificateBox.replaceChildren();
  certificateBox.append(el('h2', 'Data compliance certificate'), el('div', c.certificateNo.replace(/(\d{4})(?=\d)/g, '$1 '), 'number'));
  certificateBox.dataset['certificateNo'] = c.certificateNo;
  const amount = el('span', `${groupThousands(t.amount.value)} ${t.amount.currency}`, 'amount');
  certificateBox.append(
    section('Transaction', [
      ['Exchange', `${t.exchange.name} (${t.exchange.id})`],
      ['Reference', t.transactionRef],
      ['Traded at', t.tradedAt],
      ['Amount', amount],
    ]),
    section('Parties', [
      ['Provider', `${s.provider.name}`],
      ['Provider USCC', el('span', s.provider.uscc, 'mono')],
      ['Consumer', `${s.consumer.name}`],
      ['Consumer USCC', el('span', s.consumer.uscc, 'mono')],
    ]),
    section('Data product', [
      ['Name', `${p.name} (${p.id}, version ${p.version})`],
      ['Classification', p.classification],
      ['Personal information', p.personalInformation],
      ['Delivery', p.deliveryMethod],
      ['Digest', el('span', `${p.digest.alg} ${p.digest.value}`, 'mono')],
    ]),
    section('Usage', [
      ['Purpose', s.usage.purpose],
      ['Rights', s.usage.rights.join(', ')],
      ['Valid', `${c.validFrom} — ${c.validUntil}`],
      ['Cross-border', s.usage.crossBorder ? `to ${s.usage.crossBorder.destination}, assessment ${s.usage.crossBorder.assessmentRef}` : 'none (data stays in China)'],
    ]),
  );
  const checks = el('ul');
  for (const check of s.compliance.checks) {
    const li = el('li');
    li.append(el('span', check.result.toUpperCase(), `result-${check.result}`), document.createTextNode(` ${CHECK_LABELS[check.code]}`));
    checks.append(li);
  }
  certificateBox.append(
    section('Compliance review', [
      ['Assessor', `${s.compliance.assessor.name} (USCC ${s.compliance.assessor.uscc})`],
      ['Report', s.compliance.reportRef],
      ['Assessed at', s.compliance.assessedAt],
      ['Checks', checks],
    ]),
    section('Issuer', [
      ['Issuer', c.issuer],
      ['Issued at', new Date(c.iat * 1000).toISOString().replace('.000Z', 'Z')],
      ['Certificate id', el('span', c.id, 'mono')],
      ...(s.supersedes ? [['Corrects', s.supersedes] as [string, string]] : []),
      ['Status entry', el('span', `${c.credentialStatus.statusListCredential} #${c.credentialStatus.statusListIndex}`, 'mono')],
    ]),
  );
  certificateBox.hidden = false;
}

function renderChecks(result: CertificateVerdict): void {
  const list = byId('check-list');
  list.replaceChildren();
  for (const check of result.checks) {
    list.append(el('li', check.ok ? `${check.name}: ok` : `${check.name}: ${check.detail ?? 'failed'}`, check.ok ? 'ok' : 'failed'));
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

async function showQr(token: string): Promise<void> {
  try {
    const fragment = await compressToken(token);
    const link = `${location.origin}${location.pathname}#${fragment}`;
    history.replaceState(null, '', `#${fragment}`);
    byId<HTMLImageElement>('qr-image').src = qrDataUrl(link);
    qrBox.dataset['link'] = link;
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

let run = 0;

async function verify(token: string): Promise<void> {
  const mine = ++run;
  certificateBox.hidden = true;
  checksBox.hidden = true;
  qrBox.hidden = true;
  printButton.hidden = true;
  showVerdict('checking', 'Checking the signature and the revocation status…');
  let keys;
  try {
    keys = await readJwks(JSON.parse(await fetchText('./.well-known/jwks.json', 'application/jwk-set+json, application/json')));
  } catch (error) {
    if (mine === run) showVerdict('error', `The issuer's published keys could not be loaded: ${(error as Error).message}`);
    return;
  }
  const result = await verifyCertificateToken(token, keys, new Date(), {
    fetchStatusList: (url) => fetchText(url, 'application/vc+jwt'),
  });
  if (mine !== run) return;
  const failed = result.checks.find((c) => !c.ok);
  const reason = result.verified
    ? 'Genuine: signed by the issuer, inside its validity window, and not revoked.'
    : (failed?.detail ?? 'The certificate is not valid.');
  showVerdict(result.status, reason);
  renderChecks(result);
  if (result.certificate) {
    renderCertificate(result.certificate);
    printButton.hidden = false;
    await showQr(token);
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
    const token = await tokenFromFragment(fragment);
    input.value = token;
    await verify(token);
  } catch (error) {
    showVerdict('invalid', (error as Error).message);
  }
}

window.addEventListener('hashchange', () => void fromFragment());
void fromFragment();
