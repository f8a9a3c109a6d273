import { appContainer } from '#shared/app/container.ts';

const app = appContainer();

/**
 * The log integrator (reserved concurrency 1), run by the outbox's DynamoDB stream or a schedule:
 * drains the outbox into the log. The event is only a nudge; what to integrate is read from the
 * outbox itself, so a duplicate or lost trigger changes nothing.
 */
export const handler = async (): Promise<{ integrated: number; size: number }> => {
  const integrator = await app.log.integrator();
  const outcome = await integrator.drain();
  app.logger.info('log integrated', outcome);
  if (outcome.integrated > 0) {
    app.metrics.addMetric('LogEntriesIntegrated', 'Count', outcome.integrated);
  }
  app.metrics.addMetric('LogTreeSize', 'Count', outcome.size);
  app.metrics.publishStoredMetrics();
  return outcome;
};
