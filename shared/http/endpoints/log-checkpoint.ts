import { type ApiHandler, httpRoute } from '../handler.ts';
import { HttpProblem } from '../problems.ts';
import { problemDetail } from '../../i18n/messages/problems.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** `GET /v1/log/checkpoint`: the log's latest signed checkpoint (C2SP tlog-checkpoint). */
export function logCheckpointEndpoint(app: EndpointNeeds<'log'>): ApiHandler {
  return httpRoute({ name: 'log-checkpoint' }, () => app, async () => {
    const checkpoint = await app.log.reader.checkpoint();
    if (checkpoint === null) throw new HttpProblem('not-found', problemDetail('detail.log-no-checkpoint'));
    return {
      status: 200,
      text: { body: checkpoint, contentType: 'text/plain; charset=utf-8' },
      // Mutable: caches may hold it for seconds only (tlog-tiles).
      headers: { 'cache-control': 'public, max-age=5' },
    };
  });
}
