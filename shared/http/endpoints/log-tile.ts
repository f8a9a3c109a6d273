import { TilePathContract } from '../../domain/schemas/api-check.ts';
import { TILE_WIDTH } from '../../transparency/tiles.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { HttpProblem } from '../problems.ts';
import { problemDetail } from '../../i18n/messages/problems.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** `GET /v1/log/tile/{proxy+}`: Merkle tiles `tile/<L>/<N>[.p/<W>]` and entry bundles `tile/entries/<N>[.p/<W>]`. */
export function logTileEndpoint(app: EndpointNeeds<'log'>): ApiHandler {
  const route = httpRoute({ name: 'log-tile', path: TilePathContract }, () => app, async ({ path }) => {
    const tile = await app.log.reader.tile(path.proxy);
    if (!tile) throw new HttpProblem('not-found', problemDetail('detail.no-tile', { path: path.proxy }));
    return {
      status: 200,
      // The chain writes text bodies; the wrapper below marks this one as base64 for API Gateway.
      text: { body: Buffer.from(tile.body).toString('base64'), contentType: 'application/octet-stream' },
      headers: {
        'cache-control': tile.id.width === TILE_WIDTH ? 'public, max-age=31536000, immutable' : 'public, max-age=60',
      },
    };
  });
  return async (event, context) => {
    const result = await route(event, context);
    return result.statusCode === 200 ? { ...result, isBase64Encoded: true } : result;
  };
}
