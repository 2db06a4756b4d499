/**
 * Nx reads libs/core's imports, tests included, to draw the project graph: one import of a service
 * package from core would make every service depend on it (each depends on core), so `nx affected`
 * and the deploy order would drag it along. Core's tests keep copies of what they need; the
 * packages' own tests check the copies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = new URL('../../', import.meta.url).pathname;
/** This file: its fixture spells such imports inside strings. */
const SELF = new URL(import.meta.url).pathname;
const SERVICE_IMPORT = /(?:from|import\()\s*['"](?:(?:\.\.\/)+packages\/|@homelab\/(?!core\b|site\b|tools\b))[^'"]*['"]/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist') return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? sources(path) : /\.(ts|mts)$/.test(e.name) ? [path] : [];
  });
}

export function serviceImports(text: string): string[] {
  return [...text.matchAll(SERVICE_IMPORT)].map((m) => m[0]);
}

describe('libs/core imports no service package, not even in a test', () => {
  it('finds none in libs/core', () => {
    const found = sources(CORE).filter((f) => f !== SELF).flatMap((f) => serviceImports(readFileSync(f, 'utf8')).map((i) => `${relative(CORE, f)}: ${i}`));
    expect(found).toEqual([]);
  });
  it('failing fixture: a relative import of a package and a scoped one are both found; core, site and tools are not', () => {
    expect(serviceImports("import { MQTT_USER } from '../../../../packages/zigbee2mqtt/src/index.ts';\nimport x from '@homelab/truenas';\nimport { y } from '@homelab/core/model';\nimport s from '@homelab/site';")).toEqual([
      "from '../../../../packages/zigbee2mqtt/src/index.ts'", "from '@homelab/truenas'",
    ]);
  });
});
