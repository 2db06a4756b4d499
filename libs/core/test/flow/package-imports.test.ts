/**
 * Packages import @homelab/core by layer (`@homelab/core/render`, ...), never the root barrel, so a
 * package that renders Compose loads no deploy runner, Nx or Terraform (item 8 of issue 10).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** `file:line` of every import or export of the root `@homelab/core` barrel in the sources. */
function rootBarrelImports(sources: readonly { path: string; text: string }[]): string[] {
  return sources.flatMap(({ path, text }) => text.split('\n').flatMap((line, i) =>
    /\bfrom\s+['"]@homelab\/core['"]|\bimport\s*\(\s*['"]@homelab\/core['"]\s*\)/.test(line) ? [`${path}:${i + 1}`] : []));
}

function packageSources(): { path: string; text: string }[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push(full);
    }
  };
  for (const pkg of readdirSync(join(REPO, 'packages'))) {
    for (const dir of ['src', 'smoke']) {
      try { walk(join(REPO, 'packages', pkg, dir)); } catch { /* a package without it has nothing to import there */ }
    }
  }
  return files.sort().map((f) => ({ path: relative(REPO, f), text: readFileSync(f, 'utf8') }));
}

describe('the packages import @homelab/core by layer', () => {
  it('no package source or smoke test imports the root barrel', () => {
    const sources = packageSources();
    expect(sources.length).toBeGreaterThan(50);
    expect(rootBarrelImports(sources)).toEqual([]);
  });

  it('names the file and line of a root-barrel import (failing fixture), and lets a subpath pass', () => {
    expect(rootBarrelImports([
      { path: 'packages/x/src/index.ts', text: "import { composeFile } from '@homelab/core/render';\nimport { defineService } from '@homelab/core';\n" },
      { path: 'packages/y/src/index.ts', text: "const core = await import('@homelab/core');\n" },
      { path: 'packages/z/src/index.ts', text: "import { defineService } from '@homelab/core/model';\n" },
    ])).toEqual(['packages/x/src/index.ts:2', 'packages/y/src/index.ts:1']);
  });
});
