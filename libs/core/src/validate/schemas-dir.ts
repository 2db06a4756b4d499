/**
 * Where the upstream JSON schemas live. They are not part of the repository: the workspace is
 * cloned with a copy of `shared/` beside it (`<clone>/../shared/schemas`), or the directory is
 * named explicitly by `HOMELAB_SCHEMAS_DIR`.
 */
import { statSync } from 'node:fs';
import path from 'node:path';

export const SCHEMAS_DIR_ENV = 'HOMELAB_SCHEMAS_DIR';

/** Thrown when no schemas directory is found; names every path that was tried. */
export class SchemasDirNotFoundError extends Error {
  constructor(readonly tried: readonly string[], detail: string) {
    super(`${detail}\nTried:\n${tried.map((t) => `  - ${t}`).join('\n')}\nFix: set ${SCHEMAS_DIR_ENV}=/path/to/shared/schemas, or put a copy of shared/ beside the workspace.`);
    this.name = 'SchemasDirNotFoundError';
  }
}

export interface FindSchemasDirOptions {
  /** Workspace root to start from. @default process.cwd() */
  readonly root?: string;
  /** Environment to read `HOMELAB_SCHEMAS_DIR` from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `$HOMELAB_SCHEMAS_DIR` if set (relative to the root), else the first `<dir>/../shared/schemas`
 * walking up from the root. An explicit variable that points nowhere is an error, not a reason to
 * fall back to a different directory silently.
 */
export function findSchemasDir(options: FindSchemasDirOptions = {}): string {
  const root = path.resolve(options.root ?? process.cwd());
  const env = options.env ?? process.env;
  const fromEnv = env[SCHEMAS_DIR_ENV];
  if (fromEnv) {
    const dir = path.resolve(root, fromEnv);
    if (isDirectory(dir)) return dir;
    throw new SchemasDirNotFoundError([`${dir} (from ${SCHEMAS_DIR_ENV})`], `${SCHEMAS_DIR_ENV} names a directory that does not exist.`);
  }
  const tried: string[] = [`$${SCHEMAS_DIR_ENV} (not set)`];
  for (let dir = root; ; dir = path.dirname(dir)) {
    const candidate = path.resolve(dir, '..', 'shared', 'schemas');
    if (!tried.includes(candidate)) {
      if (isDirectory(candidate)) return candidate;
      tried.push(candidate);
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new SchemasDirNotFoundError(tried, `No schemas directory found from ${root}.`);
}
