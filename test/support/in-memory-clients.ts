import type { ClientRegistration } from '#shared/domain/client-registration.ts';
import type {
  AssertionReplayStore,
  ClientRegistry,
  ExchangeRegistrationWrite,
  RoleClientRegistrationWrite,
} from '#shared/ports/client-registry.ts';

/** The client registry in memory, for use-case tests (the DynamoDB one is tested against DynamoDB Local). */
export class InMemoryClientRegistry implements ClientRegistry {
  readonly clients = new Map<string, ClientRegistration>();

  async findClient(clientId: string): Promise<ClientRegistration | null> {
    const found = this.clients.get(clientId);
    return found ? structuredClone(found) : null;
  }

  async registerExchange(write: ExchangeRegistrationWrite): Promise<{ created: boolean; registration: ClientRegistration }> {
    const created = !this.clients.has(write.exchangeId);
    const registration: ClientRegistration = {
      clientId: write.exchangeId,
      role: 'exchange',
      name: write.name,
      jwks: write.jwks,
      status: write.status,
      updatedAt: write.at,
      exchange: { id: write.exchangeId, name: write.name, clientIds: [write.exchangeId], status: write.status },
    };
    this.clients.set(write.exchangeId, registration);
    return { created, registration: structuredClone(registration) };
  }

  async registerRoleClient(write: RoleClientRegistrationWrite): Promise<{ created: boolean; registration: ClientRegistration }> {
    const created = !this.clients.has(write.clientId);
    const registration: ClientRegistration = { clientId: write.clientId, role: write.role, name: write.name, jwks: write.jwks, status: write.status, updatedAt: write.at, exchange: null };
    this.clients.set(write.clientId, registration);
    return { created, registration: structuredClone(registration) };
  }
}

/** Recorded `jti`s in memory; the check and the write happen in one synchronous step, as a conditional put does. */
export class InMemoryReplayStore implements AssertionReplayStore {
  readonly records = new Map<string, number>();

  async recordOnce(clientId: string, jti: string, rememberUntil: Date, now: Date): Promise<boolean> {
    const key = `${clientId}\u0000${jti}`;
    const until = this.records.get(key);
    if (until !== undefined && until >= now.getTime()) return false;
    this.records.set(key, rememberUntil.getTime());
    return true;
  }
}
