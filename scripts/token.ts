/**
 * `npm run --silent token -- <exchange|auditor|admin> [exchangeId]`: a local bearer token on
 * stdout and nothing else. See `local/token-command.ts`.
 */
import { runTokenCommand } from '#local/token-command.ts';

process.exitCode = await runTokenCommand(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
