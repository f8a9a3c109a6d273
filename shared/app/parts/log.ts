import { DynamoDbLogStore } from '../../adapters/dynamodb/log-store.ts';
import { LogReader } from '../../services/log-reader.ts';
import { part, table } from '../container.ts';
import type { LogServices } from '../log-services.ts';

/** The log's items on the table. */
export const logStore = /* @__PURE__ */ part((c) => new DynamoDbLogStore(table(c)));

/**
 * The transparency log's public reads: what the API functions use of it. The integrator, with the
 * log key, is a part of its own (`log-integrator.ts`), so that their bundles hold none of it.
 */
export const log = /* @__PURE__ */ part((c): Omit<LogServices, 'integrator'> => ({ store: logStore(c), reader: new LogReader(logStore(c)) }));
