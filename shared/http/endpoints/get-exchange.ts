import type * as z from 'zod/mini';
import { ExchangePathContract } from '../../domain/schemas/client-registration-check.ts';
import type { RegistrationViewSchema } from '../../domain/schemas/oauth.ts';
import { findExchangeRegistration, registrationView } from '../../services/client-registration.ts';
import { type ApiHandler, httpRoute } from '../handler.ts';
import { HttpProblem } from '../problems.ts';
import { problemDetail } from '../../i18n/messages/problems.ts';
import type { EndpointNeeds } from './endpoint-app.ts';

/** `GET /v1/exchanges/{exchangeId}` (admin): an exchange's registration, public keys only. */
export function getExchangeEndpoint(app: EndpointNeeds<'authorizationServer'>): ApiHandler {
  return httpRoute({ name: 'get-exchange', path: ExchangePathContract }, () => app, async ({ path }) => {
    const registration = await findExchangeRegistration(app.authorizationServer.clients, path.exchangeId);
    if (!registration) throw new HttpProblem('not-found', problemDetail('detail.no-exchange', { exchangeId: path.exchangeId }));
    return {
      status: 200,
      json: registrationView(registration, app.authorizationServer.scopesOf) satisfies z.output<typeof RegistrationViewSchema>,
      headers: { 'cache-control': 'no-store' },
    };
  });
}
