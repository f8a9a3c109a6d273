import { appContainer } from '#shared/app/container.ts';
import { httpRoute } from '#shared/http/handler.ts';
import { HttpProblem } from '#shared/http/problems.ts';

const app = appContainer();

/** `GET /v1/log/key`: the note verifier key `<origin>+<hex key id>+<base64(0x01 || public key)>`. */
export const handler = httpRoute({ name: 'log-key', access: 'public' }, () => app, async () => {
  const key = await app.log.reader.verifierKey();
  if (key === null) throw new HttpProblem('not-found', 'The log has no key published yet.');
  return {
    status: 200,
    text: { body: `${key}\n`, contentType: 'text/plain; charset=utf-8' },
    headers: { 'cache-control': 'public, max-age=300' },
  };
});
