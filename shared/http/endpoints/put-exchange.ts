import type { ClientRegistration } from '../../domain/client-registration.ts';
import { ExchangePathContract, ExchangeRegistrationRequestContract } from '../../domain/schemas/client-registration-check.ts';
import type * as z from 'zod/mini';
import type { RegistrationViewSchema } from '../../domain/schemas/oauth.ts';
import { CodedError } from '../../domain/coded-error.ts';
import { registerExchange, registrationView } from '../../services/client-registration.ts';
import { type ApiHandler, type HttpResult, httpRoute } from '../handler.ts';
import { HttpProblem } from '../problems.ts';
import { problemDetail } from '../../i18n/messages/problems.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/**
 * `PUT /v1/exchanges/{exchangeId}` (admin): registers or replaces a data exchange with the public
 * keys of its client (client id = exchange id). 201 when new, 200 when replaced.
 */
export function putExchangeEndpoint(app: EndpointNeeds<'authorizationServer'>): ApiHandler {
  return httpRoute(
    { name: 'put-exchange', body: ExchangeRegistrationRequestContract, path: ExchangePathContract },
    () => app,
    async ({ body, path, now }) => {
      const result = await takenAsConflict(() => registerExchange(app.authorizationServer.clients, path.exchangeId, body, now));
      return registrationResult(result, `/v1/exchanges/${path.exchangeId}`, app);
    },
  );
}

/** The answer of a registration write: the registration with its public keys, never cached. */
export function registrationResult(
  result: { created: boolean; registration: ClientRegistration },
  location: string,
  app: EndpointNeeds<'authorizationServer'>,
): HttpResult {
  return {
    status: result.created ? 201 : 200,
    json: registrationView(result.registration, app.authorizationServer.scopesOf) satisfies z.output<typeof RegistrationViewSchema>,
    headers: { location, 'cache-control': 'no-store' },
  };
}

/** A client id bound elsewhere is the caller's conflict (409), with nothing written. */
export async function takenAsConflict<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    // The registry's ClientIdTakenError, told by its code: the HTTP layer names ports as types only.
    if (error instanceof CodedError && error.code === 'client-id-taken') {
      const taken = error as CodedError & { clientId?: string; exchangeId?: string };
      throw new HttpProblem('client-id-taken', problemDetail('detail.client-id-taken', { clientId: taken.clientId ?? '', exchangeId: taken.exchangeId ?? '' }));
    }
    throw error;
  }
}
