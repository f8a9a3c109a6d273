import type { Exchange } from './records.ts';

/** What a caller may be. One token may carry several roles (an admin also reads). */
export type Role = 'exchange' | 'auditor' | 'admin';

/**
 * Who asks, as the use cases see it: the roles the caller holds and, for an exchange, the data
 * exchange it acts for. How the caller was authenticated is the HTTP layer's business.
 */
export interface Caller {
  /** The token's subject, recorded as the actor of changes. */
  subject: string;
  roles: ReadonlySet<Role>;
  /** The data exchange the caller acts for; present exactly when `roles` has `exchange`. */
  exchange: Exchange | null;
}
