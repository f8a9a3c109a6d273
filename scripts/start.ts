/**
 * `npm start`: the whole API on this machine (DynamoDB Local, local signing key, local token
 * issuer, the real handlers). `DCC_DATA_DIR` (default `.data`) holds everything that persists;
 * `PORT` (default 3000) is the HTTP port. Ctrl-C or SIGTERM stops the HTTP server, then DynamoDB
 * Local, and exits 0.
 */
import { inspect } from 'node:util';
import { Command, CommanderError } from 'commander';
import { settingsFromEnvironment, startLocalService } from '#local/local-service.ts';

// The service takes its settings from the environment, so the command line carries only
// `--help`; anything else is a usage error (exit 2) rather than silently ignored.
const program = new Command('npm start')
  .description('The whole API on this machine: DynamoDB Local, a local signing key, the token endpoint with dev clients.')
  .addHelpText(
    'after',
    `
Environment:
  DCC_DATA_DIR  the data directory, everything that persists (default .data)
  PORT          the HTTP port, 0 for any free port (default 3000)`,
  )
  .showHelpAfterError('(run npm start -- --help for usage)')
  .exitOverride();
try {
  program.parse(process.argv.slice(2), { from: 'user' });
} catch (error) {
  // Commander has written the help or the error already.
  process.exit(error instanceof CommanderError && error.exitCode === 0 ? 0 : 2);
}

const dataDirSetting = process.env['DCC_DATA_DIR'] || '.data';
const portText = process.env['PORT'] || '3000';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65_535) {
  process.stderr.write(`PORT must be a port number (0–65535), not ${JSON.stringify(portText)}\n`);
  process.exit(2);
}

const log = {
  info: (message: string) => process.stdout.write(`${message}\n`),
  error: (message: string, error?: unknown) =>
    process.stderr.write(`${message}${error === undefined ? '' : `: ${error instanceof Error ? (error.stack ?? error.message) : inspect(error)}`}\n`),
};

let service: Awaited<ReturnType<typeof startLocalService>> | undefined;
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    process.stderr.write(`${signal} again: exiting without waiting\n`);
    process.exit(1);
  }
  stopping = true;
  if (!service) {
    // Still starting: stopping now would orphan a half-started DynamoDB Local; stop once started.
    log.info(`${signal}: stopping as soon as the start completes…`);
    return;
  }
  log.info(`${signal}: stopping the HTTP server, then DynamoDB Local…`);
  try {
    await service.stop();
    log.info('stopped');
    process.exit(0);
  } catch (error) {
    log.error('stopping failed', error);
    process.exit(1);
  }
}
// Registered before the (slow) start, so Ctrl-C during start also stops what has started.
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  // The service's own settings (issuer, log origin, log level…) come from this environment too.
  service = await startLocalService({ dataDir: dataDirSetting, port, log, settings: settingsFromEnvironment(process.env) });
} catch (error) {
  log.error('the local service did not start', error);
  process.exit(stopping ? 0 : 1);
}
if (stopping) {
  stopping = false;
  await shutdown('stop requested during start');
}

const url = service.url;
const env = process.env['DCC_DATA_DIR'] ? `DCC_DATA_DIR=${process.env['DCC_DATA_DIR']} ` : '';
log.info(`
Data Compliance Certificates — local service ready on ${url}
  data directory  ${service.dataDir}

Public routes:
  curl ${url}/healthz
  curl ${url}/.well-known/jwks.json
  curl -X POST ${url}/v1/verify -H 'content-type: application/json' -d '{"token":"<compact JWS>"}'

Bearer tokens (valid 12 h; the demo exchange is "demo-exchange"):
  EXCHANGE=$(${env}npm run --silent token -- exchange)       # scope dcc/issue
  AUDITOR=$(${env}npm run --silent token -- auditor)         # scope dcc/read
  ADMIN=$(${env}npm run --silent token -- admin)             # scopes dcc/read dcc/revoke
  ${env}npm run --silent token -- exchange my-exchange       # registers another exchange

Protected routes:
  curl -X POST ${url}/v1/certificates -H "authorization: Bearer $EXCHANGE" -H 'content-type: application/json' -d @examples/issue-request.json
  curl ${url}/v1/certificates/<id> -H "authorization: Bearer $AUDITOR"
  curl ${url}/v1/certificates/<id>/events -H "authorization: Bearer $AUDITOR"
  curl ${url}/v1/certificates?transactionRef=<ref> -H "authorization: Bearer $EXCHANGE"
  curl -X POST ${url}/v1/certificates/<id>/revoke -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' -d '{"reason":"issued-in-error"}'

Ctrl-C stops the service; the data stays in ${service.dataDir}.
`);
