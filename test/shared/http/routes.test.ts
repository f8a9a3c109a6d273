import { describe, expect, it } from 'vitest';
import type { Role } from '#shared/domain/caller.ts';
import {
  CLIENT_ROLES,
  ROLE_SCOPE,
  ROLES,
  type RouteHandlerName,
  Scopes,
  rolesOf,
  routeKey,
  routeNamed,
  routes,
  scopesOf,
} from '#shared/http/routes.ts';

// Written out here rather than derived from the module, so that a change to the table fails
// these tests instead of silently moving the expectation with it.
const ISSUE = 'dcc/issue';
const READ = 'dcc/read';
const REVOKE = 'dcc/revoke';

/** The scopes API Gateway requires (any one of) on each protected route, as deployed today. */
const API_GATEWAY_SCOPES: Partial<Record<RouteHandlerName, readonly string[]>> = {
  'issue-certificate': [ISSUE],
  'find-certificates': [ISSUE],
  'get-certificate': [ISSUE, READ, REVOKE],
  'list-certificate-events': [READ, REVOKE],
  'revoke-certificate': [REVOKE],
  'issue-sd-jwt': [ISSUE],
  // Client registration: admins only.
  'put-exchange': [REVOKE],
  'get-exchange': [REVOKE],
  'put-client': [REVOKE],
};

describe('the role -> scope table', () => {
  it('makes exchanges issue, auditors read and administrators revoke', () => {
    expect(ROLE_SCOPE).toEqual({ exchange: ISSUE, auditor: READ, admin: REVOKE });
    expect(ROLES).toEqual(['exchange', 'auditor', 'admin']);
  });

  it('gives every scope of the resource server to exactly one role', () => {
    const scopes = ROLES.map((role) => ROLE_SCOPE[role]);
    expect(new Set(scopes).size).toBe(ROLES.length);
    expect([...scopes].sort()).toEqual(Object.values(Scopes).sort());
  });

  it('turns roles into scopes in the table order, whatever the order asked', () => {
    expect(scopesOf(['admin', 'exchange'])).toEqual([ISSUE, REVOKE]);
    expect(scopesOf(new Set<Role>(['auditor', 'admin', 'auditor']))).toEqual([READ, REVOKE]);
    expect(scopesOf([])).toEqual([]);
  });

  it('turns scopes back into the roles they make', () => {
    expect(rolesOf([ISSUE])).toEqual(new Set(['exchange']));
    expect(rolesOf([REVOKE, READ])).toEqual(new Set(['admin', 'auditor']));
    expect(rolesOf([ISSUE, READ, REVOKE])).toEqual(new Set(ROLES));
    for (const role of ROLES) expect(rolesOf(scopesOf([role]))).toEqual(new Set([role]));
  });

  it('gives no role for a scope that is no role\'s', () => {
    for (const scope of ['dcc/admin', 'admin', 'openid', 'DCC/ISSUE', 'dcc/issue ', ' dcc/read', 'dcc', 'issue', 'dcc/*', '']) {
      expect(rolesOf([scope]), JSON.stringify(scope)).toEqual(new Set());
    }
    expect(rolesOf(['openid', READ, 'dcc/write'])).toEqual(new Set(['auditor']));
  });
});

describe('the clients', () => {
  it('grant each kind its own role, and an administrator also the auditor role', () => {
    expect(CLIENT_ROLES).toEqual({ exchange: ['exchange'], auditor: ['auditor'], admin: ['admin', 'auditor'] });
  });

  it('carry scopes that make back exactly the roles granted', () => {
    expect(scopesOf(CLIENT_ROLES.exchange)).toEqual([ISSUE]);
    expect(scopesOf(CLIENT_ROLES.auditor)).toEqual([READ]);
    expect(scopesOf(CLIENT_ROLES.admin)).toEqual([READ, REVOKE]);
    for (const kind of ROLES) expect(rolesOf(scopesOf(CLIENT_ROLES[kind]))).toEqual(new Set(CLIENT_ROLES[kind]));
  });
});

describe('the routes table', () => {
  it('names each handler and each route key once', () => {
    expect(new Set(routes.map((r) => r.handler)).size).toBe(routes.length);
    expect(new Set(routes.map((r) => routeKey(r))).size).toBe(routes.length);
  });

  it('gives API Gateway the scopes deployed today', () => {
    const protectedRoutes = Object.fromEntries(
      routes.flatMap((r) => (r.auth === 'public' ? [] : [[r.handler, [...r.auth.anyScope]]])),
    );
    expect(protectedRoutes).toEqual(API_GATEWAY_SCOPES);
  });

  it('admits on every route exactly the roles whose scopes API Gateway lists for it', () => {
    for (const route of routes) {
      if (route.access === 'public') {
        expect(route.auth, route.handler).toBe('public');
        continue;
      }
      if (route.auth === 'public') throw new Error(`${route.handler} declares roles but is public`);
      expect(rolesOf(route.auth.anyScope), route.handler).toEqual(new Set(route.access));
      expect(route.auth.anyScope, route.handler).toEqual(scopesOf(route.access));
    }
  });

  it('admits on every protected route a token of each granted client exactly when the route admits one of its roles', () => {
    for (const route of routes) {
      if (route.auth === 'public' || route.access === 'public') continue;
      const { anyScope } = route.auth;
      const admitted = route.access;
      for (const kind of ROLES) {
        const token = scopesOf(CLIENT_ROLES[kind]);
        const gatewayLetsThrough = token.some((s) => anyScope.includes(s));
        const chainAdmits = [...rolesOf(token)].some((role) => admitted.includes(role));
        expect({ route: route.handler, kind, gatewayLetsThrough }).toEqual({ route: route.handler, kind, gatewayLetsThrough: chainAdmits });
      }
    }
  });

  it('has no protected route without a role (API Gateway would then admit any valid token)', () => {
    for (const route of routes) {
      if (route.access !== 'public') expect(route.access.length, route.handler).toBeGreaterThan(0);
    }
  });

  it('keeps the public routes public', () => {
    expect(routes.filter((r) => r.access === 'public').map((r) => r.handler).sort()).toEqual([
      // A compact QR code's reference: its check value opens the certificate, not a token.
      'get-certificate-by-number',
      'get-certificate-proof',
      'get-jwks',
      // The API description and the certificate's vocabulary: documents for anyone.
      'get-openapi',
      'get-status-list',
      'get-vocabulary',
      'log-checkpoint',
      'log-key',
      'log-tile',
      // The authorization server: a client authenticates with its assertion, not a bearer token.
      'oauth-jwks',
      'oauth-token',
      'openid-configuration',
      'verification-page',
      'verify-certificate',
    ]);
  });

  it('finds a route by its handler name', () => {
    expect(routeKey(routeNamed('revoke-certificate'))).toBe('POST /v1/certificates/{id}/revoke');
    expect(routeNamed('list-certificate-events').access).toEqual(['auditor', 'admin']);
    expect(() => routeNamed('no-such-route' as RouteHandlerName)).toThrow(/no route no-such-route/);
  });
});
