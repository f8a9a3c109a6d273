import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkClientOptions } from '#shared/app/sdk-options.ts';
import { DynamoDbLogStore } from '#shared/adapters/dynamodb/log-store.ts';
import { eventItem } from '#shared/adapters/dynamodb/marshalling.ts';
import { createTableInput } from '#shared/adapters/dynamodb/table.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local/dynamodb-local.ts';
import type { AuditEvent } from '#shared/domain/records.ts';
import { encodeEntry, entryFromEvent } from '#shared/transparency/entry.ts';
import { LogIntegrator } from '#shared/services/log-integrator.ts';
import { leafHash, rootFromLeafHashes } from '#shared/transparency/merkle.ts';
import { keyObjectNoteSigner } from '#shared/transparency/note.ts';
import { issueRequest, median, round, withLocalService } from './support.ts';

/** Time from a change being accepted to its inclusion proof being served, per event type and overall. */
export interface ProofLatencyFigure {
  /** Changes measured. */
  n: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
}

/** What the proof-latency phase measured. */
export interface ProofLatencyResults {
  issued: ProofLatencyFigure;
  revoked: ProofLatencyFigure;
  all: ProofLatencyFigure;
  /** How often the client asked for the proof. */
  pollIntervalMs: number;
  /**
   * One integrator pass over a single new change (median, from the integrator phase): the work
   * a change waits for, since the local service runs a pass right after each change.
   */
  floorMs: number;
}

/** What the integrator-throughput phase measured. */
export interface IntegratorThroughputResults {
  /** Audit events waiting in the outbox when `drain()` started. */
  entries: number;
  /** Batches (one transaction each) the drain committed. */
  batches: number;
  drainMs: number;
  entriesPerSecond: number;
  /** The same entries encoded, leaf-hashed and reduced to a root in memory. */
  inMemoryMs: number;
  /** Then, one new event at a time: the median time of a `drain()` that logs exactly that one. */
  singleEntryPassMs: number;
  singleEntryPasses: number;
  inMemoryEntriesPerSecond: number;
  /** entriesPerSecond / inMemoryEntriesPerSecond: the share of the in-memory rate the stored log keeps. */
  ratio: number;
}

/** The `transparencyLog` section of the results. */
export interface TransparencyLogResults {
  proofLatency: ProofLatencyResults;
  integrator: IntegratorThroughputResults;
}

/** Options of {@link measureTransparencyLog}. */
export interface TransparencyLogOptions {
  /** Certificates issued through the local service, each polled for its proof. */
  proofIssues: number;
  /** Of those, how many are then revoked and polled for the revocation's proof. */
  proofRevokes: number;
  /** Audit events in the backlog the integrator drains. */
  integratorEntries: number;
  log: (line: string) => void;
}

/** Runs both transparency-log measurements, one after the other. */
export async function measureTransparencyLog(options: TransparencyLogOptions): Promise<TransparencyLogResults> {
  const integrator = await measureIntegratorThroughput(options);
  const proofLatency = await measureProofLatency(options, integrator.singleEntryPassMs);
  return { proofLatency, integrator };
}

const POLL_INTERVAL_MS = 20;
const SINGLE_ENTRY_PASSES = 15;
const PROOF_DEADLINE_MS = 15_000;

/**
 * Through the local service (DynamoDB Local, the real handlers, the integrator loop that runs
 * a pass right after each change): issues certificates one at a time and, for each, asks for
 * `GET /v1/certificates/{id}/proof?event=issued` every 20 ms until it answers 200; then revokes
 * some and does the same with `?event=revoked`. One change at a time, so the figure is the wait
 * a client sees, not a queue. `floorMs` is one integrator pass over one change.
 */
