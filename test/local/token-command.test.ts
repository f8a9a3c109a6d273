import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRegisteredExchanges } from '#local/exchange-registry.ts';
import { runTokenCommand } from '#local/token-command.ts';

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

const JWT_LINE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/;

describe('npm run token', () => {
  it('prints only a token for each role on stdout', async () => {
    for (const [role, scope, sub] of [
      ['exchange', 'dcc/issue', 'demo-exchange'],
      ['auditor', 'dcc/read', 'auditor.local'],
      ['admin', 'dcc/read dcc/revoke', 'admin.local'],
    ] as const) {
      const r = await run([role]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(JWT_LINE);
      expect(r.stderr).toBe('');
      expect(decodeJwt(r.stdout.trim())).toMatchObject({ scope, sub, client_id: sub });
    }
  });

  it('registers a named exchange and issues its token; the message goes to stderr', async () => {
    const r = await run(['exchange', 'hz-exchange']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(JWT_LINE);
    expect(decodeJwt(r.stdout.trim()).client_id).toBe('hz-exchange');
    expect(r.stderr).toMatch(/registered exchange hz-exchange/);
    expect((await readRegisteredExchanges(dataDir)).map((e) => e.id)).toEqual(['hz-exchange']);
    const again = await run(['exchange', 'hz-exchange']);
    expect(again.stderr).toBe('');
  });

  it('does not register the demo exchange (the service seeds it)', async () => {
    const r = await run(['exchange', 'demo-exchange']);
    expect(r.code).toBe(0);
    expect(await readRegisteredExchanges(dataDir)).toEqual([]);
  });

  it('honours DCC_LOCAL_TOKEN_TTL_SECONDS', async () => {
    const r = await run(['auditor'], { DCC_LOCAL_TOKEN_TTL_SECONDS: '90' });
    const claims = decodeJwt(r.stdout.trim());
    expect((claims.exp as number) - (claims.iat as number)).toBe(90);
  });

  it('exits 2 with usage on stderr and nothing on stdout for a usage error', async () => {
    for (const [args, env, message] of [
      [[], {}, /missing role/],
      [['reader'], {}, /unknown role "reader"/],
      [['auditor', 'x-exchange'], {}, /takes no exchange id/],
      [['exchange', 'Bad_Id'], {}, /invalid exchange id "Bad_Id"/],
      [['exchange', 'a-b', 'extra'], {}, /too many arguments/],
      [['admin'], { DCC_LOCAL_TOKEN_TTL_SECONDS: '1.5' }, /DCC_LOCAL_TOKEN_TTL_SECONDS/],
      [['admin'], { DCC_LOCAL_TOKEN_TTL_SECONDS: '0' }, /DCC_LOCAL_TOKEN_TTL_SECONDS/],
    ] as [string[], Record<string, string>, RegExp][]) {
      const r = await run(args, env);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/usage: npm run --silent token/);
    }
    expect(await readRegisteredExchanges(dataDir)).toEqual([]);
  });

  it('prints help on stderr with exit 0', async () => {
    const r = await run(['--help']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(/^usage:/);
  });

  it('takes -h for help too, and refuses an unknown option as a usage error', async () => {
    const help = await run(['-h']);
    expect(help).toMatchObject({ code: 0, stdout: '' });
    expect(help.stderr).toMatch(/^usage: npm run --silent token/);
    const bogus = await run(['admin', '--bogus']);
    expect(bogus).toMatchObject({ code: 2, stdout: '' });
    expect(bogus.stderr).toMatch(/^unknown option '--bogus'\n\nusage: npm run --silent token/);
  });

  it('exits 1 with a message when the data directory cannot be used', async () => {
    const file = join(dataDir, 'a-file');
    await writeFile(file, 'not a directory');
    const r = await run(['admin'], { DCC_DATA_DIR: join(file, 'data') });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^token: /);
  });
});
