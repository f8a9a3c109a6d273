import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '#shared/domain/records.ts';
import {
  type ExchangeResolver,
  type Principal,
  requireExchange,
  requirePrincipal,
  requireRole,
  resolvePrincipal,
} from '#shared/http/principal.ts';
import { HttpProblem } from '#shared/http/problems.ts';
import { routes } from '#shared/http/routes.ts';

const ACTIVE: Exchange = { id: 'demo-exchange', name: 'Demo Exchange', clientIds: ['demo-exchange'], status: 'active' };
const SUSPENDED: Exchange = { ...ACTIVE, id: 'sleepy-exchange', clientIds: ['sleepy-exchange'], status: 'suspended' };

/** An event as API Gateway's JWT authorizer hands it over: only the authorizer part matters here. */
function eventWith(jwt: { claims: Record<string, string | number>; scopes: string[] | null } | undefined): APIGatewayProxyEventV2WithJWTAuthorizer {
  return { requestContext: jwt ? { authorizer: { jwt } } : {} } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** A token's authorizer context, scopes given the way API Gateway gives them (its `scopes` array). */
function token(clientId: string, scopes: string[]): APIGatewayProxyEventV2WithJWTAuthorizer {
  return eventWith({ claims: { client_id: clientId, sub: clientId, scope: scopes.join(' ') }, scopes });
}

/** A registry of the two exchanges above that records whom it was asked about. */
function registry(): ExchangeResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (clientId: string) => {
    asked.push(clientId);
    return [ACTIVE, SUSPENDED].find((e) => e.clientIds.includes(clientId)) ?? null;
  };
  return Object.assign(resolve, { asked });
}

async function refusal(promise: Promise<unknown>): Promise<HttpProblem> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpProblem);
  return error as HttpProblem;
}

function thrown(fn: () => unknown): HttpProblem {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HttpProblem);
    return e as HttpProblem;
  }
  throw new Error('nothing was thrown');
}

describe('resolvePrincipal', () => {
  it('derives the roles from the scopes: read makes an auditor, revoke an administrator', async () => {
    const exchanges = registry();
    const admin = await resolvePrincipal(token('admin.local', ['dcc/read', 'dcc/revoke']), exchanges);
    expect(admin).toMatchObject({ clientId: 'admin.local', subject: 'admin.local', exchange: null });
    expect(admin.roles).toEqual(new Set(['auditor', 'admin']));
    expect(admin.scopes).toEqual(new Set(['dcc/read', 'dcc/revoke']));

    const auditor = await resolvePrincipal(token('auditor.local', ['dcc/read']), exchanges);
    expect(auditor.roles).toEqual(new Set(['auditor']));
    // Neither holds the exchange role, so the registry is not asked.
    expect(exchanges.asked).toEqual([]);
  });

  it('makes an exchange of a registered, active client with the issue scope', async () => {
    const exchanges = registry();
    const principal = await resolvePrincipal(token('demo-exchange', ['dcc/issue']), exchanges);
    expect(principal.roles).toEqual(new Set(['exchange']));
    expect(principal.exchange).toEqual(ACTIVE);
    expect(exchanges.asked).toEqual(['demo-exchange']);
  });

  it('refuses the issue scope of a client no exchange is registered for, and of a suspended exchange', async () => {
    expect((await refusal(resolvePrincipal(token('auditor.local', ['dcc/issue']), registry()))).code).toBe('exchange-not-registered');
    expect((await refusal(resolvePrincipal(token('sleepy-exchange', ['dcc/issue']), registry()))).code).toBe('exchange-suspended');
  });

  it('gives a token with only unknown scopes no role, and so no protected route', async () => {
    for (const scopes of [['dcc/admin'], ['openid', 'profile'], ['DCC/REVOKE'], ['dcc/issue-all'], []]) {
      const exchanges = registry();
      const principal = await resolvePrincipal(token('demo-exchange', scopes), exchanges);
      expect(principal.roles, scopes.join(' ')).toEqual(new Set());
      expect(principal.exchange).toBeNull();
      expect(exchanges.asked).toEqual([]);
      for (const route of routes) {
        const { access } = route;
        if (access === 'public') continue;
        expect(thrown(() => requireRole(principal, access)).code, route.handler).toBe('forbidden');
      }
    }
  });

  it('ignores unknown scopes next to known ones', async () => {
    const principal = await resolvePrincipal(token('admin.local', ['openid', 'dcc/revoke', 'dcc/everything']), registry());
    expect(principal.roles).toEqual(new Set(['admin']));
  });

  it('reads the scope claim when the authorizer passed no scopes array', async () => {
    const claims = { client_id: 'admin.local', sub: 'admin.local', scope: 'dcc/revoke  dcc/read' };
    for (const scopes of [null, []]) {
      const principal = await resolvePrincipal(eventWith({ claims, scopes }), registry());
      expect(principal.roles).toEqual(new Set(['admin', 'auditor']));
    }
  });

  it('takes the client id from client_id, then azp, then sub', async () => {
    const scopes = ['dcc/read'];
    expect((await resolvePrincipal(eventWith({ claims: { client_id: 'a', azp: 'b', sub: 'c' }, scopes }), registry())).clientId).toBe('a');
    expect((await resolvePrincipal(eventWith({ claims: { azp: 'b', sub: 'c' }, scopes }), registry())).clientId).toBe('b');
    const bySub = await resolvePrincipal(eventWith({ claims: { sub: 'c' }, scopes }), registry());
    expect(bySub).toMatchObject({ clientId: 'c', subject: 'c' });
  });

  it('refuses an event without a verified token with 401 and a Bearer challenge', async () => {
    for (const event of [eventWith(undefined), eventWith({ claims: {}, scopes: ['dcc/read'] })]) {
      const problem = await refusal(resolvePrincipal(event, registry()));
      expect(problem.code).toBe('unauthorized');
      expect(problem.headers).toEqual({ 'www-authenticate': 'Bearer' });
    }
  });
});

