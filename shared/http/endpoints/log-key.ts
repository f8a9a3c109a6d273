import { type ApiHandler, httpRoute } from '../handler.ts';
import { HttpProblem } from '../problems.ts';
import { problemDetail } from '../../i18n/messages/problems.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** `GET /v1/log/key`: the note verifier key `<origin>+<hex key id>+<base64(0x01 || public key)>`. */
export function logKeyEndpoint(app: EndpointNeeds<'log'>): ApiHandler {
  return httpRoute({ name: 'log-key' }, () => app, async () => {
    const key = await app.log.reader.verifierKey();
    if (key === null) throw new HttpProblem('not-found', problemDetail('detail.log-no-key'));
    return {
      status: 200,
      text: { body: `${key}\n`, contentType: 'text/plain; charset=utf-8' },
      headers: { 'cache-control': 'public, max-age=300' },
    };
  });
}
