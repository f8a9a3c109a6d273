import { config } from 'zod/mini';
// The English module itself, not the catalogue of every language (the page and dcc builds leave that out).
import en from 'zod/v4/locales/en.js';

/**
 * zod's English messages, for every schema module (each imports this file first). The schemas
 * are built with `zod/mini`, which installs no messages of its own ("Invalid input" for every
 * issue); the full `zod` installs English when it first builds a schema. Refusals quote these
 * messages (the verifier's explanations) or are rephrased from them (`zodIssuesToProblems`), so
 * they are set here, explicitly, rather than depend on whether the full `zod` happens to be
 * loaded in the same process.
 */
config(en());
