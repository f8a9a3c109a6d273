import type { Command } from 'commander';
import { addApiOptions, type ApiOptions, callApi, renderProblem, renderRecord } from '../api-client.ts';
import { contextOf, ExitCode, setExitCode, UsageError } from '../context.ts';
import { readText } from '../inputs.ts';

/** Registers `dcc issue <request.json>`: asks the service for a certificate (as an exchange's client). */
export function register(program: Command): void {
  addApiOptions(
    program
      .command('issue')
      .description("request a certificate for a transaction (as an exchange: its client id and key, or an exchange's token)")
      .argument('<request.json|->', 'the issue request (as examples/issue-request.json), or - for stdin'),
  ).action(async (path: string, options: ApiOptions, command: Command) => {
    const context = contextOf(command);
    const { io } = context;
    const text = await readText(path, io);
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      throw new UsageError(`${path === '-' ? 'stdin' : path} is not JSON`);
    }
    const response = await callApi(io, options, 'POST', '/v1/certificates', request);
    if (response.status >= 400) {
      io.stderr(renderProblem(response));
      setExitCode(context, ExitCode.failed);
      return;
    }
    if (options.json) io.stdout(`${JSON.stringify(response.body, null, 2)}\n`);
    else io.stdout(`${response.status === 201 ? 'Issued' : 'Already issued for this transaction (the same certificate)'}\n${renderRecord(response.body)}`);
  });
}
