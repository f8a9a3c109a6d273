import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Caller, Role } from '../domain/caller.ts';
import type { Exchange } from '../domain/records.ts';
import { HttpProblem } from './problems.ts';
import { problemDetail } from '../i18n/messages/problems.ts';
import { rolesOf } from './routes.ts';

/** The authenticated caller, as the authorizer and the exchange registry establish it. */
export interface Principal extends Caller {
  /** OAuth client id of the token (Cognito `client_id`). */
  clientId: string;
  scopes: ReadonlySet<string>;
}

/** Looks up the exchange registered for an OAuth client id. */
export type ExchangeResolver = (clientId: string) => Promise<Exchange | null>;

/**
 * Builds the principal from the claims API Gateway's JWT authorizer put into the event. The
 * authorizer has already checked the signature, issuer, audience, expiry and the route scopes;
 * what is left is the registry: an `exchange` token must name a registered, active exchange.
 */
export async function resolvePrincipal(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  resolveExchange: ExchangeResolver,
): Promise<Principal> {
  const jwt = event.requestContext?.authorizer?.jwt;
  const claims = jwt?.claims ?? {};
  const clientId = claimString(claims['client_id']) ?? claimString(claims['azp']) ?? claimString(claims['sub']);
  if (!jwt || !clientId) {
    throw new HttpProblem('unauthorized', problemDetail('detail.no-verified-token'), [], {
      'www-authenticate': 'Bearer',
    });
  }
  const scopes = new Set<string>(
    Array.isArray(jwt.scopes) && jwt.scopes.length > 0
      ? jwt.scopes
      : (claimString(claims['scope']) ?? '').split(' ').filter(Boolean),
  );
  const roles = rolesOf(scopes);
  let exchange: Exchange | null = null;
  // The exchange role is held only by a client the registry knows and keeps active.
  if (roles.has('exchange')) {
    exchange = await resolveExchange(clientId);
    if (!exchange) {
      throw new HttpProblem('exchange-not-registered', problemDetail('detail.exchange-not-registered', { clientId }));
    }
    if (exchange.status !== 'active') {
      throw new HttpProblem('exchange-suspended', problemDetail('detail.exchange-suspended', { id: exchange.id }));
    }
  }
  return { clientId, subject: claimString(claims['sub']) ?? clientId, scopes, roles, exchange };
}

/** Throws 403 unless the principal holds one of `allowed`. */
export function requireRole(principal: Principal, allowed: readonly Role[]): void {
  if (!allowed.some((r) => principal.roles.has(r))) {
    throw new HttpProblem('forbidden', problemDetail('detail.roles-required', { roles: allowed.join(', ') }));
  }
}

function claimString(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** The exchange a principal acts for; 403 when it acts for none. */
export function requireExchange(principal: Principal | null): Exchange {
  if (!principal?.exchange) {
    throw new HttpProblem('forbidden', problemDetail('detail.exchanges-only'));
  }
  return principal.exchange;
}

/** The authenticated principal of a protected route (the chain guarantees one). */
export function requirePrincipal(principal: Principal | null): Principal {
  if (!principal) throw new HttpProblem('unauthorized', problemDetail('detail.no-verified-token'));
  return principal;
}
