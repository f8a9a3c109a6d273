import * as z from 'zod';
import { appContainer } from '#shared/app/container.ts';
import { type ApiHandler, httpRoute } from '#shared/http/handler.ts';
import { HttpProblem } from '#shared/http/problems.ts';
import { TILE_WIDTH } from '#shared/transparency/tiles.ts';

const app = appContainer();

const TilePathSchema = z.strictObject({ proxy: z.string().min(1).max(200) });

const route = httpRoute(
  { name: 'log-tile', access: 'public', path: TilePathSchema },
  () => app,
  async ({ path }) => {
    const tile = await app.log.reader.tile(path.proxy);
    if (!tile) throw new HttpProblem('not-found', `No tile tile/${path.proxy} in a published tree.`);
    return {
      status: 200,
      // The chain writes text bodies; the wrapper below marks this one as base64 for API Gateway.
      text: { body: Buffer.from(tile.body).toString('base64'), contentType: 'application/octet-stream' },
      headers: {
        'cache-control': tile.id.width === TILE_WIDTH ? 'public, max-age=31536000, immutable' : 'public, max-age=60',
      },
    };
  },
);

/** `GET /v1/log/tile/{proxy+}`: Merkle tiles `tile/<L>/<N>[.p/<W>]` and entry bundles `tile/entries/<N>[.p/<W>]`. */
export const handler: ApiHandler = async (event, context) => {
  const result = await route(event, context);
  return result.statusCode === 200 ? { ...result, isBase64Encoded: true } : result;
};
