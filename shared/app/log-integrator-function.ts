import type { App } from './app.ts';

/** What one run of the integrator function reports. */
export interface IntegratorRun {
  integrated: number;
  size: number;
}

/**
 * The log integrator's Lambda handler, run by the outbox's DynamoDB stream or a schedule: drains
 * the outbox into the log. The event is only a nudge; what to integrate is read from the outbox
 * itself, so a duplicate or lost trigger changes nothing, and overlapping runs are settled by the
 * head's conditional write.
 */
export function logIntegratorHandler(app: Pick<App, 'log' | 'logger' | 'metrics'>): () => Promise<IntegratorRun> {
  return async () => {
    const integrator = await app.log.integrator();
    const outcome = await integrator.drain();
    app.logger.info('log integrated', outcome);
    if (outcome.integrated > 0) {
      app.metrics.addMetric('LogEntriesIntegrated', 'Count', outcome.integrated);
    }
    app.metrics.addMetric('LogTreeSize', 'Count', outcome.size);
    app.metrics.publishStoredMetrics();
    return { integrated: outcome.integrated, size: outcome.size };
  };
}
