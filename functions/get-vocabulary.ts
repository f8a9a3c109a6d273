import { productionApp } from '#shared/app/production.ts';
import { getVocabularyEndpoint } from '#shared/http/endpoints/get-vocabulary.ts';

/** The Lambda handler of route `get-vocabulary` (see `shared/http/routes.ts`), on this container's app. */
export const handler = getVocabularyEndpoint(productionApp);
