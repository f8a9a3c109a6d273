import { appContainer } from '#shared/app/container.ts';
import { StatusListPathSchema } from '#shared/domain/schemas/api.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { HttpProblem } from '#shared/http/problems.ts';

const app = appContainer();

/** `GET /v1/status-lists/{listId}`: the signed revocation list, fresh at the origin. */
export const handler = httpRoute(
  { name: 'get-status-list', access: 'public', path: StatusListPathSchema },
  () => app,
  async ({ path, now }) => {
    const list = await (await app.statusLists()).get(path.listId, now);
    if (!list) throw new HttpProblem('status-list-not-found', `No status list ${path.listId}.`);
    return {
      status: 200,
      text: { body: list.jwt, contentType: 'application/vc+jwt' },
      headers: { 'cache-control': `public, max-age=${list.maxAgeSeconds}` },
    };
  },
);
