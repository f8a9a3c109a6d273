import { zodIssuesToProblems } from '#shared/domain/problems.ts';
import { CredentialSchema } from '#shared/domain/schemas/credential.ts';
import { IssueRequestSchema } from '#shared/domain/schemas/issue-request.ts';

/**
 * The texts of a few refusals: the problems of an issue request (rephrased from zod's issues)
 * and zod's own messages for a payload that is not a credential (which the verifier quotes).
 * Run alone (`node --import tsx <this file>`) it prints them as JSON from a process that never
 * loads the full `zod`; the test compares them with those of its own process.
 */
export function refusalTexts(): unknown {
  const request = IssueRequestSchema.safeParse({ transactionRef: 7, amount: { value: '1', currency: 'CNY', rate: 1 } });
  const credential = CredentialSchema.safeParse({ '@context': [], iat: 1.5, type: 'x' });
  return {
    problems: request.success ? [] : zodIssuesToProblems(request.error),
    messages: credential.success ? [] : credential.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  process.stdout.write(JSON.stringify(refusalTexts()));
}
