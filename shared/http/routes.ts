/**
 * The one table of the HTTP API (DESIGN §3). The CDK stack builds API Gateway routes, functions
 * and authorizer scopes from it; the local server routes requests with it. Neither keeps a list
 * of its own, so the two cannot drift.
 */

/** OAuth scopes of the resource server `dcc`. */
export const Scopes = {
  issue: 'dcc/issue',
  read: 'dcc/read',
  revoke: 'dcc/revoke',
} as const;
export type Scope = (typeof Scopes)[keyof typeof Scopes];

export type HttpMethod = 'GET' | 'POST';

export interface RouteDefinition {
  /** Stable identifier, also the name of the function entry point `functions/<handler>.ts`. */
  readonly handler: string;
  readonly method: HttpMethod;
  /** API Gateway route path, with `{name}` path parameters. */
  readonly path: string;
  /**
   * `public`: no token. Otherwise the authorizer admits a token carrying at least one of these
   * scopes (API Gateway's rule); the handler then decides per role and per exchange.
   */
  readonly auth: 'public' | { readonly anyScope: readonly Scope[] };
  /** What the function may do beyond reading and writing the table; the CDK grants exactly this. */
  readonly needs: {
    readonly table: 'none' | 'read' | 'read-write';
    readonly sign: boolean;
    readonly publicKey: boolean;
  };
  /** Only served by the local server (not deployed). */
  readonly localOnly?: boolean;
}

export const routes = [
  {
    handler: 'issue-certificate',
    method: 'POST',
    path: '/v1/certificates',
    auth: { anyScope: [Scopes.issue] },
    needs: { table: 'read-write', sign: true, publicKey: true },
  },
  {
    handler: 'find-certificates',
    method: 'GET',
    path: '/v1/certificates',
    auth: { anyScope: [Scopes.issue] },
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'get-certificate',
    method: 'GET',
    path: '/v1/certificates/{id}',
    auth: { anyScope: [Scopes.issue, Scopes.read, Scopes.revoke] },
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'list-certificate-events',
    method: 'GET',
    path: '/v1/certificates/{id}/events',
    auth: { anyScope: [Scopes.read, Scopes.revoke] },
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'revoke-certificate',
    method: 'POST',
    path: '/v1/certificates/{id}/revoke',
    auth: { anyScope: [Scopes.revoke] },
    needs: { table: 'read-write', sign: false, publicKey: false },
  },
  {
    handler: 'verify-certificate',
    method: 'POST',
    path: '/v1/verify',
    auth: 'public',
    needs: { table: 'read', sign: false, publicKey: true },
  },
  {
    handler: 'get-status-list',
    method: 'GET',
    path: '/v1/status-lists/{listId}',
    auth: 'public',
    needs: { table: 'read', sign: true, publicKey: true },
  },
  {
    handler: 'get-jwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    auth: 'public',
    needs: { table: 'none', sign: false, publicKey: true },
  },
  {
    handler: 'verification-page',
    method: 'GET',
    path: '/verify',
    auth: 'public',
    needs: { table: 'none', sign: false, publicKey: false },
  },
  {
    handler: 'log-checkpoint',
    method: 'GET',
    path: '/v1/log/checkpoint',
    auth: 'public',
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'log-key',
    method: 'GET',
    path: '/v1/log/key',
    auth: 'public',
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'log-tile',
    method: 'GET',
    path: '/v1/log/tile/{proxy+}',
    auth: 'public',
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'get-certificate-proof',
    method: 'GET',
    path: '/v1/certificates/{id}/proof',
    auth: 'public',
    needs: { table: 'read', sign: false, publicKey: false },
  },
] as const satisfies readonly RouteDefinition[];

export type RouteHandlerName = (typeof routes)[number]['handler'];

/** API Gateway route key, e.g. `POST /v1/certificates`. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
