/**
 * Where the upstream JSON schemas live: `schemas/` at the root of this repository (copied in with
 * their provenance, schemas/PROVENANCE.md), found from this module's own location so that homelab
 * works from any working directory; or the directory `HOMELAB_SCHEMAS_DIR` names.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError } from '../setup-error.ts';

export const SCHEMAS_DIR_ENV = 'HOMELAB_SCHEMAS_DIR';

/** This repository's own copy: libs/core/src/validate → <repo>/schemas. */
export const BUNDLED_SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'schemas');

/** Thrown when the schemas directory is missing or lacks a file validation needs. */
export class SchemasDirNotFoundError extends SetupError {
  override name = 'SchemasDirNotFoundError';
  constructor(readonly tried: readonly string[], detail: string, fix?: string) {
    super(
      `${detail}\nTried:\n${tried.map((t) => `  - ${t}`).join('\n')}`,
      fix ?? `restore the repository's schemas/ folder (git checkout -- schemas), or set ${SCHEMAS_DIR_ENV} to a directory holding the same files.`,
    );
  }

  /** The message with its fix line, as the CLI prints it. */
  override toString(): string {
    return `${this.message}\nFix: ${this.fix}`;
  }
}

export interface FindSchemasDirOptions {
  /** Directory a relative `HOMELAB_SCHEMAS_DIR` is resolved against. @default process.cwd() */
  readonly root?: string;
  /** Environment to read `HOMELAB_SCHEMAS_DIR` from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The default when the variable is not set. @default BUNDLED_SCHEMAS_DIR */
  readonly bundled?: string;
  /** Files that must be in the directory (names relative to it); a missing one is a setup error. */
  readonly required?: readonly string[];
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `$HOMELAB_SCHEMAS_DIR` if set (relative to the root), else the repository's `schemas/`. An
 * explicit variable that points nowhere is an error, not a reason to fall back to a different
 * directory silently; a directory without the files validation needs is an error at once, not an
 * "internal error" half-way through a run.
 */
export function findSchemasDir(options: FindSchemasDirOptions = {}): string {
  const root = path.resolve(options.root ?? process.cwd());
  const env = options.env ?? process.env;
  const fromEnv = env[SCHEMAS_DIR_ENV]?.trim();
  const dir = fromEnv ? path.resolve(root, fromEnv) : (options.bundled ?? BUNDLED_SCHEMAS_DIR);
  const label = fromEnv ? `${dir} (from ${SCHEMAS_DIR_ENV})` : `${dir} (the repository's schemas/; ${SCHEMAS_DIR_ENV} not set)`;
  if (!isDirectory(dir)) {
    throw new SchemasDirNotFoundError(
      [label],
      fromEnv ? `${SCHEMAS_DIR_ENV} names a directory that does not exist.` : 'The schemas folder of this repository is missing.',
      fromEnv ? `set ${SCHEMAS_DIR_ENV} to an existing directory with the schema files, or unset it to use the repository's schemas/.` : undefined,
    );
  }
  const missing = (options.required ?? []).filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length) {
    throw new SchemasDirNotFoundError([label], `The schemas folder lacks ${missing.length} file${missing.length === 1 ? '' : 's'} validation needs: ${missing.join(', ')}.`);
  }
  return dir;
}
