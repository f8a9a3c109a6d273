import { execFile } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { memoizeAsyncByKey } from '../../shared/support/memo.ts';
import { DynamoDbLocalError } from './errors.ts';

const execFileAsync = promisify(execFile);

/** DynamoDB Local is run on Java 17 or newer. */
export const MINIMUM_JAVA_MAJOR = 17;

const FIX =
  'Install a Java runtime 17 or newer (Debian/Ubuntu: "apt-get install openjdk-17-jdk-headless"; ' +
  'macOS: "brew install openjdk@17") and put it on PATH, or set JAVA_HOME to it.';

/** A Java runtime that was found and checked. */
export interface JavaRuntime {
  /** The `java` executable: a path, or a bare name resolved through PATH. */
  executable: string;
  /** Feature release, e.g. 17 or 21. */
  major: number;
  /** The first line of `java -version` naming the version, for messages. */
  description: string;
}

/**
 * The major version in `java -version` output: `version "17.0.15"` → 17, `version "21"` → 21,
 * and the pre-Java 9 scheme `version "1.8.0_392"` → 8. `null` when no version is printed.
 */
export function parseJavaMajorVersion(output: string): number | null {
  const m = /\bversion "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!m) return null;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set, otherwise `java` from PATH. */
export function defaultJavaExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const exe = process.platform === 'win32' ? 'java.exe' : 'java';
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', exe) : exe;
}

/**
 * The `javac` that belongs to `javaExecutable`: its sibling when `java` is a path, otherwise
 * `javac` from PATH (a different installation there is harmless: it compiles with `--release`).
 */
export function javaCompilerFor(javaExecutable: string): string {
  const exe = process.platform === 'win32' ? 'javac.exe' : 'javac';
  return basename(javaExecutable) === javaExecutable ? exe : join(dirname(javaExecutable), exe);
}

// A failed probe is not remembered: the user may install Java and retry in the same process.
const probeOnce = memoizeAsyncByKey((executable: string) => probe(executable));

/**
 * Runs `java -version` once per executable and process, and checks it is Java 17+.
 *
 * @throws DynamoDbLocalError `java-missing` (not found or not runnable) or `java-too-old`,
 *   with a message naming the fix.
 */
export function checkJavaRuntime(executable: string = defaultJavaExecutable()): Promise<JavaRuntime> {
  return probeOnce(executable);
}

async function probe(executable: string): Promise<JavaRuntime> {
  let output: string;
  try {
    const { stdout, stderr } = await execFileAsync(executable, ['-version'], { timeout: 30_000 });
    // `java -version` writes to stderr; some wrappers use stdout.
    output = `${stderr}\n${stdout}`;
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DynamoDbLocalError(
      'java-missing',
      missing
        ? `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR} or newer, and "${executable}" was not found. ${FIX}`
        : `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR} or newer, and "${executable} -version" failed: ${String(cause)}. ${FIX}`,
      { cause },
    );
  }
  const major = parseJavaMajorVersion(output);
  const description =
    output
      .split(/\r?\n/)
      .find((line) => /\bversion "/.test(line))
      ?.trim() ?? output.trim().split(/\r?\n/)[0] ?? '';
  if (major === null) {
    throw new DynamoDbLocalError(
      'java-missing',
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR} or newer, and "${executable} -version" printed no version (${description}). ${FIX}`,
    );
  }
  if (major < MINIMUM_JAVA_MAJOR) {
    throw new DynamoDbLocalError(
      'java-too-old',
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR} or newer, but "${executable}" is Java ${major} (${description}). ${FIX}`,
    );
  }
  return { executable, major, description };
}
