import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Calls per SDK command name, as counted on the wire. */
export class CallCounter {
  readonly byCommand = new Map<string, number>();

  get total(): number {
    let sum = 0;
    for (const n of this.byCommand.values()) sum += n;
    return sum;
  }

  add(command: string, n = 1): void {
    this.byCommand.set(command, (this.byCommand.get(command) ?? 0) + n);
  }

  /** The counts so far, as a plain object. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.byCommand].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.byCommand.clear();
  }
}

/**
 * Counts every request `client` puts on the wire. The middleware sits in the `finalizeRequest`
 * step at low priority, inside the retry middleware, so each attempt of a retried call counts:
 * that is what the service pays for. The document client shares its base client's stack, so its
 * calls are counted here too.
 */
export function countSends(client: Pick<DynamoDBClient, 'middlewareStack'>, counter: CallCounter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counter.add(String(context['commandName'] ?? 'unknown'));
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'dccBenchCountSends' },
  );
}
