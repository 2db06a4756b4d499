import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SetupError } from '../../src/setup-error.ts';
import { BUNDLED_SCHEMAS_DIR, SCHEMAS_DIR_ENV, SchemaRegistry, SchemasDirNotFoundError, findSchemasDir } from '../../src/validate/index.ts';
import { WORKSPACE_ROOT } from './helpers.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'schemas-dir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function thrown(fn: () => unknown): SchemasDirNotFoundError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SchemasDirNotFoundError);
    expect(error).toBeInstanceOf(SetupError);
    return error as SchemasDirNotFoundError;
  }
  throw new Error('expected findSchemasDir to throw');
}

describe('findSchemasDir', () => {
  it("is the repository's own schemas/ folder", () => {
    expect(BUNDLED_SCHEMAS_DIR).toBe(path.join(WORKSPACE_ROOT, 'schemas'));
    expect(findSchemasDir({ root: WORKSPACE_ROOT, env: {} })).toBe(BUNDLED_SCHEMAS_DIR);
  });

  it('does not depend on the working directory or on a shared/ folder above it', () => {
    // A clone laid out the old way (<dir>/clone beside <dir>/shared/schemas) must not pick the neighbour.
    const clone = path.join(tmp, 'ci', 'clone');
    mkdirSync(path.join(clone, 'libs', 'core'), { recursive: true });
    mkdirSync(path.join(tmp, 'ci', 'shared', 'schemas'), { recursive: true });
    expect(findSchemasDir({ root: path.join(clone, 'libs', 'core'), env: {} })).toBe(BUNDLED_SCHEMAS_DIR);
  });

  it(`prefers ${SCHEMAS_DIR_ENV}, relative to the root`, () => {
    const custom = path.join(tmp, 'custom', 'schemas');
    mkdirSync(custom, { recursive: true });
    expect(findSchemasDir({ root: tmp, env: { [SCHEMAS_DIR_ENV]: 'custom/schemas' } })).toBe(custom);
  });

  it(`fails on a ${SCHEMAS_DIR_ENV} that points nowhere instead of falling back`, () => {
    const missing = path.join(tmp, 'nowhere');
    const error = thrown(() => findSchemasDir({ root: WORKSPACE_ROOT, env: { [SCHEMAS_DIR_ENV]: missing } }));
    expect(error.message).toContain(`${SCHEMAS_DIR_ENV} names a directory that does not exist`);
    expect(error.tried).toEqual([`${missing} (from ${SCHEMAS_DIR_ENV})`]);
    expect(error.fix).toMatch(new RegExp(`unset it to use the repository's schemas/`));
  });

  it('is a setup error with a fix when the repository folder is missing', () => {
    const gone = path.join(tmp, 'deleted', 'schemas');
    const error = thrown(() => findSchemasDir({ root: WORKSPACE_ROOT, env: {}, bundled: gone }));
    expect(error.message).toContain('The schemas folder of this repository is missing.');
    expect(error.message).toContain(gone);
    expect(error.fix).toContain('git checkout -- schemas');
    expect(String(error)).toContain('Fix: restore');
  });

  it('names every required file that is missing, all at once', () => {
    const partial = path.join(tmp, 'partial');
    mkdirSync(partial, { recursive: true });
    writeFileSync(path.join(partial, 'a.schema.json'), '{}');
    const error = thrown(() => findSchemasDir({ root: tmp, env: { [SCHEMAS_DIR_ENV]: partial }, required: ['a.schema.json', 'b.schema.json', 'c.schema.json'] }));
    expect(error.message).toContain('lacks 2 files validation needs: b.schema.json, c.schema.json');
    expect(findSchemasDir({ root: tmp, env: { [SCHEMAS_DIR_ENV]: partial }, required: ['a.schema.json'] })).toBe(partial);
  });

  it('the registry over the workspace demands every schema file it may compile', () => {
    const partial = path.join(tmp, 'only-traefik');
    mkdirSync(partial, { recursive: true });
    writeFileSync(path.join(partial, 'traefik-v3-static.schema.json'), '{}');
    const error = thrown(() => SchemaRegistry.fromWorkspace({ env: { [SCHEMAS_DIR_ENV]: partial } }));
    expect(error.message).toContain('bpg-proxmox-v0.111.1.tf-json.schema.json');
    expect(error.message).not.toContain('traefik-v3-static.schema.json,');
  });

  it('a corrupt schema file is a setup error naming the file, not an internal error', () => {
    const corrupt = path.join(tmp, 'corrupt');
    mkdirSync(corrupt, { recursive: true });
    writeFileSync(path.join(corrupt, 'prometheus-rules.schema.json'), '{ "type": "obj');
    const registry = new SchemaRegistry(corrupt);
    let error: unknown;
    try {
      registry.get('prometheus-rules');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SetupError);
    expect((error as SetupError).message).toContain(`Cannot load schema prometheus-rules.schema.json from ${corrupt}`);
    expect((error as SetupError).fix).toContain('git checkout -- schemas/prometheus-rules.schema.json');
  });
});
