import type { Role } from '../domain/caller.ts';

/**
 * The one table of the HTTP API. The CDK stack builds API Gateway routes, functions and
 * authorizer scopes from it; the local server routes requests with it; the handler chain admits
 * the roles it names. None of them keeps a list of its own, so they cannot drift.
 */

/** OAuth scopes of the resource server `dcc`. */
export const Scopes = {
  issue: 'dcc/issue',
  read: 'dcc/read',
  revoke: 'dcc/revoke',
} as const;
export type Scope = (typeof Scopes)[keyof typeof Scopes];

/**
 * Which scope makes which role, the only place this is written. API Gateway's route scopes, the
 * token endpoint (what a client may hold), the discovery document and the principal of a request
 * all read it. The order of the keys is the order scopes are listed in (route scopes, local tokens).
 */
export const ROLE_SCOPE: Readonly<Record<Role, Scope>> = {
  exchange: Scopes.issue,
  auditor: Scopes.read,
  admin: Scopes.revoke,
};

/** Every role, in the order of {@link ROLE_SCOPE}. */
export const ROLES = Object.keys(ROLE_SCOPE) as readonly Role[];

/**
 * The roles a client of each kind is granted, and so the scopes its tokens carry. An
 * administrator also reads: the audit trail is what it decides a revocation on.
 */
export const CLIENT_ROLES: Readonly<Record<Role, readonly Role[]>> = {
  exchange: ['exchange'],
  auditor: ['auditor'],
  admin: ['admin', 'auditor'],
};

/** The scopes that make `roles`, in the table's order whatever the order of `roles`. */
export function scopesOf(roles: Iterable<Role>): Scope[] {
  const wanted = new Set(roles);
  return ROLES.filter((role) => wanted.has(role)).map((role) => ROLE_SCOPE[role]);
}

/** The roles `scopes` make; a scope that makes no role (another resource server's) is ignored. */
export function rolesOf(scopes: Iterable<string>): Set<Role> {
  const held = new Set(scopes);
  return new Set(ROLES.filter((role) => held.has(ROLE_SCOPE[role])));
}

export type HttpMethod = 'GET' | 'POST' | 'PUT';

/** A route as the table declares it. */
interface RouteDeclaration {
  /** Stable identifier, also the name of the function entry point `functions/<handler>.ts`. */
  readonly handler: string;
  readonly method: HttpMethod;
  /** API Gateway route path, with `{name}` path parameters. */
  readonly path: string;
  /**
   * `public`: no token. Otherwise the roles admitted: the authorizer lets a token through when it
   * carries the scope of one of them, and the handler chain then requires one of these roles.
   */
  readonly access: 'public' | readonly Role[];
  /** What the function may do beyond reading and writing the table; the CDK grants exactly this. */
  readonly needs: {
    readonly table: 'none' | 'read' | 'read-write';
    readonly sign: boolean;
    readonly publicKey: boolean;
    /**
     * The access-token key (KMS `RSA_2048`): `sign` for the token endpoint, `public-key` for its
     * JWKS. Absent: neither.
     */
    readonly accessTokenKey?: 'sign' | 'public-key';
  };
}

/** A route of the table, with the authorizer settings its roles make. */
export interface RouteDefinition<H extends string = string> extends RouteDeclaration {
  readonly handler: H;
  /**
   * Derived from `access` through {@link ROLE_SCOPE}: `public`, or the scopes of which API
   * Gateway's authorizer requires any one (its rule for a route with several scopes).
   */
  readonly auth: 'public' | { readonly anyScope: readonly Scope[] };
}

