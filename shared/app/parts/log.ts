import { DynamoDbLogStore } from '../../adapters/dynamodb/log-store.ts';
import { logSigning } from '../config.ts';
import { part, table } from '../container.ts';
import { type LogServices, buildLogServices } from '../log-services.ts';

/** The log's items on the table. */
export const logStore = /* @__PURE__ */ part((c) => new DynamoDbLogStore(table(c)));

/** The transparency log: public reads, and the integrator with the log key. */
export const log = /* @__PURE__ */ part(
  (c): LogServices => buildLogServices({ store: logStore(c), signing: () => logSigning(c.config), kms: c.kms, clock: c.clock }),
);
