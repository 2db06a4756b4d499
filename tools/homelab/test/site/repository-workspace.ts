/**
 * A throwaway copy of this repository's service packages (without their tests and build
 * output), so the real CLI can synthesize them for another site (HOMELAB_SITE) into a dist/ of
 * its own, leaving the repository's dist/ alone. Its node_modules is the repository's.
 */
import { cpSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './second-homelab-workspace.ts';

const LEFT_OUT = new Set(['node_modules', 'test', 'dist']);

export function createRepositoryCopy(): string {
  const ws = mkdtempSync(join(tmpdir(), 'homelab-copy-'));
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'homelab-copy', private: true, type: 'module' }));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(ws, 'node_modules'));
  for (const pkg of readdirSync(join(REPO_ROOT, 'packages'), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const part of readdirSync(join(REPO_ROOT, 'packages', pkg.name)).filter((p) => !LEFT_OUT.has(p))) {
      cpSync(join(REPO_ROOT, 'packages', pkg.name, part), join(ws, 'packages', pkg.name, part), { recursive: true });
    }
  }
  return ws;
}
