import type { CheckCode } from './schemas/issue-request.ts';

/** How people read each compliance check: the verification page and `dcc inspect` both say this. */
export const CHECK_LABELS: Readonly<Record<CheckCode, string>> = {
  'source-legality': 'Lawful source',
  'usage-scope': 'Defined usage scope',
  traceability: 'Traceable flow',
  'risk-control': 'Controlled risk',
  'pi-separate-consent': 'Separate consent for personal information',
  'cross-border-security-assessment': 'Cross-border security assessment',
};
