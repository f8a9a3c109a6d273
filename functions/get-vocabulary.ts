import { productionApp } from '#shared/app/production.ts';
import { getVocabularyEndpoint } from '#shared/http/endpoints/get-vocabulary.ts';

/** The Lambda handler of route `get-vocabulary` (see `shared/http/routes.ts`), on the parts of this container's app it uses. */
export const handler = getVocabularyEndpoint(productionApp({}));
