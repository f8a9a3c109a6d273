import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every `.ts` file under `dir`, recursively. */
async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sources(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
}

/**
 * `import { z } from 'zod'` (or the default import) binds zod's whole namespace object as a
 * value, so esbuild keeps all of zod in the bundle, every locale and the JSON Schema tooling
 * included: measured by `npm run bench`, 455 KB of a 950 KB function bundle. `import * as z`
 * lets it keep only what is used. One such import anywhere in a function's graph undoes it
 * for that function, hence the check over everything a function can import.
 */
const WHOLE_ZOD_IMPORT = /^\s*import\s+(?!type\b)(?:\{\s*z\s*\}|z)\s+from\s+['"]zod['"]/m;

describe('function bundles keep only the zod they use', () => {
  it('no file under shared/ or functions/ imports zod as a whole value', async () => {
    const files = [...(await sources(join(root, 'shared'))), ...(await sources(join(root, 'functions')))];
    expect(files.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const file of files) {
      if (WHOLE_ZOD_IMPORT.test(await readFile(file, 'utf8'))) offenders.push(relative(root, file));
    }
    expect(offenders, "use `import * as z from 'zod'` (or `import type { z }` for types)").toEqual([]);
  });

  it('the check recognises the imports it forbids and lets the others pass', () => {
    expect(WHOLE_ZOD_IMPORT.test("import { z } from 'zod';")).toBe(true);
    expect(WHOLE_ZOD_IMPORT.test('import z from "zod";')).toBe(true);
    expect(WHOLE_ZOD_IMPORT.test("import * as z from 'zod';")).toBe(false);
    expect(WHOLE_ZOD_IMPORT.test("import type { z } from 'zod';")).toBe(false);
  });
});
