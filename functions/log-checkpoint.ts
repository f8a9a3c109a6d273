import { appContainer } from '#shared/app/container.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { HttpProblem } from '#shared/http/problems.ts';

const app = appContainer();

/** `GET /v1/log/checkpoint`: the log's latest signed checkpoint (C2SP tlog-checkpoint). */
export const handler = httpRoute({ name: 'log-checkpoint', access: 'public' }, () => app, async () => {
  const checkpoint = await app.log.reader.checkpoint();
  if (checkpoint === null) throw new HttpProblem('not-found', 'The log has no checkpoint yet.');
  return {
    status: 200,
    text: { body: checkpoint, contentType: 'text/plain; charset=utf-8' },
    // Mutable: caches may hold it for seconds only (tlog-tiles).
    headers: { 'cache-control': 'public, max-age=5' },
  };
});
