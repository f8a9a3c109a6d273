import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExchangeStore } from '#shared/adapters/dynamodb/exchange-store.ts';
import { createTableInput } from '#shared/adapters/dynamodb/table.ts';
import { jwkThumbprint } from '#shared/crypto/jwk-thumbprint.ts';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '#local/dynamodb-local/dynamodb-local.ts';
import { HelpRequested, parseBootstrapAdminArgs } from '../../scripts/bootstrap-admin.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('bootstrap-admin arguments', () => {
  it('reads the command line', () => {
    expect(parseBootstrapAdminArgs(['--table', 't1', '--client-id', 'admin.ops', '--name', ' Ops ', '--jwks', 'k.json'])).toEqual({
      tableName: 't1',
      clientId: 'admin.ops',
      name: 'Ops',
      jwksFile: 'k.json',
      status: 'active',
    });
  });

  it.each([
    [['--client-id', 'admin.ops', '--name', 'X', '--jwks', 'k'], '--table is required'],
    [['--table', 't', '--client-id', 'adminops', '--name', 'X', '--jwks', 'k'], 'must match'],
    [['--table', 't', '--client-id', 'admin.ops', '--jwks', 'k'], '--name is required'],
    [['--table', 't', '--client-id', 'admin.ops', '--name', 'X'], '--jwks is required'],
    [['--table', 't', '--client-id', 'admin.ops', '--name', 'X', '--jwks', 'k', '--status', 'gone'], 'active or suspended'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBootstrapAdminArgs(argv)).toThrow(message);
  });

  it('answers --help with the options', () => {
    const error = (() => {
      try {
        parseBootstrapAdminArgs(['--help']);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(HelpRequested);
    expect((error as HelpRequested).help).toContain('--jwks <file>');
  });
});

describe('bootstrap-admin against DynamoDB Local', () => {
  let local: DynamoDbLocalHandle;
  let tableName: string;
  let store: DynamoDbExchangeStore;
  let dir: string;

  const run = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bootstrap-admin.ts', ...args], {
        cwd: ROOT,
        env: {
          PATH: process.env['PATH'],
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          // The SDK's own per-service endpoint override: the script runs unchanged against AWS.
          AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    local = await startDynamoDbLocal({ inMemory: true, startTimeoutMs: 180_000 });
    const raw = new DynamoDBClient({ endpoint: local.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    tableName = `dcc-bootstrap-${randomUUID()}`;
    await raw.send(new CreateTableCommand(createTableInput(tableName)));
    store = new DynamoDbExchangeStore({ client: DynamoDBDocumentClient.from(raw), tableName });
    dir = await mkdtemp(join(tmpdir(), 'dcc-bootstrap-'));
  }, 200_000);

  afterAll(async () => {
    await local?.stop();
  });

  it('registers the first admin with its public keys, as the token endpoint will read it; refuses a private key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = await exportJWK(publicKey);
    const publicFile = join(dir, 'admin.jwks.json');
    await writeFile(publicFile, JSON.stringify({ keys: [{ ...jwk, kid: jwkThumbprint(jwk), alg: 'ES256' }] }));
    const r = await run(['--table', tableName, '--client-id', 'admin.ops', '--name', 'Operations', '--jwks', publicFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: true, clientId: 'admin.ops', role: 'admin', status: 'active' });
    expect(await store.findClient('admin.ops')).toMatchObject({ role: 'admin', status: 'active', jwks: { keys: [{ kid: jwkThumbprint(jwk) }] } });

    const privateFile = join(dir, 'private.jwks.json');
    await writeFile(privateFile, JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'k' }] }));
    const refused = await run(['--table', tableName, '--client-id', 'admin.two', '--name', 'Two', '--jwks', privateFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/private key member/);
    expect(await store.findClient('admin.two')).toBeNull();
  }, 120_000);
});
