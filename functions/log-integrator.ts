import { logIntegratorHandler } from '#shared/app/log-integrator-function.ts';
import { productionApp } from '#shared/app/production.ts';

/** The transparency log integrator's Lambda handler, on this container's app. */
export const handler = logIntegratorHandler(productionApp);
