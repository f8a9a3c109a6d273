import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiDocumentText } from '../shared/http/openapi.ts';

/**
 * Writes the API description, `openapi.json` at the repository root, rendered from the routes
 * table and the zod schemas. Run `npx tsx scripts/build-openapi.ts` after changing a route, a
 * request or response schema, or a problem code: a test fails while the committed file differs
 * from a fresh rendering.
 */

/** The committed document, relative to the repository root. */
export const OPENAPI_FILE = 'openapi.json';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = openApiDocumentText();
  await writeFile(fileURLToPath(new URL(`../${OPENAPI_FILE}`, import.meta.url)), text);
  process.stdout.write(`wrote ${OPENAPI_FILE} (${text.length} bytes)\n`);
}
