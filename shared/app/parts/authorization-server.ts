import { DynamoDbAssertionReplayStore } from '../../adapters/dynamodb/assertion-replay-store.ts';
import { KmsAccessTokenSigner } from '../../adapters/kms/access-token-signer.ts';
import type { AccessTokenSigner } from '../../domain/access-token.ts';
import { CLIENT_ROLES, ROLES, scopesOf } from '../../http/routes.ts';
import type { ClientRegistry } from '../../ports/client-registry.ts';
import type { TokenServiceDeps } from '../../services/oauth-token.ts';
import { memoizeAsync } from '../../support/memo.ts';
import { accessTokenSigning } from '../config.ts';
import { KEY_FILES_LEFT_OUT, exchangeStore, part, table } from '../container.ts';

/** The `jti` of accepted client assertions. */
export const assertionReplayStore = /* @__PURE__ */ part((c) => new DynamoDbAssertionReplayStore(table(c)));

/** What the authorization server publishes and signs with, without its stores: the discovery document and the access-token key set need no table. */
export const authorizationServerMetadata = /* @__PURE__ */ part((c): Omit<TokenServiceDeps, 'clients' | 'replays'> => {
  const { config } = c;
  return {
    // The access-token key, made on first use: only the token endpoint and its JWKS have it.
    signer: memoizeAsync(async (): Promise<AccessTokenSigner> => {
      const signing = accessTokenSigning(config);
      if (signing.kind === 'kms') return new KmsAccessTokenSigner({ client: c.kms(), keyId: signing.keyId });
      // See KEY_FILES_LEFT_OUT.
      if (typeof DCC_KEY_FILES === 'undefined' || DCC_KEY_FILES) {
        return (await import('../../adapters/key-file/access-token-signer.ts')).LocalAccessTokenSigner.fromKeyFile(signing.keyFile);
      }
      throw new Error(KEY_FILES_LEFT_OUT);
    }),
    // The issuer is the API's own public URL: API Gateway finds the discovery document under it.
    issuer: config.DCC_PUBLIC_BASE_URL,
    lifetimeSeconds: config.DCC_ACCESS_TOKEN_TTL_SECONDS,
    scopesOf: (role) => scopesOf(CLIENT_ROLES[role]),
    knownScopes: scopesOf(ROLES),
  };
});

/** The OAuth authorization server: token endpoint, its key, the client registry. */
export const authorizationServer = /* @__PURE__ */ part((c): TokenServiceDeps & { clients: ClientRegistry } => ({
  ...authorizationServerMetadata(c),
  clients: exchangeStore(c),
  replays: assertionReplayStore(c),
}));
