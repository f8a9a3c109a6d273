import { StatusListPathContract } from '../../domain/schemas/api-check.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { HttpProblem } from '../problems.ts';
import { problemDetail } from '../../i18n/messages/problems.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** `GET /v1/status-lists/{listId}`: the signed revocation list, fresh at the origin. */
export function getStatusListEndpoint(app: EndpointNeeds<'statusLists'>): ApiHandler {
  return httpRoute({ name: 'get-status-list', path: StatusListPathContract }, () => app, async ({ path, now }) => {
    const list = await (await app.statusLists()).get(path.listId, now);
    if (!list) throw new HttpProblem('status-list-not-found', problemDetail('detail.no-status-list', { listId: path.listId }));
    return {
      status: 200,
      text: { body: list.jwt, contentType: 'application/vc+jwt' },
      headers: { 'cache-control': `public, max-age=${list.maxAgeSeconds}` },
    };
  });
}
