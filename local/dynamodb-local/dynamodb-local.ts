import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { stopOnParentExit } from './child-process-reaper.ts';
import { type DynamoDbLocalInstallation, ensureDynamoDbLocal } from './cache.ts';
import { DynamoDbLocalError } from './errors.ts';
import {
  LAUNCHER_EXIT_ADDRESS_IN_USE,
  LAUNCHER_READY_LINE,
  type LoopbackLauncher,
  ensureLoopbackLauncher,
} from './launcher.ts';
import { checkJavaRuntime, defaultJavaExecutable } from './java-runtime.ts';

export { DYNAMODB_LOCAL_PACKAGE_VERSION, dynamoDbLocalCacheRoot, installDynamoDbLocal } from './cache.ts';
export { DynamoDbLocalError } from './errors.ts';

/** Where a log line came from: this launcher, or the Java process's stdout / stderr. */
export type DynamoDbLocalLogSource = 'launcher' | 'stdout' | 'stderr';

interface CommonOptions {
  /** Fixed port. Default: a free loopback port chosen at start (retried if taken meanwhile). */
  port?: number;
  /** Receives the launcher's progress messages and every line the Java process prints. */
  log?: (line: string, source: DynamoDbLocalLogSource) => void;
  /** Bound on the whole start, from spawning Java to the first answered `ListTables`. Default 60 s. */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. Default 5 s. */
  stopGraceMs?: number;
  /**
   * JVM options placed before the class path. Default {@link FAST_START_JVM_OPTIONS}; pass `[]`
   * for the JVM's own defaults (full JIT), e.g. for long benchmark runs.
   */
  jvmOptions?: readonly string[];
  /** The `java` executable. Default: `$JAVA_HOME/bin/java`, else `java` from PATH. */
  java?: string;
  /** Cache root for the extracted jar. Default: {@link dynamoDbLocalCacheRoot}. */
  cacheRoot?: string;
}

/** Options of {@link startDynamoDbLocal}: either a persistent data directory or memory only. */
export type StartDynamoDbLocalOptions = CommonOptions &
  (
    | {
        /** Persistent database folder (`-dbPath`); created if missing. */
        dataDir: string;
        inMemory?: never;
      }
    | { inMemory: true; dataDir?: never }
  );

/** A running DynamoDB Local. */
export interface DynamoDbLocalHandle {
  /** `http://127.0.0.1:<port>`: the SDK `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** Process id of the Java process. */
  readonly pid: number;
  /**
   * `127.0.0.1` when only loopback connections are accepted (the launcher); `0.0.0.0` when the
   * jar had to run directly because no Java compiler was available.
   */
  readonly listenAddress: '127.0.0.1' | '0.0.0.0';
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Client-compiler-only JIT and the serial collector: DynamoDB Local then starts about twice as
 * fast on a busy two-core machine (measured: ready in 5-7 s instead of 8-18 s), which is what
 * tests and a dev server feel; local request volumes never need the optimising compiler.
 */
export const FAST_START_JVM_OPTIONS: readonly string[] = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

const LOOPBACK = '127.0.0.1';
const PORT_ATTEMPTS = 5;
const OUTPUT_TAIL_LINES = 40;
// Every session shares one database regardless of credentials and region (-sharedDb), so the
// credentials a client happens to use cannot make the data look empty.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Asks the kernel for a free loopback port (listen on 0, read it, close). */
export async function pickFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((error) => (error ? reject(error) : resolvePort(port)));
    });
  });
}

/**
 * Starts DynamoDB Local (the pinned jar from the cache, fetched on first use) as a child
 * process on a loopback port and resolves once it answers `ListTables`.
 *
 * Java 17+ is required. With a JDK, a small launcher binds it to 127.0.0.1 only; with a bare
 * JRE the jar listens on every interface and a warning says so. The child is stopped when
 * this process exits or is signalled, and (launcher) when this process dies outright.
 *
 * @throws DynamoDbLocalError (`java-missing`, `java-too-old`, `fetch-failed`,
 *   `integrity-mismatch`, `cache-corrupt`, `port-in-use`, `start-failed`, `start-timeout`).
 */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions): Promise<DynamoDbLocalHandle> {
  const persistent = typeof options.dataDir === 'string';
  if (persistent === (options.inMemory === true)) {
    throw new TypeError('startDynamoDbLocal needs exactly one of dataDir or inMemory: true');
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65_536)) {
    throw new TypeError(`port must be an integer in 1..65535, got ${options.port}`);
  }
  const log = options.log;
  const say = (line: string): void => log?.(line, 'launcher');

  const java = await checkJavaRuntime(options.java ?? defaultJavaExecutable());
  const installation = await ensureDynamoDbLocal({
    ...(options.cacheRoot ? { cacheRoot: options.cacheRoot } : {}),
    log: say,
  });
  const launcherResult = await ensureLoopbackLauncher(installation, java.executable);
  const launcher = launcherResult.ok ? launcherResult.launcher : null;
  if (!launcherResult.ok) {
    const warning = `DynamoDB Local will listen on every network interface: ${launcherResult.reason}`;
    say(warning);
    process.emitWarning(warning, { code: 'DCC_DYNAMODB_LOCAL_ALL_INTERFACES' });
  }

  const dataDir = persistent ? resolve(options.dataDir as string) : null;
  if (dataDir) await mkdir(dataDir, { recursive: true });

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await pickFreePort());
    try {
      return await launch({
        java: java.executable,
        installation,
        launcher,
        dataDir,
        port,
        deadline,
        stopGraceMs: options.stopGraceMs ?? 5_000,
        jvmOptions: options.jvmOptions ?? FAST_START_JVM_OPTIONS,
        log,
      });
    } catch (error) {
      const retry =
        error instanceof DynamoDbLocalError &&
        error.code === 'port-in-use' &&
        options.port === undefined &&
        attempt < PORT_ATTEMPTS &&
        Date.now() < deadline;
      if (!retry) throw error;
      say(`port ${port} was taken before DynamoDB Local could bind it; trying another`);
    }
  }
}

