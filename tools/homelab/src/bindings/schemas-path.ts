import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared schemas directory: $HOMELAB_SCHEMAS_DIR, else `../shared/schemas` beside the repo. */
export function findSchemasDir(root: string): string {
  const tried: string[] = [];
  const fromEnv = process.env.HOMELAB_SCHEMAS_DIR;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    tried.push(fromEnv);
  }
  const beside = resolve(root, '..', 'shared', 'schemas');
  if (existsSync(join(beside, 'PROVENANCE.md'))) return beside;
  tried.push(beside);
  throw new Error(`the shared schemas directory was not found (tried ${tried.join(', ')}). Set HOMELAB_SCHEMAS_DIR to it.`);
}
