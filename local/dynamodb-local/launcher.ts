import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DynamoDbLocalInstallation } from './cache.ts';
import { MINIMUM_JAVA_MAJOR, javaCompilerFor } from './java-runtime.ts';

const execFileAsync = promisify(execFile);

/** Main class of the loopback launcher. */
export const LAUNCHER_MAIN_CLASS = 'LoopbackDynamoDbLocal';
/** Printed by the launcher once the server listens; only then is the port known to be ours. */
export const LAUNCHER_READY_LINE = 'DCC-DYNAMODB-LOCAL-READY';
/** The launcher's exit status when the port was taken (EADDRINUSE on Linux). */
export const LAUNCHER_EXIT_ADDRESS_IN_USE = 98;

/*
 * DynamoDB Local has no option to choose its listen address: `-port` alone makes Jetty listen
 * on every interface, so anyone on the network could read and write a developer's tables. This
 * launcher builds the server exactly as `ServerRunner.main` does (same options, same parsing),
 * sets the host of its connectors to 127.0.0.1 before starting it, and reports readiness.
 * Reflection keeps it compilable with the JDK alone (no jar on the compile class path).
 *
 * It also exits when its stdin reaches end of file: the parent holds the other end of that
 * pipe, so even a parent killed with SIGKILL (no exit hook runs) leaves no Java process behind.
 * A failed start exits the JVM (Jetty's threads would otherwise keep it alive, half started).
 */
const LAUNCHER_SOURCE = `
import java.lang.reflect.InvocationTargetException;

public final class ${LAUNCHER_MAIN_CLASS} {
  public static void main(String[] args) {
    Thread parentWatch = new Thread(() -> {
      try {
        while (System.in.read() != -1) { }
      } catch (java.io.IOException ignored) { }
      System.exit(0);
    }, "dcc-parent-watch");
    parentWatch.setDaemon(true);
    parentWatch.start();
    try {
      Class<?> runner = Class.forName("com.amazonaws.services.dynamodbv2.local.main.ServerRunner");
      Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
      java.lang.reflect.Field serverField = proxy.getClass().getDeclaredField("server");
      serverField.setAccessible(true);
      Object server = serverField.get(proxy);
      Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors").invoke(server);
      if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local created no connector");
      for (Object connector : connectors) {
        connector.getClass().getMethod("setHost", String.class).invoke(connector, "127.0.0.1");
      }
      proxy.getClass().getMethod("start").invoke(proxy);
      System.out.println("${LAUNCHER_READY_LINE}");
      System.out.flush();
    } catch (Throwable thrown) {
      Throwable cause = thrown instanceof InvocationTargetException ? thrown.getCause() : thrown;
      cause.printStackTrace();
      System.err.flush();
      boolean inUse = false;
      for (Throwable t = cause; t != null; t = t.getCause()) {
        if (t instanceof java.net.BindException) inUse = true;
      }
      System.exit(inUse ? ${LAUNCHER_EXIT_ADDRESS_IN_USE} : 1);
    }
  }
}
`;

/** A compiled launcher: put `classDir` on the class path beside the jar. */
export interface LoopbackLauncher {
  classDir: string;
  mainClass: string;
}

/** The launcher, or why it is unavailable (then the jar runs directly, on every interface). */
export type LauncherResult = { ok: true; launcher: LoopbackLauncher } | { ok: false; reason: string };

const compiled = new Map<string, Promise<LauncherResult>>();

/**
 * Compiles the loopback launcher once per cache (`<installation>/launcher-<source hash>/`),
 * with the `javac` beside `javaExecutable`, staged and renamed into place like the cache fill.
 * A runtime without a compiler (a bare JRE) yields `{ ok: false }`, never an exception.
 */
export function ensureLoopbackLauncher(
  installation: DynamoDbLocalInstallation,
  javaExecutable: string,
): Promise<LauncherResult> {
  const hash = createHash('sha256').update(LAUNCHER_SOURCE).digest('hex').slice(0, 16);
  const classDir = join(installation.dir, `launcher-${hash}`);
  let result = compiled.get(classDir);
  if (!result) {
    result = compile(classDir, javaCompilerFor(javaExecutable));
    // Only a success is worth remembering; a JDK may be installed while the process runs.
    void result.then((r) => {
      if (!r.ok) compiled.delete(classDir);
    });
    compiled.set(classDir, result);
  }
  return result;
}

async function compile(classDir: string, javac: string): Promise<LauncherResult> {
  const launcher = { classDir, mainClass: LAUNCHER_MAIN_CLASS };
  const classFile = join(classDir, `${LAUNCHER_MAIN_CLASS}.class`);
  if (await stat(classFile).then(() => true, () => false)) return { ok: true, launcher };

  const staging = await mkdtemp(join(classDir, '..', '.launcher-staging-'));
  try {
    const source = join(staging, `${LAUNCHER_MAIN_CLASS}.java`);
    const out = join(staging, 'classes');
    await mkdir(out);
    await writeFile(source, LAUNCHER_SOURCE);
    try {
      await execFileAsync(javac, ['--release', String(MINIMUM_JAVA_MAJOR), '-d', out, source], { timeout: 120_000 });
    } catch (cause) {
      const detail = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? `"${javac}" not found` : String(cause);
      return { ok: false, reason: `cannot compile the loopback launcher (${detail}); a JDK, not only a JRE, provides javac` };
    }
    try {
      await rename(out, classDir);
    } catch (cause) {
      // Another process compiled it first; theirs is identical.
      if (!(await stat(classFile).then(() => true, () => false))) {
        return { ok: false, reason: `cannot place the loopback launcher in ${classDir}: ${String(cause)}` };
      }
    }
    return { ok: true, launcher };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
