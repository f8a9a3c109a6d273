import { open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { errorCode, readIfExists, writeFileAtomic } from '../shared/adapters/key-file/files.ts';
import { EXCHANGE_ID_PATTERN } from '../shared/domain/records.ts';

/**
 * The local mode's exchange registrations, kept in `<dataDir>/exchanges.json`.
 *
 * `npm run token -- exchange <id>` must work whether or not the server runs, and DynamoDB Local's
 * database files belong to the one process that started it. So the token script records the
 * registration here, and the local service copies new entries into the table at start and before
 * it authorises a request (a cheap stat decides whether the file changed).
 */

/** The exchange every local data directory starts with; `npm run token -- exchange` acts for it. */
export const DEMO_EXCHANGE = { id: 'demo-exchange', name: 'Demo Data Exchange' } as const;

/** The registry file in the data directory. */
export const EXCHANGES_FILE = 'exchanges.json';

/** One registered exchange. Its OAuth client id is its exchange id (see the token issuer). */
export interface LocalExchangeRegistration {
  id: string;
  name: string;
  registeredAt: string;
}

const RegistryFileSchema = z.object({
  version: z.literal(1),
  exchanges: z.array(
    z.object({
      id: z.string().regex(EXCHANGE_ID_PATTERN),
      name: z.string().min(1).max(200),
      registeredAt: z.string().min(1),
    }),
  ),
});

/** Whether `id` is an acceptable exchange id. */
export function isValidExchangeId(id: string): boolean {
  return EXCHANGE_ID_PATTERN.test(id);
}

/** The path of the registry file in `dataDir`. */
export function exchangesFilePath(dataDir: string): string {
  return join(dataDir, EXCHANGES_FILE);
}

/** The registrations recorded in `dataDir` (none when the file does not exist yet). */
export async function readRegisteredExchanges(dataDir: string): Promise<LocalExchangeRegistration[]> {
  const path = exchangesFilePath(dataDir);
  const text = await readIfExists(path);
  if (text === null) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON; fix or delete it.`);
  }
  const parsed = RegistryFileSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}`).join('; ');
    throw new Error(`${path} is not a valid exchange registry (${where}); fix or delete it.`);
  }
  return parsed.data.exchanges;
}

/**
 * Records an exchange in `dataDir` (idempotent: an existing id keeps its name and time).
 * Throws a TypeError for an invalid id: that is the caller's input to check.
 */
export async function registerExchange(
  dataDir: string,
  exchange: { id: string; name?: string },
  now: () => Date = () => new Date(),
): Promise<{ created: boolean; exchange: LocalExchangeRegistration }> {
  if (!isValidExchangeId(exchange.id)) {
    throw new TypeError(`Invalid exchange id ${JSON.stringify(exchange.id)}: expected ${EXCHANGE_ID_PATTERN.source}`);
  }
  const path = exchangesFilePath(dataDir);
  // Two token scripts at once would otherwise each write their own list and lose the other's entry.
  return withFileLock(`${path}.lock`, async () => {
    const current = await readRegisteredExchanges(dataDir);
    const found = current.find((e) => e.id === exchange.id);
    if (found) return { created: false, exchange: found };
    const added: LocalExchangeRegistration = {
      id: exchange.id,
      name: exchange.name ?? exchange.id,
      registeredAt: now().toISOString(),
    };
    const next = { version: 1 as const, exchanges: [...current, added] };
    await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
    return { created: true, exchange: added };
  });
}

/**
 * Reads the registry again only when the file changed since the last read: the local service
 * calls this before every authorisation, so the common case must be a single `stat`.
 */
export class ExchangeRegistryWatcher {
  private version: string | undefined;
  private exchanges: LocalExchangeRegistration[] = [];

  constructor(private readonly dataDir: string) {}

  /** The current registrations, and whether they changed since the previous call. */
  async refresh(): Promise<{ changed: boolean; exchanges: readonly LocalExchangeRegistration[] }> {
    const version = await this.fileVersion();
    if (version === this.version) return { changed: false, exchanges: this.exchanges };
    const exchanges = await readRegisteredExchanges(this.dataDir);
    this.version = version;
    this.exchanges = exchanges;
    return { changed: true, exchanges };
  }

  /** Forgets the last read, so the next refresh reads the file (used when applying it failed). */
  invalidate(): void {
    this.version = undefined;
  }

  private async fileVersion(): Promise<string> {
    try {
      // The file is replaced by rename, so the inode changes on every write even within one mtime tick.
      const s = await stat(exchangesFilePath(this.dataDir), { bigint: true });
      return `${s.ino}:${s.mtimeNs}:${s.size}`;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 'absent';
      throw error;
    }
  }
}

const LOCK_WAIT_MS = 5_000;
const LOCK_STALE_MS = 30_000;

/** Runs `fn` holding an exclusive lock file; a lock left behind by a crashed process expires. */
async function withFileLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      const age = await stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > LOCK_STALE_MS) {
        await unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockPath}; delete it if no other process runs.`);
      await sleep(20 + Math.random() * 30);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}