interface LaunchPlan {
  java: string;
  installation: DynamoDbLocalInstallation;
  launcher: LoopbackLauncher | null;
  dataDir: string | null;
  port: number;
  deadline: number;
  stopGraceMs: number;
  jvmOptions: readonly string[];
  log: StartDynamoDbLocalOptions['log'];
}

function javaArguments(plan: LaunchPlan): string[] {
  const engine = [
    '-port',
    String(plan.port),
    '-disableTelemetry',
    '-sharedDb',
    ...(plan.dataDir ? ['-dbPath', plan.dataDir] : ['-inMemory']),
  ];
  const jvm = [...plan.jvmOptions, `-Djava.library.path=${plan.installation.libPath}`];
  if (plan.launcher) {
    // The jar's manifest Class-Path (DynamoDBLocal_lib/*) also applies on -cp.
    const classPath = [plan.installation.jarPath, plan.launcher.classDir].join(delimiter);
    return [...jvm, '-cp', classPath, plan.launcher.mainClass, ...engine];
  }
  return [...jvm, '-jar', plan.installation.jarPath, ...engine];
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

async function launch(plan: LaunchPlan): Promise<DynamoDbLocalHandle> {
  const child = spawn(plan.java, javaArguments(plan), {
    cwd: plan.dataDir ?? tmpdir(),
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  stopOnParentExit(child);
  const exited = new Promise<Exit>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  const spawnError = new Promise<Error>((resolveError) => child.once('error', resolveError));

  const tail: string[] = [];
  let readyLine = false;
  let bindFailure = false;
  let failureSeen = false;
  const watchLines = (stream: NodeJS.ReadableStream, source: 'stdout' | 'stderr'): void => {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      plan.log?.(line, source);
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      if (line === LAUNCHER_READY_LINE) readyLine = true;
      if (/java\.net\.BindException|Address already in use/.test(line)) bindFailure = true;
      if (/^Exception in thread "main"|A fatal error occured|Could not start/.test(line)) failureSeen = true;
    });
  };
  watchLines(child.stdout!, 'stdout');
  watchLines(child.stderr!, 'stderr');

  const endpoint = `http://${LOOPBACK}:${plan.port}`;
  const handle = makeHandle(child, exited, endpoint, plan);

  const failure = (code: 'port-in-use' | 'start-failed' | 'start-timeout', why: string): DynamoDbLocalError =>
    new DynamoDbLocalError(
      code,
      `DynamoDB Local ${why}${tail.length ? `; its output ended with:\n${tail.join('\n')}` : ' (it printed nothing)'}`,
    );

  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  let outcome: { exit: Exit } | { error: Error } | 'ready' | 'timeout' | 'failed-output' = 'timeout';
  try {
    let done = false;
    const watch = Promise.race([exited.then((exit) => ({ exit })), spawnError.then((error) => ({ error }))]).then((r) => {
      done = true;
      return r;
    });
    const poll = (async () => {
      while (!done && Date.now() < plan.deadline) {
        // Running the jar directly, a failed bind leaves the JVM alive (Jetty's threads): judge by its output.
        if (failureSeen) return 'failed-output' as const;
        // Through the launcher, answers count only once it has said the port is its own.
        if (plan.launcher === null || readyLine) {
          try {
            await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
            return 'ready' as const;
          } catch {
            // Not listening yet, or still initialising.
          }
        }
        await sleep(100);
      }
      return 'timeout' as const;
    })();
    outcome = await Promise.race([watch, poll]);
    done = true;
  } finally {
    client.destroy();
  }

  if (outcome === 'ready') {
    // Idle DynamoDB Local must not keep this process alive; stop() re-references it.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
    return handle;
  }
  if (typeof outcome === 'object' && 'error' in outcome) {
    throw new DynamoDbLocalError('start-failed', `could not run "${plan.java}": ${outcome.error.message}`, {
      cause: outcome.error,
    });
  }
  if (outcome === 'failed-output') {
    // Give the stack trace a moment to arrive, so the error shows all of it.
    await within(exited, 300);
  }
  await handle.stop();
  if ((typeof outcome === 'object' && outcome.exit.code === LAUNCHER_EXIT_ADDRESS_IN_USE) || bindFailure) {
    throw failure('port-in-use', `could not bind port ${plan.port}`);
  }
  if (typeof outcome === 'object') {
    const { code, signal } = outcome.exit;
    throw failure('start-failed', `exited during start (${signal ?? `status ${code}`})`);
  }
  if (outcome === 'failed-output') throw failure('start-failed', 'failed to start');
  throw failure('start-timeout', `did not answer on ${endpoint} in time and was stopped`);
}

/** Whether `promise` settles within `ms`; the timer never outlives the race. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const controller = new AbortController();
  try {
    return await Promise.race([
      promise.then(() => true),
      sleep(ms, false, { signal: controller.signal }).catch(() => false),
    ]);
  } finally {
    controller.abort();
  }
}

function makeHandle(child: ChildProcess, exited: Promise<Exit>, endpoint: string, plan: LaunchPlan): DynamoDbLocalHandle {
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.ref();
      child.kill('SIGTERM');
      if (!(await within(exited, plan.stopGraceMs))) {
        child.kill('SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };
  return {
    endpoint,
    port: plan.port,
    pid: child.pid ?? -1,
    listenAddress: plan.launcher ? LOOPBACK : '0.0.0.0',
    stop,
  };
}
