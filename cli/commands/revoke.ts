import { type Command, Option } from 'commander';
import { RevocationReasons } from '#shared/domain/schemas/api.ts';
import { addApiOptions, type ApiOptions, callApi, renderProblem, renderRecord } from '../api-client.ts';
import { contextOf, ExitCode, setExitCode } from '../context.ts';
import { certificateIdArgument } from './get.ts';

interface RevokeOptions extends ApiOptions {
  reason: string;
  comment?: string;
}

/** Registers `dcc revoke <id> --reason … [--comment …]` (as an admin). */
export function register(program: Command): void {
  addApiOptions(
    program
      .command('revoke')
      .description('revoke a certificate for good (as an admin client)')
      .argument('<id>', 'certificate id (UUID, or urn:uuid:…)')
      .addOption(new Option('--reason <reason>', 'why it is revoked').choices(RevocationReasons).makeOptionMandatory())
      .option('--comment <text>', 'a note kept with the revocation'),
  ).action(async (value: string, options: RevokeOptions, command: Command) => {
    const context = contextOf(command);
    const { io } = context;
    const id = certificateIdArgument(value);
    const body = { reason: options.reason, ...(options.comment !== undefined ? { comment: options.comment } : {}) };
    const response = await callApi(io, options, 'POST', `/v1/certificates/${id}/revoke`, body);
    if (response.status >= 400) {
      io.stderr(renderProblem(response));
      setExitCode(context, ExitCode.failed);
      return;
    }
    io.stdout(options.json ? `${JSON.stringify(response.body, null, 2)}\n` : `Revoked\n${renderRecord(response.body)}`);
  });
}
