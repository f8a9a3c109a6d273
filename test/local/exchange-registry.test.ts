import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ExchangeRegistryWatcher,
  exchangesFilePath,
  isValidExchangeId,
  readRegisteredExchanges,
  registerExchange,
} from '#local/exchange-registry.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dcc-registry-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('exchange ids', () => {
  it('accept lower-case letters, digits and hyphens, 2 to 63 characters, no leading hyphen', () => {
    for (const id of ['ab', 'demo-exchange', 'sde-2026', '0x', `a${'b'.repeat(62)}`]) expect(isValidExchangeId(id)).toBe(true);
    for (const id of ['a', '-ab', 'Ab', 'a_b', 'a b', 'a.b', `a${'b'.repeat(63)}`, '', 'ab\n', 'é1']) expect(isValidExchangeId(id)).toBe(false);
  });
});

describe('registerExchange', () => {
  it('records an exchange in exchanges.json, privately, once', async () => {
    const fixed = new Date('2026-11-20T08:30:00Z');
    const first = await registerExchange(dataDir, { id: 'hz-exchange', name: 'Hangzhou Data Exchange' }, () => fixed);
    expect(first).toEqual({ created: true, exchange: { id: 'hz-exchange', name: 'Hangzhou Data Exchange', registeredAt: '2026-11-20T08:30:00.000Z' } });
    const again = await registerExchange(dataDir, { id: 'hz-exchange', name: 'Other name' });
    expect(again.created).toBe(false);
    expect(again.exchange.name).toBe('Hangzhou Data Exchange');
    const file = JSON.parse(await readFile(exchangesFilePath(dataDir), 'utf8'));
    expect(file).toEqual({ version: 1, exchanges: [first.exchange] });
    expect((await stat(exchangesFilePath(dataDir))).mode & 0o777).toBe(0o600);
  });

  it('names an exchange by its id when no name is given', async () => {
    expect((await registerExchange(dataDir, { id: 'sz-exchange' })).exchange.name).toBe('sz-exchange');
  });

  it('refuses an invalid id without touching the file', async () => {
    await expect(registerExchange(dataDir, { id: '../evil' })).rejects.toThrow(TypeError);
    expect(await readRegisteredExchanges(dataDir)).toEqual([]);
  });

  it('loses no registration when many are made at once', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `exchange-${i}`);
    await Promise.all(ids.map((id) => registerExchange(dataDir, { id })));
    const recorded = (await readRegisteredExchanges(dataDir)).map((e) => e.id).sort();
    expect(recorded).toEqual([...ids].sort());
  });

  it('reports a corrupt file by name instead of overwriting it', async () => {
    await writeFile(exchangesFilePath(dataDir), '{"version":1,"exchanges":[{"id":"BAD"}]}');
    await expect(readRegisteredExchanges(dataDir)).rejects.toThrow(/exchanges\.json is not a valid exchange registry/);
    await expect(registerExchange(dataDir, { id: 'ok-id' })).rejects.toThrow(/exchanges\.json/);
    await writeFile(exchangesFilePath(dataDir), 'not json');
    await expect(readRegisteredExchanges(dataDir)).rejects.toThrow(/not valid JSON/);
  });
});

describe('ExchangeRegistryWatcher', () => {
  it('re-reads the file only when it changed', async () => {
    const watcher = new ExchangeRegistryWatcher(dataDir);
    expect(await watcher.refresh()).toEqual({ changed: true, exchanges: [] });
    expect((await watcher.refresh()).changed).toBe(false);
    await registerExchange(dataDir, { id: 'first-one' });
    const after = await watcher.refresh();
    expect(after.changed).toBe(true);
    expect(after.exchanges.map((e) => e.id)).toEqual(['first-one']);
    expect((await watcher.refresh()).changed).toBe(false);
    // Two writes within one clock tick still differ (the file is replaced, so its inode changes).
    await registerExchange(dataDir, { id: 'second-one' });
    expect((await watcher.refresh()).exchanges.map((e) => e.id)).toEqual(['first-one', 'second-one']);
    watcher.invalidate();
    expect((await watcher.refresh()).changed).toBe(true);
  });
});
