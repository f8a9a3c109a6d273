import { appContainer } from '#shared/app/container.ts';
import { buildJwks } from '#shared/crypto/jwks.ts';
import { httpRoute } from '#shared/http/handler.ts';

const app = appContainer();

/** `GET /.well-known/jwks.json`: every public key whose certificates still verify. */
export const handler = httpRoute({ name: 'get-jwks', access: 'public' }, () => app, async () => ({
  status: 200,
  json: buildJwks(await app.verificationKeys()),
  headers: { 'cache-control': 'public, max-age=300', 'content-type': 'application/jwk-set+json' },
}));
