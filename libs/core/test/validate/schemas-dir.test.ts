import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMAS_DIR_ENV, SchemasDirNotFoundError, findSchemasDir } from '../../src/validate/index.ts';
import { WORKSPACE_ROOT } from './helpers.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'schemas-dir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('findSchemasDir', () => {
  it('finds shared/schemas beside the workspace', () => {
    const dir = findSchemasDir({ root: WORKSPACE_ROOT, env: {} });
    expect(dir).toBe(path.resolve(WORKSPACE_ROOT, '..', 'shared', 'schemas'));
    expect(existsSync(path.join(dir, 'traefik-v3-static.schema.json'))).toBe(true);
  });

  it('walks up from a directory inside a clone to <clone>/../shared/schemas', () => {
    const clone = path.join(tmp, 'ci', 'clone');
    const shared = path.join(tmp, 'ci', 'shared', 'schemas');
    mkdirSync(path.join(clone, 'libs', 'core'), { recursive: true });
    mkdirSync(shared, { recursive: true });
    expect(findSchemasDir({ root: path.join(clone, 'libs', 'core'), env: {} })).toBe(shared);
  });

  it(`prefers ${SCHEMAS_DIR_ENV}, relative to the root`, () => {
    const custom = path.join(tmp, 'custom', 'schemas');
    mkdirSync(custom, { recursive: true });
    expect(findSchemasDir({ root: tmp, env: { [SCHEMAS_DIR_ENV]: 'custom/schemas' } })).toBe(custom);
  });

  it(`fails on a ${SCHEMAS_DIR_ENV} that points nowhere instead of falling back`, () => {
    const missing = path.join(tmp, 'nowhere');
    expect(() => findSchemasDir({ root: WORKSPACE_ROOT, env: { [SCHEMAS_DIR_ENV]: missing } }))
      .toThrow(new RegExp(`${SCHEMAS_DIR_ENV} names a directory that does not exist[\\s\\S]*${missing.replace(/[/\\]/g, '.')} \\(from ${SCHEMAS_DIR_ENV}\\)`));
  });

  it('names every path it tried when nothing is found', () => {
    const lonely = path.join(tmp, 'lonely', 'clone');
    mkdirSync(lonely, { recursive: true });
    let error: unknown;
    try {
      findSchemasDir({ root: lonely, env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemasDirNotFoundError);
    const tried = (error as SchemasDirNotFoundError).tried;
    expect(tried[0]).toBe(`$${SCHEMAS_DIR_ENV} (not set)`);
    expect(tried).toContain(path.join(tmp, 'lonely', 'shared', 'schemas'));
    expect((error as Error).message).toContain(path.join(tmp, 'lonely', 'shared', 'schemas'));
    expect((error as Error).message).toContain(`set ${SCHEMAS_DIR_ENV}=`);
  });
});