const declarations = [
  {
    handler: 'issue-certificate',
    method: 'POST',
    path: '/v1/certificates',
    access: ['exchange'],
    needs: { table: 'read-write', sign: true, publicKey: true },
  },
  {
    handler: 'find-certificates',
    method: 'GET',
    path: '/v1/certificates',
    access: ['exchange'],
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'get-certificate',
    method: 'GET',
    path: '/v1/certificates/{id}',
    access: ['exchange', 'auditor', 'admin'],
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'list-certificate-events',
    method: 'GET',
    path: '/v1/certificates/{id}/events',
    access: ['auditor', 'admin'],
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'revoke-certificate',
    method: 'POST',
    path: '/v1/certificates/{id}/revoke',
    access: ['admin'],
    needs: { table: 'read-write', sign: false, publicKey: false },
  },
  {
    handler: 'issue-sd-jwt',
    method: 'POST',
    path: '/v1/certificates/{id}/sd-jwt',
    access: ['exchange'],
    needs: { table: 'read-write', sign: true, publicKey: true },
  },
  {
    handler: 'verify-certificate',
    method: 'POST',
    path: '/v1/verify',
    access: 'public',
    needs: { table: 'read', sign: false, publicKey: true },
  },
  {
    handler: 'get-status-list',
    method: 'GET',
    path: '/v1/status-lists/{listId}',
    access: 'public',
    needs: { table: 'read', sign: true, publicKey: true },
  },
  {
    handler: 'get-jwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    access: 'public',
    needs: { table: 'none', sign: false, publicKey: true },
  },
  {
    handler: 'get-certificate-by-number',
    method: 'GET',
    path: '/v1/certificate-numbers/{certificateNo}',
    access: 'public',
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'get-vocabulary',
    method: 'GET',
    path: '/ns/{proxy+}',
    access: 'public',
    needs: { table: 'none', sign: false, publicKey: false },
  },
  {
    handler: 'get-openapi',
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    needs: { table: 'none', sign: false, publicKey: false },
  },
  {
    handler: 'verification-page',
    method: 'GET',
    path: '/verify',
    access: 'public',
    needs: { table: 'none', sign: false, publicKey: false },
  },
  {
    handler: 'log-checkpoint',
    method: 'GET',
    path: '/v1/log/checkpoint',
    access: 'public',
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'log-key',
    method: 'GET',
    path: '/v1/log/key',
    access: 'public',
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'log-tile',
    method: 'GET',
    path: '/v1/log/tile/{proxy+}',
    access: 'public',
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'oauth-token',
    method: 'POST',
    path: '/oauth2/token',
    // Public at the gateway: the client authenticates with its signed assertion instead.
    access: 'public',
    needs: { table: 'read-write', sign: false, publicKey: false, accessTokenKey: 'sign' },
  },
  {
    handler: 'openid-configuration',
    method: 'GET',
    path: '/.well-known/openid-configuration',
    access: 'public',
    needs: { table: 'none', sign: false, publicKey: false },
  },
  {
    handler: 'oauth-jwks',
    method: 'GET',
    path: '/oauth2/jwks.json',
    access: 'public',
    needs: { table: 'none', sign: false, publicKey: false, accessTokenKey: 'public-key' },
  },
  {
    handler: 'put-exchange',
    method: 'PUT',
    path: '/v1/exchanges/{exchangeId}',
    access: ['admin'],
    needs: { table: 'read-write', sign: false, publicKey: false },
  },
  {
    handler: 'get-exchange',
    method: 'GET',
    path: '/v1/exchanges/{exchangeId}',
    access: ['admin'],
    needs: { table: 'read', sign: false, publicKey: false },
  },
  {
    handler: 'put-client',
    method: 'PUT',
    path: '/v1/clients/{clientId}',
    access: ['admin'],
    needs: { table: 'read-write', sign: false, publicKey: false },
  },
  {
    handler: 'get-certificate-proof',
    method: 'GET',
    path: '/v1/certificates/{id}/proof',
    access: 'public',
    needs: { table: 'read', sign: false, publicKey: false },
  },
] as const satisfies readonly RouteDeclaration[];

export type RouteHandlerName = (typeof declarations)[number]['handler'];

/** Every route of the API. */
export const routes: readonly RouteDefinition<RouteHandlerName>[] = declarations.map((route) => ({
  ...route,
  auth: route.access === 'public' ? 'public' : { anyScope: scopesOf(route.access) },
}));

/** The route of `handler`. */
export function routeNamed(handler: RouteHandlerName): RouteDefinition<RouteHandlerName> {
  const route = routes.find((r) => r.handler === handler);
  if (!route) throw new Error(`no route ${handler} in the routes table`);
  return route;
}

/** API Gateway route key, e.g. `POST /v1/certificates`. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
