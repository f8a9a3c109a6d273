import type { Role } from '../domain/caller.ts';
import type { ClientRegistration, RegistrationView } from '../domain/client-registration.ts';
import type { ClientRegistrationRequest, ExchangeRegistrationRequest } from '../domain/schemas/client-registration.ts';
import type { ClientRegistry } from '../ports/client-registry.ts';

/**
 * Registering the API's machine clients: the admin routes' use cases. An exchange is registered
 * with the public keys of its client; auditors and admins likewise. A registration replaces the
 * previous one whole, so a key rotation is two writes: old and new keys together, then the new
 * alone. Nothing here touches infrastructure: a client is one item in the table.
 */

/** Registers or replaces exchange `exchangeId`. */
export async function registerExchange(
  registry: Pick<ClientRegistry, 'registerExchange'>,
  exchangeId: string,
  request: ExchangeRegistrationRequest,
  now: Date,
): Promise<{ created: boolean; registration: ClientRegistration }> {
  return registry.registerExchange({ exchangeId, name: request.name, jwks: request.jwks, status: request.status, at: now.toISOString() });
}

/** Registers or replaces the auditor or admin client `clientId`. */
export async function registerRoleClient(
  registry: Pick<ClientRegistry, 'registerRoleClient'>,
  clientId: string,
  request: ClientRegistrationRequest,
  now: Date,
): Promise<{ created: boolean; registration: ClientRegistration }> {
  return registry.registerRoleClient({ clientId, role: request.role, name: request.name, jwks: request.jwks, status: request.status, at: now.toISOString() });
}

/** The registration of exchange `exchangeId`, or null when there is none. */
export async function findExchangeRegistration(
  registry: Pick<ClientRegistry, 'findClient'>,
  exchangeId: string,
): Promise<ClientRegistration | null> {
  const found = await registry.findClient(exchangeId);
  return found?.role === 'exchange' ? found : null;
}

/** What the admin routes answer for `registration`: public keys only, with the scopes its tokens may carry. */
export function registrationView(registration: ClientRegistration, scopesOf: (role: Role) => readonly string[]): RegistrationView {
  return {
    clientId: registration.clientId,
    ...(registration.exchange ? { exchangeId: registration.exchange.id } : {}),
    role: registration.role,
    name: registration.name,
    status: registration.exchange?.status === 'suspended' ? 'suspended' : registration.status,
    jwks: registration.jwks,
    scope: scopesOf(registration.role).join(' '),
    updatedAt: registration.updatedAt,
  };
}
