import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExchangeStore } from '#shared/adapters/dynamodb/exchange-store.ts';
import { createTableInput } from '#shared/adapters/dynamodb/table.ts';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '#local/dynamodb-local/dynamodb-local.ts';
import { HelpRequested, parseRegisterExchangeArgs } from '../../scripts/register-exchange.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('register-exchange arguments', () => {
  it('builds the exchange from the command line', () => {
    expect(
      parseRegisterExchangeArgs([
        '--table', 'dcc-prod-certificates',
        '--exchange', 'hz-sde',
        '--name', ' Hangzhou Data Exchange ',
        '--client-id', '3n4b5urk1ft4fl3mg5e62d9ado',
        '--client-id', '6a7b8c9d0e1f2g3h4i5j6k7l8m',
      ]),
    ).toEqual({
      tableName: 'dcc-prod-certificates',
      exchange: {
        id: 'hz-sde',
        name: 'Hangzhou Data Exchange',
        clientIds: ['3n4b5urk1ft4fl3mg5e62d9ado', '6a7b8c9d0e1f2g3h4i5j6k7l8m'],
        status: 'active',
      },
    });
  });

  it('can suspend', () => {
    const { exchange } = parseRegisterExchangeArgs(['--table', 't1', '--exchange', 'hz-sde', '--name', 'X', '--client-id', 'abc', '--status', 'suspended']);
    expect(exchange.status).toBe('suspended');
  });

  it.each([
    [['--exchange', 'hz-sde', '--name', 'X', '--client-id', 'abc'], '--table is required'],
    [['--table', 't1', '--name', 'X', '--client-id', 'abc'], '--exchange is required'],
    [['--table', 't1', '--exchange', 'HZ SDE', '--name', 'X', '--client-id', 'abc'], 'must match'],
    [['--table', 't1', '--exchange', 'hz-sde', '--client-id', 'abc'], '--name is required'],
    [['--table', 't1', '--exchange', 'hz-sde', '--name', '  ', '--client-id', 'abc'], '1 to 200 characters'],
    [['--table', 't1', '--exchange', 'hz-sde', '--name', 'X'], 'at least one --client-id'],
    [['--table', 't1', '--exchange', 'hz-sde', '--name', 'X', '--client-id', 'a b'], 'not an OAuth client id'],
    [['--table', 't1', '--exchange', 'hz-sde', '--name', 'X', '--client-id', 'abc', '--status', 'gone'], 'active or suspended'],
    [['--table', 't1', '--exchange', 'hz-sde', '--name', 'X', '--client-id', 'abc', '--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseRegisterExchangeArgs(argv)).toThrow(message);
  });

  it('answers --help with the options, not an error', () => {
    let help = '';
    try {
      parseRegisterExchangeArgs(['--table', 't1', '--help']);
    } catch (error) {
      expect(error).toBeInstanceOf(HelpRequested);
      help = (error as HelpRequested).help;
    }
    for (const option of ['--table <table name>', '--exchange <id>', '--name <legal name>', '--client-id <id>', '--status <status>']) {
      expect(help).toContain(option);
    }
  });
});

describe('register-exchange against DynamoDB Local', () => {
  let local: DynamoDbLocalHandle;
  let tableName: string;
  let store: DynamoDbExchangeStore;

  const run = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/register-exchange.ts', ...args], {
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
    const raw = new DynamoDBClient({
      endpoint: local.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    tableName = `dcc-infra-${randomUUID()}`;
    await raw.send(new CreateTableCommand(createTableInput(tableName)));
    store = new DynamoDbExchangeStore({ client: DynamoDBDocumentClient.from(raw), tableName });
  }, 200_000);

  afterAll(async () => {
    await local?.stop();
  });

  it('registers, re-binds and suspends an exchange as the functions will see it', async () => {
    const base = ['--table', tableName, '--exchange', 'hz-sde', '--name', 'Hangzhou Data Exchange'];
    const first = await run([...base, '--client-id', 'clientone111']);
    // (Node 20 gets an SDK deprecation warning on stderr; nothing else may appear.)
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ id: 'hz-sde', name: 'Hangzhou Data Exchange', clientIds: ['clientone111'], status: 'active' });
    expect(await store.findExchangeByClientId('clientone111')).toMatchObject({ id: 'hz-sde', status: 'active' });

    // Rotating the OAuth client: the new id replaces the old one, which stops acting for it.
    const rotated = await run([...base, '--client-id', 'clienttwo222']);
    expect(rotated.code).toBe(0);
    expect(await store.findExchangeByClientId('clienttwo222')).toMatchObject({ id: 'hz-sde', clientIds: ['clienttwo222'] });
    expect(await store.findExchangeByClientId('clientone111')).toBeNull();

    const suspended = await run([...base, '--client-id', 'clienttwo222', '--status', 'suspended']);
    expect(suspended.code).toBe(0);
    expect(await store.findExchangeByClientId('clienttwo222')).toMatchObject({ status: 'suspended' });
  }, 120_000);

  it('exits 2 with the usage on a bad command line, writing nothing', async () => {
    const bad = await run(['--table', tableName, '--exchange', 'hz-sde']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: register-exchange');
  }, 60_000);
});
