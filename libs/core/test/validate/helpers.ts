/** Shared by the validate tests: one registry per test file, schemas found from this file's workspace. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaRegistry, findSchemasDir } from '../../src/validate/index.ts';

export const WORKSPACE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const SCHEMAS_DIR = findSchemasDir({ root: WORKSPACE_ROOT });
export const FIXTURES = path.join(SCHEMAS_DIR, 'test-data', 'fixtures');
export const registry = new SchemaRegistry(SCHEMAS_DIR);

export function fixture(...parts: string[]): string {
  return readFileSync(path.join(FIXTURES, ...parts), 'utf8');
}
