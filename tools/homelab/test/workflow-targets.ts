import { createNodesV2 } from '../src/nx/plugin.ts';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The target names the Nx plugin infers for a service package, read from the plugin itself. */
async function inferredTargets(): Promise<string[]> {
  const root = mkdtempSync(join(tmpdir(), 'wf-targets-'));
  mkdirSync(join(root, 'packages/x/src'), { recursive: true });
  writeFileSync(join(root, 'packages/x/package.json'), JSON.stringify({ name: '@homelab/x', version: '0.1.0' }));
  writeFileSync(join(root, 'packages/x/src/index.ts'), 'export default {};');
  writeFileSync(join(root, 'packages/x/tsconfig.json'), '{}');
  const [, fn] = createNodesV2;
  const results = await fn(['packages/x/package.json'], {}, { workspaceRoot: root, nxJsonConfiguration: {} } as never);
  const project = Object.values(results[0]![1].projects ?? {})[0] as { targets: Record<string, unknown> };
  return Object.keys(project.targets);
}

export const TARGETS = await inferredTargets();
