import type { Command } from 'commander';
import { addApiOptions, type ApiOptions, callApi, renderProblem, renderRecord } from '../api-client.ts';
import { contextOf, ExitCode, setExitCode, UsageError } from '../context.ts';
import { certificateIdOf } from '#shared/domain/schemas/credential.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The id argument, also accepted in its credential form `urn:uuid:…`. @throws {UsageError} */
export function certificateIdArgument(value: string): string {
  const id = certificateIdOf(value);
  if (!UUID.test(id)) throw new UsageError(`${value} is not a certificate id (a lower-case UUID)`);
  return id;
}

/** Registers `dcc get <id>`: the certificate record. */
export function register(program: Command): void {
  addApiOptions(
    program
      .command('get')
      .description('show a certificate record (as the issuing exchange, an auditor or an admin)')
      .argument('<id>', 'certificate id (UUID, or urn:uuid:…)'),
  ).action(async (value: string, options: ApiOptions, command: Command) => {
    const context = contextOf(command);
    const { io } = context;
    const id = certificateIdArgument(value);
    const response = await callApi(io, options, 'GET', `/v1/certificates/${id}`);
    if (response.status >= 400) {
      io.stderr(renderProblem(response));
      setExitCode(context, ExitCode.failed);
      return;
    }
    io.stdout(options.json ? `${JSON.stringify(response.body, null, 2)}\n` : renderRecord(response.body));
  });
}
