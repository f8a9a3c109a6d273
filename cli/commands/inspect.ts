import type { Command } from 'commander';
import { parseCompactJwsStrict } from '#shared/crypto/compact-jws.ts';
import { parseJsonStrict } from '#shared/crypto/strict-json.ts';
import { CredentialSchema } from '#shared/domain/schemas/credential.ts';
import { contextOf, ExitCode, setExitCode, UsageError } from '../context.ts';
import { readText } from '../inputs.ts';
import { tokenFromText } from '../token-files.ts';
import { cliMessages } from '#shared/i18n/messages/cli.ts';
import { translator } from '#shared/i18n/translate.ts';
import { renderChecks, renderInvoice, renderVerdict } from '../render.ts';
import { verifyItem } from '../verification.ts';
import { addVerificationOptions, verifySettings } from './verify.ts';

/** `dcc inspect <file|->`: a certificate printed like an invoice; verified only when keys are given. */

interface InspectOptions {
  jwks?: string;
  api?: string;
  online?: boolean;
  json?: boolean;
  at?: string;
  clockSkew: string;
}

/** Registers `dcc inspect`. */
export function register(program: Command): void {
  addVerificationOptions(
    program
      .command('inspect')
      .description('print a certificate the way a person reads an invoice (validity is judged only with --jwks or --api)')
      .argument('<file|->', 'a token file, a certificate record (JSON), or - for stdin'),
  )
    .option('--json', 'print the decoded credential as JSON')
    .action(async (path: string, options: InspectOptions, command: Command) => {
      const context = contextOf(command);
      const { io } = context;
      const item = tokenFromText(await readText(path, io), path === '-' ? 'stdin' : path);
      if (item.token === null) throw new UsageError(`${item.source} is ${item.problem}`);

      let payload: unknown;
      try {
        payload = parseJsonStrict(parseCompactJwsStrict(item.token).payload, 'the payload');
      } catch (error) {
        throw new UsageError(`${item.source} is not a certificate token: ${(error as Error).message}`);
      }
      const parsed = CredentialSchema.safeParse(payload);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map((i) => `  /${i.path.map(String).join('/')}: ${i.message}`);
        throw new UsageError(`${item.source} does not hold a data compliance certificate:\n${issues.join('\n')}`);
      }
      const verifying = Boolean(options.jwks || options.api || options.online);
      const result = verifying ? await verifyItem(item, await verifySettings(options, io), io) : undefined;

      if (options.json) {
        const verification = result ? { status: result.status, verified: result.verified, checks: result.checks } : null;
        io.stdout(`${JSON.stringify({ certificate: parsed.data, verification }, null, 2)}\n`);
      } else {
        const { locale } = context;
        io.stdout(`${renderInvoice(parsed.data, locale)}\n\n`);
        if (result) {
          io.stdout(`${renderVerdict(result, locale)}\n${renderChecks(result, locale)}\n`);
        } else {
          io.stdout(`${translator(cliMessages, locale)('verdict.not-checked')}\n`);
        }
      }
      setExitCode(context, result && !result.verified ? ExitCode.failed : ExitCode.ok);
    });
}
