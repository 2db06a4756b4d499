/**
 * `npm run schemas:generate`: writes the JSON Schemas of a service definition and of a site
 * (generated from the zod schemas in libs/core/src/model) to the repository's
 * schemas/homelab/. A test fails when the committed files differ from what this writes.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BUNDLED_SCHEMAS_DIR, DEFINITION_SCHEMAS_SUBDIR, EXIT, renderDefinitionJsonSchemas } from '@homelab/core';

// Always the repository's own copy: these files are source, not a schemas directory chosen at run time.
const dir = path.join(BUNDLED_SCHEMAS_DIR, DEFINITION_SCHEMAS_SUBDIR);

async function readOrEmpty(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

async function generate(): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of renderDefinitionJsonSchemas()) {
    const file = path.join(dir, name);
    const shown = path.relative(process.cwd(), file);
    if ((await readOrEmpty(file)) === text) {
      console.log(`unchanged ${shown}`);
      continue;
    }
    await writeFile(file, text);
    console.log(`wrote     ${shown}`);
  }
}

try {
  await generate();
} catch (error) {
  console.error(`schemas:generate: cannot write ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = EXIT.failed;
}