describe('requireRole on the routes table', () => {
  const clients: Record<string, [clientId: string, scopes: string[]]> = {
    exchange: ['demo-exchange', ['dcc/issue']],
    auditor: ['auditor.local', ['dcc/read']],
    admin: ['admin.local', ['dcc/read', 'dcc/revoke']],
  };

  it('admits a client on a protected route exactly when API Gateway lets its token through', async () => {
    for (const [kind, [clientId, scopes]] of Object.entries(clients)) {
      const principal = await resolvePrincipal(token(clientId, scopes), registry());
      for (const route of routes) {
        if (route.auth === 'public' || route.access === 'public') continue;
        const { anyScope } = route.auth;
        const gatewayLetsThrough = scopes.some((s) => anyScope.includes(s as (typeof anyScope)[number]));
        let admitted = true;
        try {
          requireRole(principal, route.access);
        } catch (e) {
          expect((e as HttpProblem).code).toBe('forbidden');
          admitted = false;
        }
        expect({ kind, route: route.handler, admitted }).toEqual({ kind, route: route.handler, admitted: gatewayLetsThrough });
      }
    }
  });

  it('admits the administrator on the revocation route and nobody else', async () => {
    const revoke = routes.find((r) => r.handler === 'revoke-certificate');
    const access = revoke?.access;
    if (!access || access === 'public') throw new Error('revoke-certificate must be protected');
    const admin = await resolvePrincipal(token(...(clients['admin'] as [string, string[]])), registry());
    expect(() => requireRole(admin, access)).not.toThrow();
    for (const kind of ['exchange', 'auditor']) {
      const principal = await resolvePrincipal(token(...(clients[kind] as [string, string[]])), registry());
      expect(thrown(() => requireRole(principal, access)).message).toBe('This operation needs one of the roles: admin.');
    }
  });
});

describe('requireExchange and requirePrincipal', () => {
  const auditor: Principal = { clientId: 'auditor.local', subject: 'auditor.local', scopes: new Set(['dcc/read']), roles: new Set(['auditor']), exchange: null };
  const exchange: Principal = { ...auditor, clientId: 'demo-exchange', roles: new Set(['exchange']), exchange: ACTIVE };

  it('hand over the exchange of an exchange principal, and refuse anyone else with 403', () => {
    expect(requireExchange(exchange)).toBe(ACTIVE);
    expect(thrown(() => requireExchange(auditor)).code).toBe('forbidden');
    expect(thrown(() => requireExchange(null)).code).toBe('forbidden');
  });

  it('hand over the principal, and refuse a missing one with 401', () => {
    expect(requirePrincipal(auditor)).toBe(auditor);
    expect(thrown(() => requirePrincipal(null)).code).toBe('unauthorized');
  });
});
