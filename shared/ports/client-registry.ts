import type { ClientJwks, ClientRegistration, ClientStatus } from '../domain/client-registration.ts';

/** What an exchange's registration writes. */
export interface ExchangeRegistrationWrite {
  exchangeId: string;
  name: string;
  jwks: ClientJwks;
  status: ClientStatus;
  /** RFC 3339 time of the write. */
  at: string;
}

/** What an auditor's or admin's registration writes. */
export interface RoleClientRegistrationWrite {
  clientId: string;
  role: 'auditor' | 'admin';
  name: string;
  jwks: ClientJwks;
  status: ClientStatus;
  /** RFC 3339 time of the write. */
  at: string;
}

/**
 * Port: the registry of OAuth clients and the public keys they authenticate with. Any number of
 * clients, each one item: registering one changes no infrastructure.
 */
export interface ClientRegistry {
  /** The registration of `clientId`, or null when no client of that id holds keys. */
  findClient(clientId: string): Promise<ClientRegistration | null>;
  /**
   * Registers or replaces an exchange and its client (whose id is the exchange id), atomically:
   * the exchange record and the client's keys change together. `created` is false when the
   * exchange existed. Throws {@link ClientIdTakenError} (nothing written) when the id is bound to
   * another exchange.
   */
  registerExchange(write: ExchangeRegistrationWrite): Promise<{ created: boolean; registration: ClientRegistration }>;
  /**
   * Registers or replaces an auditor or admin client. Throws {@link ClientIdTakenError} (nothing
   * written) when the id acts for an exchange.
   */
  registerRoleClient(write: RoleClientRegistrationWrite): Promise<{ created: boolean; registration: ClientRegistration }>;
}

/**
 * Port: the `jti` of every accepted client assertion, kept until the assertion could no longer be
 * accepted anyway, so that none is accepted twice.
 */
export interface AssertionReplayStore {
  /**
   * Records `jti` of `clientId` until `rememberUntil`, on condition that it is not recorded
   * already (an expired record counts as absent). True when this call recorded it; false when
   * it was there: a replay. Atomic: of concurrent calls with the same `jti`, exactly one is true.
   */
  recordOnce(clientId: string, jti: string, rememberUntil: Date, now: Date): Promise<boolean>;
}
