import { logIntegratorHandler } from '#shared/app/log-integrator-function.ts';
import { logWithIntegrator } from '#shared/app/parts/log-integrator.ts';
import { productionApp } from '#shared/app/production.ts';

/** The transparency log integrator's Lambda handler, on the parts of this container's app it uses. */
export const handler = logIntegratorHandler(productionApp({ log: logWithIntegrator }));
