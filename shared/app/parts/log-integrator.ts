import { logSigning } from '../config.ts';
import { part } from '../container.ts';
import { type LogServices, logIntegrator } from '../log-services.ts';
import { log, logStore } from './log.ts';

/** The transparency log with its integrator and the log key: what the integrator function and the local service hold. */
export const logWithIntegrator = /* @__PURE__ */ part(
  (c): LogServices => ({
    ...log(c),
    integrator: logIntegrator({ store: logStore(c), signing: () => logSigning(c.config), kms: c.kms, clock: c.clock }),
  }),
);
