import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTokenCommand } from '#local/token-command.ts';

/**
 * The token command's own behaviour: its usage, and what it says when there is no service to
 * ask. The full path (a running service's token endpoint, a new exchange registered through
 * the admin route) runs in test/integration/local-scripts.test.ts and local-service.test.ts.
 */

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dcc-token-cmd-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function run(args: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runTokenCommand(args, { DCC_DATA_DIR: dataDir, ...env }, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

/** A loopback port nothing listens on (taken from the OS, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('npm run token', () => {
  it('says the service is not running when the data directory records none, and prints nothing on stdout', async () => {
    const r = await run(['admin']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`the local service is not running: ${join(dataDir, 'service-url')} does not exist`);
    expect(r.stderr).toContain('npm start');
  });

  it('says the recorded service does not answer when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    await writeFile(join(dataDir, 'service-url'), `${url}\n`);
    const r = await run(['exchange']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`the local service at ${url} does not answer (ECONNREFUSED); is it running? Start it with \`npm start\`.`);
  });

  it('exits 2 with usage on stderr and nothing on stdout for a usage error', async () => {
    for (const [args, message] of [
      [[], 'missing role'],
      [['superuser'], 'unknown role "superuser"'],
      [['auditor', 'x-exchange'], 'the auditor role takes no exchange id'],
      [['exchange', 'Bad_Id'], 'invalid exchange id "Bad_Id"'],
      [['exchange', 'a', 'b'], 'too many arguments'],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, message).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('usage: npm run --silent token');
    }
  });

  it('prints help on stderr with exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('The local service must be running (npm start)');
  });
});
