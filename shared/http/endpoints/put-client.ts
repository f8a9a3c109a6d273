import { ClientRegistrationRequestContract, RoleClientPathContract } from '../../domain/schemas/client-registration-check.ts';
import { registerRoleClient } from '../../services/client-registration.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import type { EndpointNeeds } from './endpoint-app.ts';
import { registrationResult, takenAsConflict } from './put-exchange.ts';

/**
 * `PUT /v1/clients/{clientId}` (admin): registers or replaces an auditor or admin client with its
 * public keys. Its id has a dot or a colon, so it is never an exchange's.
 */
export function putClientEndpoint(app: EndpointNeeds<'authorizationServer'>): ApiHandler {
  return httpRoute(
    { name: 'put-client', body: ClientRegistrationRequestContract, path: RoleClientPathContract },
    () => app,
    async ({ body, path, now }) => {
      const result = await takenAsConflict(() => registerRoleClient(app.authorizationServer.clients, path.clientId, body, now));
      return registrationResult(result, `/v1/clients/${path.clientId}`, app);
    },
  );
}