export async function measureProofLatency(options: TransparencyLogOptions, floorMs: number): Promise<ProofLatencyResults> {
  return withLocalService('dcc-bench-tlog-', options.log, async (service) => {
    const exchange = await service.devClients.token({ role: 'exchange' });
    const admin = await service.devClients.token({ role: 'admin' });
    const run = Date.now();
    const issued: number[] = [];
    const revoked: number[] = [];
    const ids: string[] = [];
    options.log(`transparency log: ${options.proofIssues} issues, each polled for its proof`);
    for (let i = 0; i < options.proofIssues; i++) {
      const response = await fetch(`${service.url}/v1/certificates`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${exchange}` },
        body: JSON.stringify(issueRequest(`BENCH-TLOG-${run}-${i}`)),
      });
      if (response.status !== 201) throw new Error(`issue answered ${response.status}: ${await response.text()}`);
      const { id } = (await response.json()) as { id: string };
      ids.push(id);
      // From the moment the change was accepted (the response), as a client would count.
      issued.push(await pollProof(service.url, id, 'issued', performance.now()));
    }
    options.log(`transparency log: ${options.proofRevokes} revocations, each polled for its proof`);
    for (const id of ids.slice(0, options.proofRevokes)) {
      const response = await fetch(`${service.url}/v1/certificates/${id}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ reason: 'issued-in-error' }),
      });
      if (response.status !== 200) throw new Error(`revoke answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
      revoked.push(await pollProof(service.url, id, 'revoked', performance.now()));
    }
    return {
      issued: latencyFigure(issued),
      revoked: latencyFigure(revoked),
      all: latencyFigure([...issued, ...revoked]),
      pollIntervalMs: POLL_INTERVAL_MS,
      floorMs,
    };
  });
}

/** Polls the proof route until 200; returns ms since `since`. Fails on anything but 200 or 404, or past the deadline. */
async function pollProof(url: string, id: string, event: 'issued' | 'revoked', since: number): Promise<number> {
  for (;;) {
    const response = await fetch(`${url}/v1/certificates/${id}/proof?event=${event}`);
    const body = await response.text();
    const elapsed = performance.now() - since;
    if (response.status === 200) return elapsed;
    if (response.status !== 404) throw new Error(`proof of ${event} ${id} answered ${response.status}: ${body.slice(0, 300)}`);
    if (elapsed > PROOF_DEADLINE_MS) throw new Error(`proof of ${event} ${id} not available after ${PROOF_DEADLINE_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}

function latencyFigure(values: readonly number[]): ProofLatencyFigure {
  if (values.length === 0) return { n: 0, medianMs: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: with fewer than 100 values the p99 is the maximum.
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] as number;
  return { n: values.length, medianMs: round(median(sorted), 1), p99Ms: round(p99, 1), maxMs: round(sorted[sorted.length - 1] as number, 1) };
}

/**
 * `LogIntegrator.drain()` over a backlog of audit events in a DynamoDB Local table (written
 * first, with no integrator running), against the floor of the same entries encoded,
 * leaf-hashed and reduced to a Merkle root in memory: the gap is what storage, batching and
 * checkpoint signing cost.
 */
export async function measureIntegratorThroughput(options: TransparencyLogOptions): Promise<IntegratorThroughputResults> {
  const { log } = options;
  log('transparency log: starting DynamoDB Local for the integrator');
  const dynamo = await startDynamoDbLocal({ inMemory: true, startTimeoutMs: 180_000 });
  const client = new DynamoDBClient({
    ...sdkClientOptions('dynamodb'),
    endpoint: dynamo.endpoint,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const tableName = `dcc-bench-tlog-${randomUUID()}`;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const events = Array.from({ length: options.integratorEntries }, (_, i) => benchEvent(i));
    log(`transparency log: writing ${events.length} audit events to the outbox`);
    for (let i = 0; i < events.length; i += 25) {
      let pending: Record<string, unknown>[] = events.slice(i, i + 25).map((e) => ({ PutRequest: { Item: eventItem(e) } }));
      while (pending.length > 0) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
        pending = (out.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
      }
    }

    const signer = keyObjectNoteSigner('dcc.bench/log', generateKeyPairSync('ed25519').privateKey);
    const store = new DynamoDbLogStore({ client: doc, tableName });
    let batches = 0;
    let lastSize = 0;
    const countBatch = (size: number): void => {
      // The empty log's first pass signs a checkpoint with no entries: not a batch.
      if (size > lastSize) batches += 1;
      lastSize = size;
    };
    const integrator = new LogIntegrator({ store, signer, beforeCommit: countBatch });
    log(`transparency log: draining ${events.length} entries`);
    const started = performance.now();
    const drained = await integrator.drain(Math.ceil(events.length / 50) + 10);
    const drainMs = performance.now() - started;
    if (drained.size !== events.length) throw new Error(`drain left the log at ${drained.size} of ${events.length}`);
    const backlogBatches = batches;

    // The floor: what the same entries cost with no storage at all. Best of five (the check below is the warm-up).
    const hashAll = () => rootFromLeafHashes(events.map((e) => leafHash(encodeEntry(entryFromEvent(e)))));
    const expectedRoot = Buffer.from(hashAll()).toString('hex');
    const head = await store.head();
    if (Buffer.from(head?.rootHash ?? []).toString('hex') !== expectedRoot) throw new Error('the stored root differs from the in-memory root');
    let inMemoryMs = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 5; run++) {
      const t = performance.now();
      hashAll();
      inMemoryMs = Math.min(inMemoryMs, performance.now() - t);
    }

    // One change at a time, as the local service logs them: each drain() logs exactly one entry.
    const passes: number[] = [];
    for (let k = 0; k < SINGLE_ENTRY_PASSES; k++) {
      const event = benchEvent(events.length + k);
      await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: [{ PutRequest: { Item: eventItem(event) } }] as never } }));
      const t = performance.now();
      const after = await integrator.drain(4);
      passes.push(performance.now() - t);
      if (after.size !== events.length + k + 1) throw new Error(`a single-entry pass left the log at ${after.size}, not ${events.length + k + 1}`);
    }

    const entriesPerSecond = (events.length / drainMs) * 1000;
    const inMemoryEntriesPerSecond = (events.length / inMemoryMs) * 1000;
    return {
      entries: events.length,
      batches: backlogBatches,
      drainMs: round(drainMs, 1),
      entriesPerSecond: round(entriesPerSecond, 1),
      inMemoryMs: round(inMemoryMs, 2),
      singleEntryPassMs: round(median(passes), 1),
      singleEntryPasses: passes.length,
      inMemoryEntriesPerSecond: round(inMemoryEntriesPerSecond, 0),
      ratio: round(entriesPerSecond / inMemoryEntriesPerSecond, 4),
    };
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

/** An audit event as the issue and revoke paths write them; a tenth are revocations. */
function benchEvent(i: number): AuditEvent {
  const id = `0190d5f2-0000-7000-8000-${String(i).padStart(12, '0')}`;
  const revoked = i % 10 === 9;
  return {
    certificateId: id,
    type: revoked ? 'revoked' : 'issued',
    // Distinct, increasing times: the outbox order is the log order.
    at: new Date(Date.UTC(2026, 10, 27, 10, 0, 0) + i).toISOString(),
    actor: 'bench-exchange',
    detail: revoked ? { reason: 'issued-in-error', comment: null } : { transactionRef: `BENCH-TLOG-${i}`, supersedes: null },
    certificateNo: String(10_000_000_000_000_000_000n + BigInt(i)),
    statusListId: '0',
    statusListIndex: i,
    tokenSha256: i.toString(16).padStart(64, '0'),
  };
}
